"""A person's audit history outlives their account: deleting deactivates, erasing anonymises in place,
and the events (append-only; on PostgreSQL a trigger refuses any UPDATE) carry only a pseudonym."""

import pytest
from django.db.models import ProtectedError
from django.test import Client

from kotacerdas.accounts.models import User
from kotacerdas.accounts.services import erase_person
from kotacerdas.audit.models import AuditEvent
from kotacerdas.audit.services import audit_chain_digest, record_event
from kotacerdas.core.actors import CLI


def test_an_event_names_a_person_by_a_pseudonym_not_their_email(operator_a: User) -> None:
    event = record_event("test.something", actor=operator_a)
    assert event.actor_label == f"user:{operator_a.pk}"
    assert operator_a.email not in event.actor_label


def test_a_user_with_events_cannot_be_deleted_and_keeps_them(operator_a: User) -> None:
    record_event("test.something", actor=operator_a)
    with pytest.raises(ProtectedError):
        operator_a.delete()
    assert AuditEvent.objects.filter(actor=operator_a).count() == 1


def test_deleting_a_user_in_the_admin_deactivates_them(
    client: Client, admin_user: User, operator_a: User
) -> None:
    record_event("test.something", actor=operator_a)
    client.force_login(admin_user)
    response = client.post(f"/admin/accounts/user/{operator_a.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    operator_a.refresh_from_db()
    assert not operator_a.is_active
    assert AuditEvent.objects.filter(actor=operator_a, action="test.something").count() == 1
    assert AuditEvent.objects.filter(action="user.deactivated", object_id=str(operator_a.pk)).exists()


def test_erasing_a_person_keeps_their_history_without_their_identity(operator_a: User) -> None:
    record_event("test.something", actor=operator_a)
    email = operator_a.email
    digest = audit_chain_digest()
    erase_person(operator_a, actor=CLI, reason="permintaan subjek data")
    operator_a.refresh_from_db()
    assert (operator_a.email, operator_a.is_active, operator_a.has_usable_password()) == (
        f"erased-{operator_a.pk}@erased.invalid",
        False,
        False,
    )
    assert not User.objects.filter(email=email).exists()
    history = AuditEvent.objects.filter(actor=operator_a).order_by("id")
    assert [e.action for e in history] == ["test.something"]
    assert AuditEvent.objects.filter(action="user.erased", object_id=str(operator_a.pk)).exists()
    assert audit_chain_digest() != digest


def test_the_chain_digest_changes_with_any_event(db: None) -> None:
    first = audit_chain_digest()
    assert audit_chain_digest() == first
    record_event("test.something", actor=CLI)
    assert audit_chain_digest() != first
