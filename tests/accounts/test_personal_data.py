"""Personal data (docs/personal-data.md): a person's data exported and erased by command, both audited;
survey contact hashes forgotten after the retention."""

import io
import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotacerdas.accounts.models import User
from kotacerdas.audit.models import AuditEvent
from kotacerdas.audit.services import record_event
from kotacerdas.cycles.models import Participation
from kotacerdas.survey.models import SmartDimension, SurveyResponse


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_export_person_gives_everything_held_about_them_and_no_secret(operator_a: User) -> None:
    device = TOTPDevice.objects.create(user=operator_a, name="authenticator", confirmed=True)
    record_event("test.by_operator", actor=operator_a)
    AccessAttempt.objects.create(
        username=operator_a.email, ip_address="203.0.113.9", user_agent="x", failures_since_start=1
    )
    data = json.loads(_run("export_person", "--email", operator_a.email.upper()))
    assert data["account"][0]["fields"]["email"] == operator_a.email
    assert "password" not in data["account"][0]["fields"]
    assert data["related"]["otp_totp.TOTPDevice"] == [{"name": "authenticator", "confirmed": True}]
    assert device.key not in json.dumps(data)
    assert [e["fields"]["action"] for e in data["audit_events"]] == ["test.by_operator"]
    assert data["failed_sign_ins"][0]["ip_address"] == "203.0.113.9"
    assert AuditEvent.objects.filter(action="user.exported", object_id=str(operator_a.pk)).exists()


def test_erase_person_removes_identity_devices_and_sign_in_records(operator_a: User) -> None:
    TOTPDevice.objects.create(user=operator_a, name="authenticator", confirmed=True)
    AccessAttempt.objects.create(
        username=operator_a.email, ip_address="203.0.113.9", user_agent="x", failures_since_start=1
    )
    record_event("test.by_operator", actor=operator_a)
    email = operator_a.email
    assert "erased" in _run("erase_person", "--email", email, "--reason", "permintaan subjek data")
    operator_a.refresh_from_db()
    assert operator_a.email.endswith("@erased.invalid") and not operator_a.is_active
    assert not TOTPDevice.objects.filter(user=operator_a).exists()
    assert not AccessAttempt.objects.filter(username=email).exists()
    assert AuditEvent.objects.filter(actor=operator_a, action="test.by_operator").exists()
    event = AuditEvent.objects.get(action="user.erased")
    assert event.reason == "permintaan subjek data" and email not in json.dumps(event.new or {})


def test_erase_person_needs_a_reason(operator_a: User) -> None:
    with pytest.raises(CommandError, match="Alasan"):
        _run("erase_person", "--email", operator_a.email, "--reason", " ")
    operator_a.refresh_from_db()
    assert operator_a.is_active


def test_survey_contact_hashes_are_forgotten_after_the_retention(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SURVEY_CONTACT_RETENTION_DAYS = 30
    badung = Participation.objects.get(cycle__year=2024, region__code="51.03")
    now = timezone.now()

    def response(name: str, age: int, contact: str, client: str) -> SurveyResponse:
        return SurveyResponse.objects.create(
            participation=badung,
            smart_dimension=SmartDimension.LIVING,
            response_id=name,
            submitted_at=now - timedelta(days=age),
            content_digest=name,
            pattern="4343",
            contact_hash=contact,
            client_hash=client,
        )

    old = response("old", 31, "a" * 64, "b" * 64)
    recent = response("recent", 29, "c" * 64, "d" * 64)
    assert _run("purge_survey_contacts").startswith("1 response(s)")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.contact_hash, old.client_hash) == ("", "")
    assert (recent.contact_hash, recent.client_hash) == ("c" * 64, "d" * 64)
    assert old.pattern == "4343"
    assert AuditEvent.objects.filter(action="survey.contacts_purged").count() == 1
    assert _run("purge_survey_contacts").startswith("0 response(s)")
