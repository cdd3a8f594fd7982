"""Rules 1 and 2: a question's score, and its inputs' validation."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from kotacerdas.scoring import QuestionInput, QuestionResult, QuestionSource, score_question


def test_question_score_is_the_mean_of_its_raw_inputs() -> None:
    result = score_question(QuestionInput.from_values(7, [4, 4, 3, 4, 3]))

    assert result == QuestionResult(7, Decimal("3.60"), QuestionSource.RAW, 5)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([3, 3, 4], "3.33"),  # 3.333…
        ([4, 4, 3], "3.67"),  # 3.666…
        ([1, 2, 2, 2, 2, 2, 2, 2], "1.88"),  # 1.875, a half, goes up
        ([2, 3, 3, 3, 3, 3, 3, 3], "2.88"),  # 2.875
    ],
)
def test_question_mean_is_rounded_half_up(values: list[int], expected: str) -> None:
    assert score_question(QuestionInput.from_values(1, values)).score == Decimal(expected)


def test_question_mean_is_rounded_once_from_its_exact_value() -> None:
    # 28-digit Decimal division would first make this 0.0150…0 and then round it up to 0.02.
    total = Decimal("0.044999999999999999999999999999997")

    assert score_question(QuestionInput(1, total=total, count=3)).score == Decimal("0.01")


def test_agreed_score_overrides_raw_inputs() -> None:
    result = score_question(QuestionInput.from_values(3, [1, 1, 1], agreed=Decimal("3.6")))

    assert result.score == Decimal("3.60")
    assert result.source is QuestionSource.AGREED
    assert result.count == 3


def test_agreed_score_without_raw_inputs_has_count_zero() -> None:
    result = score_question(QuestionInput(3, agreed=Decimal("2.8")))

    assert result == QuestionResult(3, Decimal("2.80"), QuestionSource.AGREED, 0)


def test_agreed_score_is_rounded_half_up() -> None:
    assert score_question(QuestionInput(3, agreed=Decimal("2.345"))).score == Decimal("2.35")


def test_question_without_input_scores_zero_and_is_missing() -> None:
    result = score_question(QuestionInput(12))

    assert result == QuestionResult(12, Decimal("0.00"), QuestionSource.MISSING, 0)


def test_question_from_no_values_is_missing() -> None:
    assert score_question(QuestionInput.from_values(12, [])).source is QuestionSource.MISSING


def test_from_values_sums_and_counts_ints_and_decimals() -> None:
    question = QuestionInput.from_values(50, [4, Decimal("3"), 2])

    assert (question.total, question.count, question.agreed) == (Decimal(9), 3, None)


@pytest.mark.parametrize("bad", [3.0, True, None, "3", Decimal("NaN")])
def test_from_values_rejects_anything_but_ints_and_finite_decimals(bad: object) -> None:
    with pytest.raises(ValueError, match=re.escape("question 5: input 2")):
        QuestionInput.from_values(5, [4, bad])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"total": Decimal(0), "count": -1}, "count must be at least 0"),
        ({"total": Decimal(7), "count": 0}, "total must be 0 when count is 0"),
        ({"total": 7.0, "count": 2}, "total must be a decimal.Decimal, got float"),
        ({"total": 7, "count": 2}, "total must be a decimal.Decimal, got int"),
        ({"total": Decimal("Infinity"), "count": 2}, "total must be a finite number"),
        ({"count": 1.0}, "count must be an int"),
        ({"count": True}, "count must be an int"),
        ({"agreed": 3.6}, "agreed score must be a decimal.Decimal, got float"),
        ({"agreed": Decimal("NaN")}, "agreed score must be a finite number"),
    ],
)
def test_invalid_question_input_is_rejected_with_a_clear_message(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(f"question 9: {message}")):
        QuestionInput(9, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("number", [0, -1, 1.0, True, "1"])
def test_question_number_must_be_a_positive_int(number: object) -> None:
    with pytest.raises(ValueError, match=re.escape("question number")):
        QuestionInput(number)  # type: ignore[arg-type]


def test_question_input_is_immutable() -> None:
    question = QuestionInput(1)

    with pytest.raises(dataclasses.FrozenInstanceError):
        question.count = 3  # type: ignore[misc]


def test_a_kept_score_serves_only_equal_inputs() -> None:
    # Scores are kept per distinct input (the engine is pure): an equal input written differently gets
    # the same result, a different one its own, in any order.
    first = score_question(QuestionInput(3, Decimal("8"), 3))
    assert (
        score_question(QuestionInput(3, Decimal("8.00"), 3))
        == first
        == QuestionResult(3, Decimal("2.67"), QuestionSource.RAW, 3)
    )
    assert score_question(QuestionInput(3, Decimal("8"), 4)).score == Decimal("2.00")
    assert score_question(QuestionInput(3, Decimal("8"), 3, agreed=Decimal("3.5"))) == QuestionResult(
        3, Decimal("3.50"), QuestionSource.AGREED, 3
    )
    assert score_question(QuestionInput(4, Decimal("8"), 3)).number == 4
