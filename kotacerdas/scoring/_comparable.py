"""Like-for-like improvement (rule 8): the change over the questions both cycles asked.

Per dimension, the mean over the current questions that have a counterpart in the previous cycle, and the
mean over those counterparts' scores in the previous cycle; a dimension without questions (Program
Kolaborasi) takes its dimension score in each cycle. Each cycle's comparable final is Σ current track
weight × that mean, and the comparable improvement is the difference of the two finals. Every step is
rounded half-up to two decimals (rule 6), in integer arithmetic like the rest of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ._engine import _places, _units
from ._rounding import ROUNDING_PLACES, require_decimal, round_ratio_half_up


@dataclass(frozen=True, slots=True)
class ComparableDimension:
    """One weighted dimension of a region in both cycles.

    ``pairs`` holds, for each current question with a counterpart, (its score now, the counterpart's
    score in the previous cycle), both already rounded question scores. ``has_questions`` tells a
    dimension answered by questions from one scored as a whole; the latter uses ``current`` and
    ``previous`` (its dimension scores; None when absent, contributing 0).
    """

    code: str
    weight: Decimal
    has_questions: bool
    pairs: tuple[tuple[Decimal, Decimal], ...] = ()
    current: Decimal | None = None
    previous: Decimal | None = None
    not_comparable: tuple[int, ...] = ()  # current question numbers without a counterpart

    def __post_init__(self) -> None:
        require_decimal(self.weight, f"dimension {self.code}: weight")
        for now, before in self.pairs:
            require_decimal(now, f"dimension {self.code}: current score")
            require_decimal(before, f"dimension {self.code}: previous score")


@dataclass(frozen=True, slots=True)
class ComparableResult:
    """Both cycles' comparable finals, their difference, and per dimension the two means used."""

    current_final: Decimal
    previous_final: Decimal
    improvement: Decimal
    means: tuple[tuple[str, Decimal | None, Decimal | None], ...]  # (code, now, before); None: not compared


def _mean(values: list[Decimal]) -> Decimal:
    hundredths = sum(_units(v, ROUNDING_PLACES) for v in values)
    return round_ratio_half_up(hundredths, len(values) * 10**ROUNDING_PLACES)


def _final(weighted: list[tuple[Decimal, Decimal]]) -> Decimal:
    places = max((_places(w) for w, _ in weighted), default=0)
    total = sum(_units(w, places) * _units(v, ROUNDING_PLACES) for w, v in weighted)
    return round_ratio_half_up(total, 10 ** (places + ROUNDING_PLACES))


def comparable_improvement(dimensions: tuple[ComparableDimension, ...]) -> ComparableResult:
    """Rule 8 over a region's weighted dimensions. A dimension whose questions have no counterpart at all
    is not compared (it contributes 0 to both finals)."""
    now: list[tuple[Decimal, Decimal]] = []
    before: list[tuple[Decimal, Decimal]] = []
    means: list[tuple[str, Decimal | None, Decimal | None]] = []
    zero = Decimal("0.00")
    for d in dimensions:
        if d.has_questions:
            if not d.pairs:
                means.append((d.code, None, None))
                continue
            current = _mean([p[0] for p in d.pairs])
            previous = _mean([p[1] for p in d.pairs])
        else:
            current = zero if d.current is None else round_ratio_half_up(*_ratio(d.current))
            previous = zero if d.previous is None else round_ratio_half_up(*_ratio(d.previous))
        means.append((d.code, current, previous))
        now.append((d.weight, current))
        before.append((d.weight, previous))
    current_final, previous_final = _final(now), _final(before)
    difference = _units(current_final, ROUNDING_PLACES) - _units(previous_final, ROUNDING_PLACES)
    improvement = round_ratio_half_up(difference, 10**ROUNDING_PLACES)
    return ComparableResult(current_final, previous_final, improvement, tuple(means))


def _ratio(value: Decimal) -> tuple[int, int]:
    numerator, denominator = require_decimal(value, "score").as_integer_ratio()
    return numerator, denominator
