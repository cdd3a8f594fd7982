"""Krippendorff's α with an honest note (issue 10, item 7): no crash when assessors scored disjoint
questions, and the consensus page says why α is undefined or why a value near 0 says little."""

import math

import pytest
from django.test import Client

from kotacerdas.review.agreement import alpha_with_note, panel_agreement
from kotacerdas.review.services import record_score
from tests.workflow import score_all, submitted

NAN = math.nan


def test_disjoint_questions_give_no_alpha_and_say_why() -> None:
    alpha, note = alpha_with_note([[1, 2, NAN, NAN], [NAN, NAN, 3, 4]])
    assert alpha is None
    assert "tidak ada pertanyaan yang dinilai oleh dua asesor" in note


def test_only_the_questions_scored_by_two_assessors_count() -> None:
    # Q1–Q3 are pairable and agree; Q4 and Q5 were scored by one assessor each and are left out.
    alpha, note = alpha_with_note([[1, 2, 4, 3, NAN], [1, 2, 4, NAN, 1]])
    assert alpha == pytest.approx(1.0) and note == ""


def test_identical_scores_leave_alpha_undefined_and_say_so() -> None:
    alpha, note = alpha_with_note([[3, 3, 3], [3, 3, NAN]])
    assert alpha is None
    assert "semua 4 skor yang dapat dipasangkan sama" in note  # the third question has one score


def test_one_assessor_is_not_a_panel() -> None:
    assert alpha_with_note([[1, 2, 3]]) == (None, "Tidak terdefinisi: perlu skor dari sedikitnya dua asesor.")
    assert alpha_with_note([])[0] is None


def test_a_low_alpha_with_little_variation_is_explained() -> None:
    # 19 of 20 scores are 3 and one assessor once gave 2: α is 0, which here is no sign of disagreement.
    alpha, note = alpha_with_note([[3] * 9 + [2], [3] * 10])
    assert alpha == pytest.approx(0.0, abs=1e-9)
    assert "α rendah karena skor hampir tidak bervariasi (95% dari 20 skor bernilai sama)" in note
    # Real disagreement with varied scores gets no excuse.
    alpha, note = alpha_with_note([[1, 4, 2, 3, 1, 4], [4, 1, 3, 2, 4, 1]])
    assert alpha is not None and alpha < 0 and note == ""


def test_panel_agreement_does_not_crash_on_disjoint_scores(operator_a, badung, panel) -> None:  # type: ignore[no-untyped-def]
    submitted(operator_a, badung)
    questions = {
        q.number: q for q in badung.cycle.instrument.questions.select_related("dimension", "instrument")
    }
    first = badung.assignments.get(assessor__user=panel[0])
    second = badung.assignments.get(assessor__user=panel[1])
    record_score(first, questions[1], 4, "", actor=panel[0])
    record_score(first, questions[2], 2, "", actor=panel[0])
    record_score(second, questions[3], 3, "", actor=panel[1])
    agreement = panel_agreement(badung)
    assert agreement.alpha is None and "dapat dipasangkan" in agreement.alpha_note
    assert agreement.alpha_by_dimension == {"baseline": None}
    assert "dapat dipasangkan" in agreement.alpha_notes_by_dimension["baseline"]


def test_the_consensus_page_explains_a_low_alpha_and_an_undefined_one(
    client: Client, operator_a, admin_user, badung, panel
) -> None:  # type: ignore[no-untyped-def]
    submitted(operator_a, badung)
    score_all(panel[0], badung, {1: 4})  # 3 everywhere else
    score_all(panel[1], badung, {1: 1})
    client.force_login(admin_user)
    page = client.get("/penilaian/2030/51.03/konsensus/").content.decode()
    # 120 of 122 scores are 3; the two assessors differ on Q1 alone (4 and 1): α is about −0.98.
    assert "<strong>-0,98</strong>" in page
    assert "α rendah karena skor hampir tidak bervariasi (98% dari 122 skor bernilai sama)" in page
    # Per dimension: Output's scores are all 3, so its α is undefined, and the page says why.
    assert "skor yang dapat dipasangkan sama (kesepakatan penuh)" in page
