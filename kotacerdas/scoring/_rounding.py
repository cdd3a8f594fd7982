"""Half-up rounding to two decimals, the one rounding every scoring step uses (rule 6)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

ROUNDING_PLACES = 2
_QUANTUM = Decimal(1).scaleb(-ROUNDING_PLACES)  # Decimal("0.01")
_SCALE = 10**ROUNDING_PLACES


def require_decimal(value: object, what: str) -> Decimal:
    """Return `value` if it is a finite Decimal; otherwise raise ValueError naming `what`.

    Floats are refused on purpose: 2.675 as a float is 2.67499999…, which rounds the wrong way.
    """
    if not isinstance(value, Decimal):
        raise ValueError(f"{what} must be a decimal.Decimal, got {type(value).__name__} {value!r}")
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number, got {value}")
    return value


def round_half_up(value: Decimal) -> Decimal:
    """Round `value` to two decimals, halves away from zero (2.345 → 2.35, 0.005 → 0.01).

    Returns a Decimal with exactly two places. Raises ValueError for NaN, infinities and non-Decimals.
    """
    require_decimal(value, "value")
    # The default context (28 digits) would raise InvalidOperation for very large values.
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, value.adjusted() + ROUNDING_PLACES + 2)
        rounded = value.quantize(_QUANTUM, rounding=ROUND_HALF_UP)
    return _without_negative_zero(rounded)


def round_ratio_half_up(numerator: int, denominator: int) -> Decimal:
    """Round the exact ratio ``numerator / denominator`` (integers, denominator > 0) to two decimals,
    halves away from zero, in integer arithmetic: exact like a Fraction, and much cheaper."""
    return decimal_of_units(ratio_units_half_up(numerator, denominator))


def ratio_units_half_up(numerator: int, denominator: int) -> int:
    """The exact ratio ``numerator / denominator`` (denominator > 0) in hundredths, rounded half away
    from zero: the integer behind :func:`round_ratio_half_up`."""
    if denominator <= 0:
        raise ValueError(f"denominator must be positive, got {denominator}")
    units: int = (2 * abs(numerator) * _SCALE + denominator) // (2 * denominator)
    return -units if numerator < 0 else units


def decimal_of_units(units: int) -> Decimal:
    """``units`` hundredths as a Decimal with exactly two places (never ``-0.00``)."""
    return _without_negative_zero(Decimal(f"{units}E-{ROUNDING_PLACES}"))


def _without_negative_zero(value: Decimal) -> Decimal:
    # -0.001 rounds to -0.00; an improvement of "-0.00" would only confuse readers.
    return value.copy_abs() if value.is_zero() else value
