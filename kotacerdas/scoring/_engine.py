"""The scoring rules (CONTRACT.md, "Scoring rules"; docs/methodology.md): question → dimension → final.

Every mean and sum is computed exactly (as a Fraction) and rounded half-up to two decimals once, before
it is used in the next step (rule 6).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

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
from ._rounding import require_decimal, round_fraction_half_up, round_half_up

_ZERO = round_half_up(Decimal(0))


def score_question(q: QuestionInput) -> QuestionResult:
    """Score one question: its agreed score if recorded, else the mean of its valid raw inputs (rule 1).

    A question with neither scores 0 and is MISSING (rule 2).
    """
    if q.agreed is not None:
        return QuestionResult(q.number, round_half_up(q.agreed), QuestionSource.AGREED, q.count)
    if q.count > 0:
        mean = Fraction(q.total) / q.count
        return QuestionResult(q.number, round_fraction_half_up(mean), QuestionSource.RAW, q.count)
    return QuestionResult(q.number, _ZERO, QuestionSource.MISSING, 0)


def score_dimension(d: DimensionInput, weight: Decimal) -> DimensionResult:
    """Score one dimension with its track weight (rules 3 and 4).

    From raw input when any question has a valid raw input or an agreed score: the mean of all its
    questions' rounded scores, missing ones counting as 0. Otherwise the published score if given;
    otherwise ABSENT (score None).
    """
    require_decimal(weight, f"dimension {d.code}: weight")
    if d.has_raw_input:
        questions = tuple(sorted((score_question(q) for q in d.questions), key=lambda r: r.number))
        mean = sum((Fraction(r.score) for r in questions), Fraction(0)) / len(questions)
        return DimensionResult(d.code, weight, round_fraction_half_up(mean), DimensionSource.RAW, questions)
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
    weighted = sum(
        (Fraction(d.weight) * Fraction(d.score) for d in dimensions if d.score is not None), Fraction(0)
    )
    final = round_fraction_half_up(weighted)
    improvement = None
    if region.previous_final is not None:
        improvement = round_fraction_half_up(Fraction(final) - Fraction(region.previous_final))
    return RegionResult(region.key, dimensions, final, improvement)


def _absent(code: str, weight: Decimal) -> DimensionResult:
    return DimensionResult(code, weight, None, DimensionSource.ABSENT, ())
