"""Rules 5 and 7: a region's final and improvement, and its inputs' validation."""

from __future__ import annotations

import pickle
import re
from decimal import Decimal

import pytest

from kotacerdas.scoring import DimensionInput, DimensionSource, QuestionInput, RegionInput, score_region

REGULER = {
    "baseline": Decimal("0.10"),
    "output": Decimal("0.20"),
    "outcome": Decimal("0.30"),
    "impact": Decimal("0.20"),
    "quick_wins": Decimal("0.20"),
}
KPPN_IKN = {**REGULER, "outcome": Decimal("0.20"), "collaboration": Decimal("0.10")}


def _published(**scores: str) -> tuple[DimensionInput, ...]:
    return tuple(DimensionInput(code, published=Decimal(score)) for code, score in scores.items())


BADUNG = _published(baseline="3.56", output="2.73", outcome="3.27", impact="3.18", quick_wins="2.8")


def test_final_is_the_weighted_sum_rounded_once() -> None:
    result = score_region(RegionInput("51.03", REGULER, BADUNG))

    # 0.356 + 0.546 + 0.981 + 0.636 + 0.56 = 3.079 → 3.08; rounding each contribution first would give 3.09.
    assert sum(d.contribution for d in result.dimensions) == Decimal("3.079")
    assert result.final == Decimal("3.08")


def test_absent_dimension_contributes_zero() -> None:
    dimensions = _published(baseline="2.16", output="1.8", outcome="1.97", impact="2.85", quick_wins="1.58")

    result = score_region(RegionInput("12.16", KPPN_IKN, dimensions))

    assert result.dimension("collaboration").source is DimensionSource.ABSENT
    assert result.dimension("collaboration").contribution == 0
    assert result.absent_dimensions == ("collaboration",)
    assert result.final == Decimal("1.86")  # 1.856


def test_given_dimension_without_input_is_absent_too() -> None:
    dimensions = (*BADUNG, DimensionInput("collaboration", (QuestionInput(116),)))
    weights = {**REGULER, "outcome": Decimal("0.20"), "collaboration": Decimal("0.10")}

    result = score_region(RegionInput("51.03", weights, dimensions))

    assert result.absent_dimensions == ("collaboration",)
    assert result.missing_questions == ()


def test_dimension_results_follow_the_order_of_the_weights() -> None:
    result = score_region(RegionInput("51.03", REGULER, tuple(reversed(BADUNG))))

    assert [d.code for d in result.dimensions] == list(REGULER)
    assert [d.weight for d in result.dimensions] == list(REGULER.values())


def test_region_without_any_data_has_final_zero_and_no_data() -> None:
    result = score_region(RegionInput("11.01", REGULER, ()))

    assert result.final == Decimal("0.00")
    assert not result.has_data
    assert result.absent_dimensions == tuple(REGULER)


def test_region_with_one_dimension_has_data() -> None:
    result = score_region(RegionInput("11.01", REGULER, _published(impact="3")))

    assert result.has_data
    assert result.final == Decimal("0.60")


def test_missing_questions_are_collected_over_raw_dimensions_sorted() -> None:
    dimensions = (
        DimensionInput("output", (QuestionInput(6, agreed=Decimal(3)), QuestionInput(9), QuestionInput(7))),
        DimensionInput("baseline", (QuestionInput(1, agreed=Decimal(4)), QuestionInput(2))),
        DimensionInput("impact", (QuestionInput(50),), published=Decimal("3.1")),
    )

    result = score_region(RegionInput("51.03", REGULER, dimensions))

    assert result.missing_questions == (2, 7, 9)
    assert result.dimension("output").missing_questions == (7, 9)


def test_unknown_dimension_lookup_raises_key_error() -> None:
    result = score_region(RegionInput("51.03", REGULER, BADUNG))

    with pytest.raises(KeyError):
        result.dimension("collaboration")


@pytest.mark.parametrize(
    ("previous_final", "improvement"),
    [("2.97", "0.11"), ("3.15", "-0.07"), ("3.08", "0.00"), ("3.075", "0.01"), ("3.085", "-0.01")],
)
def test_improvement_is_final_minus_previous_final(previous_final: str, improvement: str) -> None:
    result = score_region(RegionInput("51.03", REGULER, BADUNG, previous_final=Decimal(previous_final)))

    assert result.improvement == Decimal(improvement)


def test_improvement_is_absent_without_a_previous_final() -> None:
    assert score_region(RegionInput("51.03", REGULER, BADUNG)).improvement is None


def test_no_change_is_an_improvement_of_plain_zero() -> None:
    result = score_region(RegionInput("51.03", REGULER, BADUNG, previous_final=Decimal("3.08")))

    assert str(result.improvement) == "0.00"


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({**REGULER, "outcome": Decimal("0.20")}, "weights must sum to exactly 1, they sum to 0.90"),
        ({**REGULER, "collaboration": Decimal("0.10")}, "weights must sum to exactly 1, they sum to 1.10"),
        (
            {**REGULER, "outcome": Decimal("0.40"), "baseline": Decimal(0)},
            "weight of baseline must be positive",
        ),
        (
            {**REGULER, "outcome": Decimal("0.50"), "baseline": Decimal("-0.10")},
            "weight of baseline must be positive, got -0.10",
        ),
        ({**REGULER, "outcome": 0.3}, "weight of outcome must be a decimal.Decimal, got float"),
        ({**REGULER, "outcome": Decimal("NaN")}, "weight of outcome must be a finite number"),
        ({}, "weights must be a non-empty mapping"),
    ],
)
def test_invalid_weights_are_rejected(weights: dict[str, Decimal], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"region 51.03: {message}")):
        RegionInput("51.03", weights, ())


def test_dimension_outside_the_track_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("dimension 'collaboration' has no weight in this track")):
        RegionInput("51.03", REGULER, _published(collaboration="3"))


def test_duplicate_dimension_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("dimension 'impact' is given twice")):
        RegionInput("51.03", REGULER, _published(impact="3") + _published(impact="2"))


def test_duplicate_question_in_a_dimension_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("question 50 is given twice")):
        RegionInput("51.03", REGULER, (DimensionInput("impact", (QuestionInput(50), QuestionInput(50))),))


def test_float_previous_final_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("previous final must be a decimal.Decimal, got float")):
        RegionInput("51.03", REGULER, BADUNG, previous_final=2.97)  # type: ignore[arg-type]


def test_empty_region_key_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("region key")):
        RegionInput("", REGULER, BADUNG)


def test_region_input_keeps_its_own_copy_of_the_weights() -> None:
    weights = dict(REGULER)
    region = RegionInput("51.03", weights, BADUNG)

    weights["outcome"] = Decimal("0.90")

    assert region.weights["outcome"] == Decimal("0.30")


def test_inputs_and_results_survive_pickling() -> None:
    region = RegionInput("51.03", REGULER, BADUNG, previous_final=Decimal("2.97"))
    result = score_region(region)

    assert pickle.loads(pickle.dumps(region)) == region
    assert pickle.loads(pickle.dumps(result)) == result
