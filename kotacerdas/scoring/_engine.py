"""The scoring rules (CONTRACT.md, "Scoring rules"; docs/methodology.md): question → dimension → final.

Every mean and sum is computed exactly (as a ratio of integers) and rounded half-up to two decimals once,
before it is used in the next step (rule 6).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from ._model import (
    DimensionInput,
    DimensionResult,
    DimensionSource,
    QuestionInput,
    QuestionResult,
    QuestionSource,
    RegionInput,
    RegionResult,
)
from ._rounding import ROUNDING_PLACES, require_decimal, round_half_up, round_ratio_half_up

_ZERO = round_half_up(Decimal(0))


def score_question(q: QuestionInput) -> QuestionResult:
    """Score one question: its agreed score if recorded, else the mean of its valid raw inputs (rule 1).

    A question with neither scores 0 and is MISSING (rule 2).
    """
    return _scored(q)[0]


@lru_cache(maxsize=1 << 16)
def _scored(q: QuestionInput) -> tuple[QuestionResult, int]:
    """``score_question`` and the score in hundredths (an exact integer: scores carry two decimals).

    Kept for equal inputs (a pure function of a frozen, hashable input): a national recompute scores
    ~60,000 questions, most of them with inputs another region has too."""
    if q.agreed is not None:
        score = round_half_up(q.agreed)
        return QuestionResult(q.number, score, QuestionSource.AGREED, q.count), _units(score, ROUNDING_PLACES)
    if q.count > 0:
        numerator, denominator = q.total.as_integer_ratio()
        mean = round_ratio_half_up(numerator, denominator * q.count)
        return QuestionResult(q.number, mean, QuestionSource.RAW, q.count), _units(mean, ROUNDING_PLACES)
    return QuestionResult(q.number, _ZERO, QuestionSource.MISSING, 0), 0


def score_dimension(d: DimensionInput, weight: Decimal) -> DimensionResult:
    """Score one dimension with its track weight (rules 3 and 4).

    From raw input when any question has a valid raw input or an agreed score: the mean of all its
    questions' rounded scores, missing ones counting as 0. Otherwise the published score if given;
    otherwise ABSENT (score None).
    """
    require_decimal(weight, f"dimension {d.code}: weight")
    if d.has_raw_input:
        scored = sorted((_scored(q) for q in d.questions), key=lambda pair: pair[0].number)
        questions = tuple(result for result, _hundredths in scored)
        # Question scores carry two decimals: their sum in hundredths is an exact integer.
        hundredths = sum(units for _result, units in scored)
        mean = round_ratio_half_up(hundredths, len(questions) * 10**ROUNDING_PLACES)
        return DimensionResult(d.code, weight, mean, DimensionSource.RAW, questions)
    if d.published is not None:
        return DimensionResult(d.code, weight, round_half_up(d.published), DimensionSource.PUBLISHED, ())
    return _absent(d.code, weight)


def score_region(region: RegionInput) -> RegionResult:
    """Score a region: every weighted dimension, the final (rule 5) and the improvement (rule 7).

    The result's dimensions follow the order of `region.weights`; a weighted dimension without input
    is ABSENT and contributes 0.
    """
    given = {d.code: d for d in region.dimensions}
    dimensions = tuple(
        score_dimension(given[code], weight) if code in given else _absent(code, weight)
        for code, weight in region.weights.items()
    )
    # Σ weight × score as one exact integer: weights in units of 10^-places, scores in hundredths.
    places = max((_places(d.weight) for d in dimensions), default=0)
    weighted = sum(
        _units(d.weight, places) * _units(d.score, ROUNDING_PLACES) for d in dimensions if d.score is not None
    )
    final = round_ratio_half_up(weighted, 10 ** (places + ROUNDING_PLACES))
    improvement = None
    if region.previous_final is not None:
        f_num, f_den = final.as_integer_ratio()
        p_num, p_den = region.previous_final.as_integer_ratio()
        improvement = round_ratio_half_up(f_num * p_den - p_num * f_den, f_den * p_den)
    return RegionResult(region.key, dimensions, final, improvement)


def _places(value: Decimal) -> int:
    """How many decimal places ``value`` is written with (0 for integers)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: checked when the inputs were built
    return max(-exponent, 0)


def _units(value: Decimal, places: int) -> int:
    """``value`` in units of 10^-places, exactly (``value`` has at most ``places`` decimals)."""
    numerator, denominator = value.as_integer_ratio()
    factor: int = 10**places
    scaled, remainder = divmod(numerator * factor, denominator)
    assert remainder == 0, f"{value} has more than {places} decimals"
    return scaled


def _absent(code: str, weight: Decimal) -> DimensionResult:
    return DimensionResult(code, weight, None, DimensionSource.ABSENT, ())
