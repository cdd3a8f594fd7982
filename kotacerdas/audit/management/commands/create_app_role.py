from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from kotacerdas.audit.roles import AUDIT_TABLE, READ_ONLY_TABLES, RoleError, app_role_statements


class Command(BaseCommand):
    help = (
        "Create or update the application's PostgreSQL role (default kotacerdas_app): read and write on the "
        "app's tables, only SELECT and INSERT on the audit, owner of nothing. Run it as the tables' owner "
        "(DATABASE_MIGRATE_URL, --database owner) after every migrate; --print-sql shows the SQL instead."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--role", default="kotacerdas_app")
        parser.add_argument("--password-file", type=Path, help="a file holding the role's login password")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the connection of the owner")
        parser.add_argument("--print-sql", action="store_true", help="print the statements, run nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError(
                "create-app-role is for PostgreSQL; an SQLite installation has no roles (one file, one user)."
            )
        password = None
        if options["password_file"] is not None:
            try:
                password = options["password_file"].read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CommandError(f"{options['password_file']}: {exc.strerror}") from exc
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            owner = cursor.fetchone()[0]
        tables = connection.introspection.table_names()
        try:
            statements = app_role_statements(options["role"], owner=owner, tables=tables, password=password)
        except RoleError as exc:
            raise CommandError(str(exc)) from exc
        with connection.cursor() as cursor:
            raw = cursor.connection
            if options["print_sql"]:
                for statement in statements:
                    self.stdout.write(statement.as_string(raw) + ";")
                return
            with transaction.atomic(using=options["database"]):
                for statement in statements:
                    cursor.execute(statement)
        writable = [t for t in tables if t != AUDIT_TABLE and t not in READ_ONLY_TABLES]
        self.stdout.write(
            f"role {options['role']}: read/write on {len(writable)} tables, SELECT/INSERT on the audit, "
            f"owner of none (owner: {owner})"
        )
