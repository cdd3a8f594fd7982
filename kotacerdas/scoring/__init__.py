"""The scoring engine: pure Python, Decimals in and out, no Django.

It turns a region's question inputs (or imported published dimension scores) into dimension scores, a
weighted final, an improvement and a like-for-like improvement, following the rules in
docs/methodology.md, ranks finals, and measures how robust the ranks are (``analyse_ranks``).
Callers build `RegionInput`s from whatever they store and call `score_region`, or, for many regions of
one instrument, give a `RegionScorer` each region's whole-number (sum, count) inputs (the same rules and
results, without a dataclass per question); nothing here touches a database, so every rule is tested
without one.
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
from ._robustness import (
    DEFAULT_CONCENTRATION,
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    RankInterval,
    RobustnessRegion,
    RobustnessResult,
    SurveyDimension,
    analyse_ranks,
    first_order_index,
    survey_score,
)
from ._rounding import ROUNDING_PLACES, round_half_up
from ._scorer import RegionScorer

__all__ = [
    "DEFAULT_CONCENTRATION",
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "ROUNDING_PLACES",
    "ComparableDimension",
    "ComparableResult",
    "DimensionInput",
    "DimensionResult",
    "DimensionSource",
    "QuestionInput",
    "QuestionResult",
    "QuestionSource",
    "RankInterval",
    "RegionInput",
    "RegionResult",
    "RegionScorer",
    "RobustnessRegion",
    "RobustnessResult",
    "SurveyDimension",
    "analyse_ranks",
    "comparable_improvement",
    "first_order_index",
    "rank",
    "round_half_up",
    "score_dimension",
    "score_question",
    "score_region",
    "survey_score",
]
