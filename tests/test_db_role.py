"""The application's PostgreSQL role (kotacerdas.audit.roles): ordinary writes work; the audit cannot be
updated, deleted, truncated or have its trigger disabled through it. PostgreSQL only (CI runs the suite on
PostgreSQL as well); the role is created inside the test's transaction, so nothing outlives the test."""

import io
import os
import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import CLI

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles exist on PostgreSQL only"),
]


@pytest.fixture
def app_role() -> str:
    role = f"kc_app_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    out = io.StringIO()
    call_command("create_app_role", "--role", role, stdout=out)
    assert "SELECT/INSERT on the audit" in out.getvalue()
    return role


def _as(role: str, statement: str, params: tuple[object, ...] = ()) -> int:
    """Run one statement as ``role`` in a savepoint; the savepoint's end also ends the SET ROLE."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{role}"')
        cursor.execute(statement, params)
        count = cursor.rowcount
        cursor.execute("RESET ROLE")
        return count


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET reason = 'rewritten'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "DROP TABLE audit_auditevent",
        "ALTER TABLE regions_region ADD COLUMN sneaky integer",
    ],
)
def test_the_app_role_cannot_erase_or_unprotect_the_audit(app_role: str, statement: str) -> None:
    record_event("test.before", actor=CLI)
    before = connection.cursor()
    before.execute("SELECT count(*) FROM audit_auditevent")
    count = before.fetchone()[0]
    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
        _as(app_role, statement)
    after = connection.cursor()
    after.execute("SELECT count(*), count(*) FILTER (WHERE reason = 'rewritten') FROM audit_auditevent")
    assert after.fetchone() == (count, 0)


def test_the_app_role_does_its_ordinary_writes(app_role: str) -> None:
    assert _as(app_role, "UPDATE regions_region SET name = name WHERE code = %s", ("51.03",)) == 1
    assert (
        _as(
            app_role,
            "INSERT INTO audit_auditevent (at, actor_label, action, object_type, object_id, reason,"
            " region_code) VALUES (now(), 'app', 'test.by_app_role', '', '', '', '')",
        )
        == 1
    )
    assert _as(app_role, "SELECT * FROM audit_auditevent WHERE action = 'test.by_app_role'") == 1
    assert _as(app_role, "DELETE FROM django_session") >= 0


def test_the_role_must_not_be_the_owner() -> None:
    from django.core.management.base import CommandError

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="another role"):
        call_command("create_app_role", "--role", owner, stdout=io.StringIO())
