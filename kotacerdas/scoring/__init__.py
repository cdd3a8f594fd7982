"""The scoring engine: pure Python, Decimals in and out, no Django.

It turns a region's question inputs (or imported published dimension scores) into dimension scores, a
weighted final, an improvement and a like-for-like improvement, following the rules in
docs/methodology.md, and ranks finals.
Callers build `RegionInput`s from whatever they store and call `score_region`; nothing here touches a
database, so every rule is tested without one.
"""

from ._comparable import ComparableDimension, ComparableResult, comparable_improvement
from ._engine import score_dimension, score_question, score_region
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
from ._ranking import rank
from ._rounding import ROUNDING_PLACES, round_half_up

__all__ = [
    "ROUNDING_PLACES",
    "ComparableDimension",
    "ComparableResult",
    "DimensionInput",
    "DimensionResult",
    "DimensionSource",
    "QuestionInput",
    "QuestionResult",
    "QuestionSource",
    "RegionInput",
    "RegionResult",
    "comparable_improvement",
    "rank",
    "round_half_up",
    "score_dimension",
    "score_question",
    "score_region",
]
