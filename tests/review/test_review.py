"""Assessor review: panels and conflicts of interest, blind scoring, submission feeding the results,
consensus with agreed scores, agreement statistics, and the right of reply."""

from decimal import Decimal

import pytest
from django.test import Client

from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Stage
from kotacerdas.cycles.policy import NotAllowed
from kotacerdas.results.models import RegionResult
from kotacerdas.results.services import live_result_set
from kotacerdas.review.agreement import panel_agreement
from kotacerdas.review.models import AssessorScore, ConflictOfInterest, ReplyStatus
from kotacerdas.review.services import (
    ConflictOfInterestError,
    IncompleteReview,
    assign_assessor,
    contest_score,
    declare_conflict,
    ensure_assessor_profile,
    record_agreed_score,
    record_score,
    respond_to_reply,
    submit_review,
)
from tests.conftest import make_assessor
from tests.workflow import score_all, submitted


def _q(participation, number):
    return participation.cycle.instrument.questions.select_related("dimension", "instrument").get(
        number=number
    )


def _live(participation) -> RegionResult:
    return RegionResult.objects.get(
        result_set=live_result_set(participation.cycle), participation=participation
    )


# --- panels ------------------------------------------------------------------------------------------------


def test_assigning_is_idempotent_and_numbers_the_panel(badung, panel) -> None:
    positions = list(badung.assignments.order_by("position").values_list("position", flat=True))
    assert positions == [1, 2]
    again, created = assign_assessor(badung, ensure_assessor_profile(panel[0]), actor=CLI)
    assert not created and again.position == 1


@pytest.mark.parametrize(
    "institution", ["Pemerintah Kabupaten Badung", "Diskominfo Kab. Badung", "Bappeda Kabupaten Badung"]
)
def test_an_assessor_from_the_regions_own_government_is_refused(badung, institution: str) -> None:
    user = make_assessor("pemda@test.id", institution)
    with pytest.raises(ConflictOfInterestError, match="pemerintah daerah"):
        assign_assessor(badung, ensure_assessor_profile(user), actor=CLI)
    assert not badung.assignments.exists()


def test_a_declared_conflict_is_refused_and_an_unrelated_institution_is_not(
    badung, unassigned_assessor
) -> None:
    assessor = ensure_assessor_profile(unassigned_assessor)
    declare_conflict(assessor, badung, "Pernah menjadi konsultan masterplan Badung", actor=CLI)
    assert ConflictOfInterest.objects.filter(assessor=assessor).count() == 1
    with pytest.raises(ConflictOfInterestError, match="konsultan masterplan"):
        assign_assessor(badung, assessor, actor=CLI)
    bandung = badung.cycle.participations.get(region__code="32.73")
    assert assign_assessor(bandung, assessor, actor=CLI)[1]


def test_only_admins_assign_through_the_policy(badung, operator_a, unassigned_assessor) -> None:
    with pytest.raises(NotAllowed):
        assign_assessor(badung, ensure_assessor_profile(unassigned_assessor), actor=operator_a)


# --- blind scoring and submission ------------------------------------------------------------------------


def test_scoring_waits_for_the_self_assessment(badung, panel) -> None:
    assignment = badung.assignments.get(assessor__user=panel[0])
    with pytest.raises(NotAllowed, match="belum mengirim"):
        record_score(assignment, _q(badung, 1), 3, "", actor=panel[0])


def test_assessors_score_blind_until_they_submit(client: Client, operator_a, badung, panel) -> None:
    submitted(operator_a, badung)
    score_all(panel[1], badung, 1)  # the second assessor submits 1 everywhere
    client.force_login(panel[0])
    page = client.get("/penilaian/2030/51.03/baseline/")
    assert page.context["blind"] is True
    assert all(item["others"] == [] for item in page.context["items"])
    assert "Skor asesor lain tampil setelah" in page.content.decode()
    assert client.get("/penilaian/2030/51.03/konsensus/").status_code == 302
    score_all(panel[0], badung, 4)
    page = client.get("/penilaian/2030/51.03/baseline/")
    assert page.context["blind"] is False
    assert [s.score for s in page.context["items"][0]["others"]] == [1]


def test_a_submitted_review_updates_the_results_at_once(operator_a, badung, panel) -> None:
    submitted(operator_a, badung)
    first = score_all(panel[0], badung, 4)
    assert first.submitted_at is not None and badung.stage == Stage.UNDER_REVIEW
    q1 = _live(badung).dimensions["baseline"]["questions"][0]
    assert (q1["score"], q1["source"], q1["count"]) == ("4.00", "raw", 1)
    # The second assessor's draft scores do not count until submitted.
    second = badung.assignments.get(assessor__user=panel[1])
    record_score(second, _q(badung, 1), 1, "", actor=panel[1])
    assert _live(badung).dimensions["baseline"]["questions"][0]["score"] == "4.00"
    score_all(panel[1], badung, 2)
    assert badung.stage == Stage.SCORED
    q1 = _live(badung).dimensions["baseline"]["questions"][0]
    assert (q1["score"], q1["count"]) == ("3.00", 2)
    # Outcome etc. are raw too; Impact has no survey answers in this cycle and is reported missing.
    assert _live(badung).final > 0


def test_an_incomplete_review_cannot_be_submitted(operator_a, badung, panel) -> None:
    submitted(operator_a, badung)
    assignment = badung.assignments.get(assessor__user=panel[0])
    record_score(assignment, _q(badung, 1), 3, "", actor=panel[0])
    with pytest.raises(IncompleteReview) as info:
        submit_review(assignment, actor=panel[0])
    assert 2 in info.value.numbers and 1 not in info.value.numbers


def test_score_edits_keep_their_history_in_the_audit_not_as_rows(operator_a, badung, panel) -> None:
    submitted(operator_a, badung)
    assignment = badung.assignments.get(assessor__user=panel[0])
    for value in (2, 3, 3, 4):
        record_score(assignment, _q(badung, 7), value, "", actor=panel[0])
    assert AssessorScore.objects.filter(assignment=assignment, question__number=7).count() == 1
    events = AuditEvent.objects.filter(
        action="score.recorded", region_code="51.03", question_number=7
    ).order_by("id")
    assert [e.new["score"] for e in events] == [2, 3, 4]  # the unchanged save writes nothing


def test_an_assessor_cannot_score_through_another_assessors_assignment(operator_a, badung, panel) -> None:
    submitted(operator_a, badung)
    theirs = badung.assignments.get(assessor__user=panel[1])
    with pytest.raises(Exception, match="bukan penugasan Anda"):
        record_score(theirs, _q(badung, 1), 4, "", actor=panel[0])


# --- consensus and agreement ----------------------------------------------------------------------------


def test_wide_spreads_are_flagged_and_an_agreed_score_stands(operator_a, badung, panel) -> None:
    submitted(operator_a, badung)
    score_all(panel[0], badung, {1: 4})
    score_all(panel[1], badung, {1: 1})
    agreement = panel_agreement(badung, submitted_only=True)
    assert [d.number for d in agreement.disagreements] == [1]
    assert agreement.disagreements[0].scores == (1, 4)
    assert {d.assessor: d.mean_distance for d in agreement.distances} == {
        panel[0].email: Decimal("0.02"),
        panel[1].email: Decimal("0.02"),
    }
    with pytest.raises(Exception, match="Alasan"):
        record_agreed_score(badung, _q(badung, 1), Decimal("3"), "", actor=panel[0])
    record_agreed_score(
        badung, _q(badung, 1), Decimal("3.50"), "Perbup ada, belum diundangkan", actor=panel[0]
    )
    q1 = _live(badung).dimensions["baseline"]["questions"][0]
    assert (q1["score"], q1["source"]) == ("3.50", "agreed")
    assert panel_agreement(badung).disagreements[0].agreed == Decimal("3.50")


def test_alpha_is_high_when_assessors_agree_and_undefined_without_variation(
    operator_a, badung, panel
) -> None:
    submitted(operator_a, badung)
    pattern = {n: 1 + n % 4 for n in range(1, 116)}
    score_all(panel[0], badung, pattern)
    score_all(panel[1], badung, pattern)
    agreement = panel_agreement(badung, submitted_only=True)
    assert agreement.alpha == pytest.approx(1.0)
    assert set(agreement.alpha_by_dimension) == {"baseline", "output", "outcome", "quick_wins"}


def test_the_consensus_page_shows_the_panel_statistics(
    client: Client, operator_a, admin_user, badung, panel
) -> None:
    submitted(operator_a, badung)
    score_all(panel[0], badung, {1: 4})
    score_all(panel[1], badung, {1: 1})
    client.force_login(admin_user)
    page = client.get("/penilaian/2030/51.03/konsensus/")
    assert page.status_code == 200 and "Krippendorff" in page.content.decode()
    response = client.post(
        "/penilaian/2030/51.03/konsensus/", {"number": 1, "score": "2.5", "reason": "diskusi"}
    )
    assert response.status_code == 302
    assert _live(badung).dimensions["baseline"]["questions"][0]["score"] == "2.50"


# --- the right of reply ----------------------------------------------------------------------------------


def test_the_region_contests_and_the_panel_answers_with_a_new_score(
    operator_a, operator_b, badung, panel
) -> None:
    submitted(operator_a, badung)
    score_all(panel[0], badung, 2)
    score_all(panel[1], badung, 2)
    assert badung.stage == Stage.SCORED
    with pytest.raises(NotAllowed):
        contest_score(badung, _q(badung, 1), "bukan daerah saya", actor=operator_b)
    reply = contest_score(
        badung, _q(badung, 1), "Perbup sudah diundangkan", current_score=Decimal("2"), actor=operator_a
    )
    badung.refresh_from_db()
    assert badung.stage == Stage.REPLIED
    with pytest.raises(Exception, match="sudah disanggah"):
        contest_score(badung, _q(badung, 1), "lagi", actor=operator_a)
    respond_to_reply(reply, "Bukti diterima", new_score=4, actor=panel[0])
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.ANSWERED and reply.responded_by == panel[0]
    q1 = _live(badung).dimensions["baseline"]["questions"][0]
    assert q1["score"] == "3.00"  # (4 + 2) / 2
    actions = list(
        AuditEvent.objects.filter(region_code="51.03", question_number=1, cycle_year=2030)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["reply.created", "score.changed_on_reply", "reply.answered"]


def test_draft_scores_are_shown_to_the_region_only_after_scoring(
    client: Client, operator_a, badung, panel
) -> None:
    client.force_login(operator_a)
    assert client.get("/penilaian/2030/51.03/sanggahan/").context["not_yet"] is True
    submitted(operator_a, badung)
    score_all(panel[0], badung, 2)
    score_all(panel[1], badung, 4)
    page = client.get("/penilaian/2030/51.03/sanggahan/")
    assert dict(page.context["scores"])[1] == Decimal("3.00")
    assert page.context["can_contest"]


def test_question_history_lists_every_change_in_order(
    client: Client, admin_user, operator_a, badung, panel
) -> None:
    submitted(operator_a, badung)
    score_all(panel[0], badung, 3)
    client.force_login(admin_user)
    page = client.get("/kelola/2030/51.03/riwayat/1/")
    actions = [entry.event.action for entry in page.context["entries"]]
    assert actions == ["answer.saved", "score.recorded"]


def test_publication_makes_scored_regions_final_and_shows_only_submitted_scores(
    client: Client, operator_a, admin_user, badung, panel
) -> None:
    from kotacerdas.results.services import publish_results

    submitted(operator_a, badung)
    score_all(panel[0], badung, 4)
    draft = badung.assignments.get(assessor__user=panel[1])
    record_score(draft, _q(badung, 1), 1, "draf", actor=panel[1])
    client.force_login(admin_user)
    q1 = next(
        q
        for d in client.get("/hasil/2030/51.03/?live=1").context["profile"].detail.dimensions
        for q in d.questions
        if q.number == 1
    )
    assert [s["score"] for s in q1.assessor_scores] == [4]  # the draft 1 is not shown
    score_all(panel[1], badung, 2)
    publish_results(badung.cycle, actor=admin_user, reason="uji")
    badung.refresh_from_db()
    assert badung.stage == Stage.FINAL


def test_nobody_replaces_the_citizens_answers_with_an_agreed_score(
    operator_a, badung, panel, admin_user
) -> None:  # type: ignore[no-untyped-def]
    """Question 50 is answered by the survey: neither the panel nor an admin may record an agreed score
    for it (importing published question scores stays the explicit path)."""
    from kotacerdas.instrument.models import Question
    from kotacerdas.review.models import AgreedScore
    from kotacerdas.review.services import InvalidScore

    survey_question = Question.objects.get(instrument__cycle=badung.cycle, number=50)
    submitted(operator_a, badung)
    score_all(panel[0], badung, 3)
    for actor in (panel[0], admin_user):
        with pytest.raises(InvalidScore, match="tidak dinilai asesor"):
            record_agreed_score(badung, survey_question, Decimal("4"), "ganti jawaban warga", actor=actor)
    assert not AgreedScore.objects.filter(participation=badung, question=survey_question).exists()
