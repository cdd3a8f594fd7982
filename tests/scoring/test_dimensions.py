"""Rules 3 and 4: a dimension's score and where it comes from."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kotacerdas.scoring import (
    DimensionInput,
    DimensionSource,
    QuestionInput,
    QuestionSource,
    score_dimension,
)

WEIGHT = Decimal("0.10")


def _agreed(*scores: str, first: int = 1) -> tuple[QuestionInput, ...]:
    return tuple(QuestionInput(first + i, agreed=Decimal(s)) for i, s in enumerate(scores))


def test_dimension_score_is_the_mean_of_its_question_scores() -> None:
    # Badung's Baseline, questions 1–5.
    result = score_dimension(DimensionInput("baseline", _agreed("4", "3", "3.6", "3.8", "3.4")), WEIGHT)

    assert result.score == Decimal("3.56")
    assert result.source is DimensionSource.RAW
    assert [q.number for q in result.questions] == [1, 2, 3, 4, 5]


def test_dimension_mean_uses_the_rounded_question_scores() -> None:
    # Question 1's mean is 2.005 → 2.01; the dimension is mean(2.01, 2.00) = 2.005 → 2.01.
    # Averaging the exact means instead would give mean(2.005, 2) = 2.0025 → 2.00.
    questions = (QuestionInput(1, total=Decimal(401), count=200), QuestionInput.from_values(2, [2]))

    result = score_dimension(DimensionInput("output", questions), WEIGHT)

    assert [q.score for q in result.questions] == [Decimal("2.01"), Decimal("2.00")]
    assert result.score == Decimal("2.01")


def test_dimension_mean_is_rounded_half_up() -> None:
    result = score_dimension(DimensionInput("output", _agreed("2.35", "2.34")), WEIGHT)  # 2.345

    assert result.score == Decimal("2.35")


def test_missing_question_counts_as_zero_and_is_reported() -> None:
    questions = (*_agreed("4", "4"), QuestionInput(3))

    result = score_dimension(DimensionInput("outcome", questions), WEIGHT)

    assert result.score == Decimal("2.67")  # (4 + 4 + 0) / 3
    assert result.missing_questions == (3,)
    assert result.questions[2].source is QuestionSource.MISSING


def test_agreed_question_without_raw_inputs_makes_the_dimension_raw() -> None:
    dimension = DimensionInput("impact", (QuestionInput(50, agreed=Decimal(3)), QuestionInput(51)))

    result = score_dimension(dimension, WEIGHT)

    assert result.source is DimensionSource.RAW
    assert result.score == Decimal("1.50")


def test_raw_input_wins_over_a_published_score() -> None:
    dimension = DimensionInput("baseline", _agreed("4", "3"), published=Decimal("1.00"))

    result = score_dimension(dimension, WEIGHT)

    assert (result.source, result.score) == (DimensionSource.RAW, Decimal("3.50"))


def test_published_score_is_used_when_there_is_no_raw_input() -> None:
    dimension = DimensionInput("baseline", (QuestionInput(1), QuestionInput(2)), published=Decimal("3.56"))

    result = score_dimension(dimension, WEIGHT)

    assert (result.source, result.score) == (DimensionSource.PUBLISHED, Decimal("3.56"))
    assert result.questions == ()
    assert result.missing_questions == ()


def test_published_score_is_rounded_half_up() -> None:
    result = score_dimension(DimensionInput("baseline", published=Decimal("2.345")), WEIGHT)

    assert result.score == Decimal("2.35")


@pytest.mark.parametrize("questions", [(), (QuestionInput(1), QuestionInput(2))])
def test_dimension_without_any_input_is_absent(questions: tuple[QuestionInput, ...]) -> None:
    result = score_dimension(DimensionInput("collaboration", questions), WEIGHT)

    assert result.source is DimensionSource.ABSENT
    assert result.score is None
    assert result.questions == ()
    assert result.contribution == 0


def test_question_results_are_ordered_by_number() -> None:
    dimension = DimensionInput(
        "output", (QuestionInput(8, agreed=Decimal(2)), QuestionInput(6), QuestionInput(7))
    )

    result = score_dimension(dimension, WEIGHT)

    assert [q.number for q in result.questions] == [6, 7, 8]
    assert result.missing_questions == (6, 7)


def test_contribution_is_weight_times_score_unrounded() -> None:
    result = score_dimension(DimensionInput("outcome", published=Decimal("3.27")), Decimal("0.30"))

    assert result.contribution == Decimal("0.981")
    assert result.weight == Decimal("0.30")


def test_duplicate_question_numbers_are_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("dimension output: question 6 is given twice")):
        DimensionInput("output", (QuestionInput(6), QuestionInput(6, agreed=Decimal(2))))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"code": ""}, "dimension code must be a non-empty str"),
        ({"code": "output", "published": 3.1}, "published score must be a decimal.Decimal, got float"),
        ({"code": "output", "published": Decimal("NaN")}, "published score must be a finite number"),
        ({"code": "output", "questions": (3,)}, "questions must be QuestionInput"),
    ],
)
def test_invalid_dimension_input_is_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DimensionInput(**kwargs)  # type: ignore[arg-type]


def test_questions_given_as_a_list_are_stored_as_a_tuple() -> None:
    dimension = DimensionInput("output", [QuestionInput(6)])  # type: ignore[arg-type]

    assert dimension.questions == (QuestionInput(6),)


def test_float_weight_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("weight must be a decimal.Decimal, got float")):
        score_dimension(DimensionInput("output"), 0.2)  # type: ignore[arg-type]
