"""Answers: autosave with a client-made id, no lost update, submit and lock, return, windows."""

import json
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from kotacerdas.audit.models import AuditEvent
from kotacerdas.cycles.models import Stage
from kotacerdas.cycles.policy import Action, NotAllowed, may
from kotacerdas.selfassessment.models import Answer, FormStatus
from kotacerdas.selfassessment.services import (
    Incomplete,
    SaveStatus,
    return_self_assessment,
    save_answer,
    submit_self_assessment,
)
from tests.workflow import fill_self_assessment


def _q(participation, number):
    return participation.cycle.instrument.questions.select_related("dimension", "instrument").get(
        number=number
    )


def _post(client: Client, target, number: int, **body):
    url = f"/penilaian-mandiri/{target.cycle.year}/{target.region.code}/jawaban/{number}/"
    return client.post(url, json.dumps(body), content_type="application/json", HTTP_ACCEPT="application/json")


def test_autosave_stores_once_per_save_id(client: Client, operator_a, badung) -> None:
    client.force_login(operator_a)
    save_id = str(uuid.uuid4())
    first = _post(client, badung, 1, save_id=save_id, base_version=0, level=3, justification="Perbup 2019")
    again = _post(client, badung, 1, save_id=save_id, base_version=0, level=3, justification="Perbup 2019")
    assert (first.status_code, first.json()["status"], first.json()["version"]) == (200, "saved", 1)
    assert (again.status_code, again.json()["status"], again.json()["version"]) == (200, "replayed", 1)
    assert Answer.objects.filter(participation=badung).count() == 1
    assert (
        AuditEvent.objects.filter(action="answer.saved", region_code="51.03", question_number=1).count() == 1
    )
    badung.refresh_from_db()
    assert badung.stage == Stage.DRAFT


def test_a_save_based_on_an_old_version_is_refused_not_lost(client: Client, operator_a, badung) -> None:
    client.force_login(operator_a)
    _post(client, badung, 1, save_id=str(uuid.uuid4()), base_version=0, level=2, justification="tab A")
    stale = _post(
        client, badung, 1, save_id=str(uuid.uuid4()), base_version=0, level=4, justification="tab B"
    )
    assert stale.status_code == 409
    assert stale.json() == {"status": "conflict", "version": 1, "level": 2, "justification": "tab A"}
    answer = Answer.objects.get(participation=badung, question__number=1)
    assert (answer.level, answer.justification, answer.version) == (2, "tab A", 1)


def test_invalid_answers_name_their_field(client: Client, operator_a, badung) -> None:
    client.force_login(operator_a)
    response = _post(client, badung, 1, save_id=str(uuid.uuid4()), base_version=0, level=7, justification="")
    assert response.status_code == 422 and "level" in response.json()["fields"]
    survey_question = _post(
        client, badung, 50, save_id=str(uuid.uuid4()), base_version=0, level=3, justification="x"
    )
    assert survey_question.status_code == 422 and "question" in survey_question.json()["fields"]
    garbage = client.post(
        "/penilaian-mandiri/2030/51.03/jawaban/1/", "not json", content_type="application/json"
    )
    assert garbage.status_code == 422


def test_submit_requires_every_question_with_level_and_justification(operator_a, badung) -> None:
    save_answer(
        badung,
        _q(badung, 1),
        level=4,
        justification="",
        save_id=uuid.uuid4(),
        base_version=0,
        actor=operator_a,
    )
    with pytest.raises(Incomplete) as info:
        submit_self_assessment(badung, actor=operator_a)
    assert info.value.numbers[0] == 1 and len(info.value.numbers) == 61


def test_submitted_answers_are_locked_until_the_admin_returns_them(operator_a, admin_user, badung) -> None:
    fill_self_assessment(operator_a, badung)
    form = submit_self_assessment(badung, actor=operator_a)
    badung.refresh_from_db()
    assert (form.status, badung.stage, badung.self_assessment) == (
        FormStatus.SUBMITTED,
        Stage.SUBMITTED,
        "filled",
    )
    with pytest.raises(NotAllowed, match="terkunci"):
        save_answer(
            badung,
            _q(badung, 1),
            level=1,
            justification="x",
            save_id=uuid.uuid4(),
            base_version=1,
            actor=operator_a,
        )
    with pytest.raises(ValueError, match="Alasan"):
        return_self_assessment(badung, " ", actor=admin_user)
    return_self_assessment(badung, "Bukti pertanyaan 6 belum diunggah", actor=admin_user)
    badung.refresh_from_db()
    assert badung.stage == Stage.DRAFT and badung.self_assessment_form.returned_reason.startswith("Bukti")
    outcome = save_answer(
        badung,
        _q(badung, 6),
        level=4,
        justification="Perda 2020",
        save_id=uuid.uuid4(),
        base_version=1,
        actor=operator_a,
    )
    assert outcome.status == SaveStatus.SAVED


def test_the_window_is_enforced_on_the_server_to_the_microsecond(operator_a, badung) -> None:
    cycle = badung.cycle
    closes = timezone.now() + timedelta(days=2)
    cycle.self_assessment_closes = closes
    cycle.save(update_fields=["self_assessment_closes"])
    with time_machine.travel(closes - timedelta(microseconds=1), tick=False):
        assert may(operator_a, Action.ANSWER, badung)
        save_answer(
            badung,
            _q(badung, 1),
            level=3,
            justification="x",
            save_id=uuid.uuid4(),
            base_version=0,
            actor=operator_a,
        )
    with time_machine.travel(closes, tick=False):
        decision = may(operator_a, Action.ANSWER, badung)
        assert not decision and "ditutup" in decision.reason
        with pytest.raises(NotAllowed):
            save_answer(
                badung,
                _q(badung, 1),
                level=4,
                justification="y",
                save_id=uuid.uuid4(),
                base_version=1,
                actor=operator_a,
            )
    with time_machine.travel(cycle.self_assessment_opens - timedelta(seconds=1), tick=False):
        assert "belum dibuka" in may(operator_a, Action.ANSWER, badung).reason


def test_a_closed_window_answers_403_with_the_reason(client: Client, operator_a, badung) -> None:
    cycle = badung.cycle
    cycle.self_assessment_closes = timezone.now() - timedelta(seconds=1)
    cycle.save(update_fields=["self_assessment_closes"])
    client.force_login(operator_a)
    response = _post(client, badung, 1, save_id=str(uuid.uuid4()), base_version=0, level=3, justification="x")
    assert response.status_code == 403 and "ditutup" in response.json()["reason"]


def test_posted_identifiers_are_not_trusted(
    client: Client, operator_a, operator_b, badung, open_cycle
) -> None:
    """The region comes from the URL and the user, never from the body: operator B cannot write Badung's
    answer by posting Badung's ids, and extra fields in the body are ignored."""
    client.force_login(operator_b)
    response = _post(
        client,
        badung,
        1,
        save_id=str(uuid.uuid4()),
        base_version=0,
        level=1,
        justification="x",
        region="51.03",
        participation=badung.pk,
        question=1,
    )
    assert response.status_code == 404
    client.force_login(operator_a)
    response = _post(
        client,
        badung,
        2,
        save_id=str(uuid.uuid4()),
        base_version=0,
        level=3,
        justification="x",
        region="32.73",
        question=5,
    )
    assert response.status_code == 200
    answer = Answer.objects.get(participation=badung, question__number=2)
    assert answer.participation.region.code == "51.03"
    assert not Answer.objects.filter(participation__region__code="32.73").exists()


def test_saving_the_same_content_again_writes_nothing(operator_a, badung) -> None:
    question = _q(badung, 1)
    save_answer(
        badung, question, level=3, justification="x", save_id=uuid.uuid4(), base_version=0, actor=operator_a
    )
    again = save_answer(
        badung, question, level=3, justification="x", save_id=uuid.uuid4(), base_version=1, actor=operator_a
    )
    assert again.status == SaveStatus.UNCHANGED and again.answer.version == 1
    assert (
        AuditEvent.objects.filter(action="answer.saved", region_code="51.03", question_number=1).count() == 1
    )


def test_a_save_id_replayed_with_other_content_is_refused(client: Client, operator_a, badung) -> None:
    client.force_login(operator_a)
    save_id = str(uuid.uuid4())
    _post(client, badung, 1, save_id=save_id, base_version=0, level=3, justification="asli")
    tampered = _post(client, badung, 1, save_id=save_id, base_version=0, level=1, justification="lain")
    assert tampered.status_code == 409
    answer = Answer.objects.get(participation=badung, question__number=1)
    assert (answer.level, answer.justification, answer.version) == (3, "asli", 1)
