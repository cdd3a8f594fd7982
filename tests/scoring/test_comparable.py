"""Rule 8: like-for-like improvement, over the questions both cycles asked."""

from decimal import Decimal

import pytest

from kotacerdas.scoring import ComparableDimension, comparable_improvement

D = Decimal


def test_means_over_counterparts_then_weighted_finals_then_their_difference() -> None:
    result = comparable_improvement(
        (
            # 3 questions, 2 with counterparts: now (3.00 + 2.50)/2 = 2.75, before (2.00 + 2.25)/2 → 2.13
            ComparableDimension(
                "baseline",
                D("0.10"),
                True,
                ((D("3.00"), D("2.00")), (D("2.50"), D("2.25"))),
                not_comparable=(3,),
            ),
            ComparableDimension("output", D("0.20"), True, ((D("4.00"), D("3.00")),)),
            # no questions: the dimension scores of both cycles
            ComparableDimension("collaboration", D("0.10"), False, current=D("3.40"), previous=D("2.90")),
            # every question new: not compared, 0 in both finals
            ComparableDimension("outcome", D("0.20"), True, ()),
        )
    )
    assert result.means == (
        ("baseline", D("2.75"), D("2.13")),
        ("output", D("4.00"), D("3.00")),
        ("collaboration", D("3.40"), D("2.90")),
        ("outcome", None, None),
    )
    # now 0.10 × 2.75 + 0.20 × 4.00 + 0.10 × 3.40 = 1.415 → 1.42; before 0.213 + 0.60 + 0.29 = 1.103 → 1.10
    assert (result.current_final, result.previous_final, result.improvement) == (
        D("1.42"),
        D("1.10"),
        D("0.32"),
    )


def test_each_step_rounds_half_up_before_the_next() -> None:
    # (2.00 + 2.01)/2 = 2.005 → 2.01 (not 2.00); 1 × 2.01 − 1 × 2.00 = 0.01
    result = comparable_improvement(
        (ComparableDimension("a", D("1"), True, ((D("2.00"), D("2.00")), (D("2.01"), D("2.00")))),)
    )
    assert (result.current_final, result.previous_final, result.improvement) == (
        D("2.01"),
        D("2.00"),
        D("0.01"),
    )


def test_an_absent_dimension_score_counts_as_zero_and_a_fall_is_negative() -> None:
    result = comparable_improvement(
        (ComparableDimension("collaboration", D("0.5"), False, current=None, previous=D("3.00")),)
    )
    assert (result.current_final, result.previous_final, result.improvement) == (
        D("0.00"),
        D("1.50"),
        D("-1.50"),
    )


def test_floats_are_refused() -> None:
    with pytest.raises(ValueError, match="decimal"):
        ComparableDimension("a", 0.1, True)  # type: ignore[arg-type]
