"""Rule 6: every value is rounded half-up to two decimals."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kotacerdas.scoring import ROUNDING_PLACES, round_half_up


def test_rounding_keeps_two_decimal_places() -> None:
    assert ROUNDING_PLACES == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("2.345", "2.35"),
        ("2.3449999", "2.34"),
        ("3.083", "3.08"),
        ("1.856", "1.86"),
        ("3.6", "3.60"),
        ("4", "4.00"),
        ("0", "0.00"),
        ("-0.07", "-0.07"),
        ("-0.005", "-0.01"),  # halves go away from zero, as ROUND_HALF_UP does
        ("-2.344", "-2.34"),
        ("123456789012345678901234567890.005", "123456789012345678901234567890.01"),
    ],
)
def test_rounds_half_up_to_two_decimals(value: str, expected: str) -> None:
    rounded = round_half_up(Decimal(value))

    assert rounded == Decimal(expected)
    assert rounded.as_tuple().exponent == -2


def test_rounding_to_zero_never_yields_negative_zero() -> None:
    rounded = round_half_up(Decimal("-0.004"))

    assert rounded == 0
    assert not rounded.is_signed()
    assert str(rounded) == "0.00"


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")]
)
def test_rounding_rejects_nan_and_infinity(value: Decimal) -> None:
    with pytest.raises(ValueError, match=re.escape("finite")):
        round_half_up(value)


@pytest.mark.parametrize("value", [2.345, 2, "2.345"])
def test_rounding_rejects_anything_but_decimal(value: object) -> None:
    with pytest.raises(ValueError, match=re.escape("Decimal")):
        round_half_up(value)  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=1, max_value=10**6))
def test_integer_ratio_rounding_equals_exact_rational_rounding(numerator: int, denominator: int) -> None:
    from fractions import Fraction

    from kotacerdas.scoring._rounding import round_ratio_half_up

    exact = Fraction(numerator, denominator) * 100
    units = int(abs(exact) + Fraction(1, 2)) * (1 if exact >= 0 else -1)
    assert round_ratio_half_up(numerator, denominator) == Decimal(units) / 100
