"""The application's own PostgreSQL role: it reads and writes the app's tables but owns none of them.

Migrations run as the owner (``DATABASE_MIGRATE_URL``, see the README); the app servers and workers connect
as this role (``DATABASE_URL``). Not being the owner, the role cannot ALTER a table, DISABLE its triggers or
drop it; on the audit table it has only SELECT and INSERT, so an event, once written, cannot be changed,
deleted or truncated through the application's connection (and the append-only trigger of migration
audit 0002 refuses UPDATE and DELETE even to the owner).
"""

from collections.abc import Iterable

from psycopg import sql

AUDIT_TABLE = "audit_auditevent"
# Written once by the owner's `migrate`; the app only reads which migrations ran.
READ_ONLY_TABLES = ("django_migrations",)


class RoleError(Exception):
    pass


def app_role_statements(
    role: str, *, owner: str, tables: Iterable[str], password: str | None = None, schema: str = "public"
) -> list[sql.Composed]:
    """The statements that create (or bring up to date) ``role``; running them again changes nothing.

    Re-run after every migration: default privileges cover tables the owner creates later, but a new
    append-only table would need its own line here."""
    if not role or role == owner:
        raise RoleError("the application's role must be another role than the tables' owner")
    ident, schema_ident, owner_ident = sql.Identifier(role), sql.Identifier(schema), sql.Identifier(owner)
    login = sql.SQL("LOGIN PASSWORD {}").format(sql.Literal(password)) if password else sql.SQL("LOGIN")
    statements = [
        sql.SQL(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
            "CREATE ROLE {role} NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT; END IF; END $$"
        ).format(name=sql.Literal(role), role=ident),
        sql.SQL("ALTER ROLE {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS {}").format(
            ident, login
        ),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema_ident, ident),
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(schema_ident, ident),
    ]
    for table in sorted(tables):
        target = sql.Identifier(schema, table)
        statements.append(sql.SQL("REVOKE ALL ON {} FROM {}").format(target, ident))
        if table == AUDIT_TABLE or table in READ_ONLY_TABLES:
            privileges = "SELECT, INSERT" if table == AUDIT_TABLE else "SELECT"
        else:
            privileges = "SELECT, INSERT, UPDATE, DELETE"
        statements.append(sql.SQL(f"GRANT {privileges} ON {{}} TO {{}}").format(target, ident))
    statements += [
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema_ident, ident),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE "
            "ON TABLES TO {}"
        ).format(owner_ident, schema_ident, ident),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(owner_ident, schema_ident, ident),
    ]
    return statements
