"""Many regions of one instrument, scored from whole-number inputs: ``score_region``'s rules, for bulk work.

A national recompute scores ~500 regions × 115 questions. ``score_region`` takes one validated Decimal
dataclass per question, per dimension and per region. A ``RegionScorer`` validates an instrument's shape
once (each track's weights, each dimension's question numbers) and then takes a region's raw inputs as
whole-number (sum, count) pairs by question number, so that scoring a region is mostly dictionary
look-ups and integer sums. Each distinct question input is scored once, by the same code as
``score_question``, and its result is shared.

The results are the very ``RegionResult``s ``score_region`` returns for the equivalent ``RegionInput``
(every weighted dimension given with all its questions, a question without a pair counting as missing);
tests/scoring/test_scorer.py checks that on random instruments and inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from ._engine import _places, _scored, _units
from ._model import (
    DimensionResult,
    DimensionSource,
    QuestionInput,
    QuestionResult,
    RegionResult,
    check_weights,
)
from ._rounding import ROUNDING_PLACES, decimal_of_units, ratio_units_half_up, require_decimal, round_half_up

# (question number, sum, count) → the question's result and its score in hundredths. Shared by every
# scorer (a result depends on nothing else); emptied when it grows past _MAX_SHARED entries. A pair is
# checked when its entry is made; one equal to a checked pair (an integral float, say) has its result.
# An entry: the question's result, its score in hundredths, whether it has input.
_Entry = tuple[QuestionResult, int, bool]
_SHARED: dict[tuple[int, int, int], _Entry] = {}
_MEANS: dict[int, Decimal] = {}
_MAX_SHARED = 1 << 16
_NONE = (0, 0)
# score_question's code without its own memo (this module keeps its results).
_score = _scored.__wrapped__

# One dimension of a track: code, weight, weight in units of 10^-places, its question numbers ascending.
_Plan = tuple[str, Decimal, int, tuple[int, ...]]


class RegionScorer:
    """Scores regions of one instrument: ``weights`` maps each track to its dimensions' weights (in the
    order of the results' dimensions, summing to 1), ``questions`` each dimension code to its question
    numbers (a weighted dimension without questions is scored from its published score only)."""

    __slots__ = ("_tracks",)

    def __init__(
        self, weights: Mapping[str, Mapping[str, Decimal]], questions: Mapping[str, Iterable[int]]
    ) -> None:
        numbers_of: dict[str, tuple[int, ...]] = {}
        for code, given in questions.items():
            numbers = tuple(given)
            for number in numbers:
                if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                    raise ValueError(f"dimension {code}: question numbers must be ints ≥ 1, got {number!r}")
            if len(set(numbers)) != len(numbers):
                raise ValueError(f"dimension {code}: a question number is given twice")
            numbers_of[code] = tuple(sorted(numbers))
        self._tracks: dict[str, tuple[tuple[_Plan, ...], int]] = {}
        for track, track_weights in weights.items():
            check_weights(track_weights, f"track {track}")
            places = max(_places(weight) for weight in track_weights.values())
            plan = tuple(
                (code, weight, _units(weight, places), numbers_of.get(code, ()))
                for code, weight in track_weights.items()
            )
            # Σ weight × score is an integer in units of 10^-(places + 2).
            self._tracks[track] = (plan, 10 ** (places + ROUNDING_PLACES))

    def score(
        self,
        key: str,
        track: str,
        raw: Mapping[int, tuple[int, int]],
        *,
        agreed: Mapping[int, Decimal] | None = None,
        published: Mapping[str, Decimal] | None = None,
        previous_final: Decimal | None = None,
    ) -> RegionResult:
        """Score one region on ``track``: ``raw`` maps question numbers to the (sum, count) of their valid
        raw inputs (a question without a pair, or with count 0, has none), ``agreed`` question numbers to
        agreed scores, ``published`` dimension codes to imported published scores. Entries for questions
        or dimensions the track does not weigh are ignored."""
        if not isinstance(key, str) or not key:
            raise ValueError(f"region key must be a non-empty str, got {key!r}")
        try:
            plan, scale = self._tracks[track]
        except KeyError:
            raise ValueError(f"region {key}: track {track!r} has no weights") from None
        if previous_final is not None:
            require_decimal(previous_final, f"region {key}: previous final")
        dimensions = []
        weighted = 0
        for code, weight, weight_units, numbers in plan:
            if not numbers:
                results, hundredths, has_input = (), 0, False
            else:
                if agreed:
                    entries = [_entry(key, n, raw.get(n), agreed.get(n)) for n in numbers]
                else:
                    entries = [
                        _SHARED.get((n, *raw.get(n, _NONE))) or _entry(key, n, raw.get(n), None)
                        for n in numbers
                    ]
                # (results, hundredths, whether each has input): one transposition in C.
                results, units, inputs = zip(*entries, strict=True)
                hundredths, has_input = sum(units), any(inputs)
            given = published.get(code) if published else None
            if given is not None:
                require_decimal(given, f"region {key}: dimension {code}: published score")
            if has_input:
                mean = ratio_units_half_up(hundredths, len(numbers) * 10**ROUNDING_PLACES)
                weighted += weight_units * mean
                dimensions.append(DimensionResult(code, weight, _decimal(mean), DimensionSource.RAW, results))
            elif given is not None:
                rounded = round_half_up(given)
                weighted += weight_units * _units(rounded, ROUNDING_PLACES)
                dimensions.append(DimensionResult(code, weight, rounded, DimensionSource.PUBLISHED, ()))
            else:
                dimensions.append(DimensionResult(code, weight, None, DimensionSource.ABSENT, ()))
        final = decimal_of_units(ratio_units_half_up(weighted, scale))
        improvement = None
        if previous_final is not None:
            f_num, f_den = final.as_integer_ratio()
            p_num, p_den = previous_final.as_integer_ratio()
            improvement = decimal_of_units(ratio_units_half_up(f_num * p_den - p_num * f_den, f_den * p_den))
        return RegionResult(key, tuple(dimensions), final, improvement)


def _pair(key: str, number: int, pair: object) -> tuple[int, int]:
    """``pair`` checked: a (sum, count) of whole numbers, count ≥ 0 (the rest QuestionInput checks)."""
    if (
        not isinstance(pair, tuple)
        or len(pair) != 2
        or any(not isinstance(v, int) or isinstance(v, bool) for v in pair)
    ):
        raise ValueError(
            f"region {key}: question {number}: raw input must be a (sum, count) of ints, got {pair!r}"
        )
    return pair[0], pair[1]


def _entry(key: str, number: int, pair: object, agreed: Decimal | None) -> _Entry:
    """A question's entry: its agreed score if given, else its raw pair (absent: no input), scored by
    ``score_question``'s code; a raw one is kept in ``_SHARED``."""
    total, count = (0, 0) if pair is None else _pair(key, number, pair)
    if agreed is not None:
        result, units = _score(QuestionInput(number, Decimal(total), count, agreed))
        return result, units, True
    entry = _SHARED.get((number, total, count))
    if entry is None:
        result, units = _score(QuestionInput(number, Decimal(total), count))
        entry = (result, units, count > 0)
        if len(_SHARED) >= _MAX_SHARED:
            _SHARED.clear()
        _SHARED[number, total, count] = entry
    return entry


def _decimal(units: int) -> Decimal:
    """``decimal_of_units``, kept: dimension means take few distinct values."""
    value = _MEANS.get(units)
    if value is None:
        if len(_MEANS) >= _MAX_SHARED:
            _MEANS.clear()
        value = _MEANS[units] = decimal_of_units(units)
    return value
