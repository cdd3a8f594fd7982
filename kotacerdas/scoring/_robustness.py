"""Rank robustness: how far a region's national rank could move under plausible changes of the inputs.

A Monte Carlo over three sources of uncertainty, each draw recomputing every final and every rank with the
engine's rules (finals rounded half-up to two decimals, equal finals sharing a rank):

- the weights: per track, a Dirichlet draw centred on the official weights, ``w ~ Dir(κ·w₀)``. With the
  default κ = 100 a weight of 0.20 has a standard deviation of 0.04 (0.10: 0.03; 0.30: 0.046);
- the citizen survey: per region a bootstrap of respondents within each smart dimension, the resampled
  answers scored as the engine scores them (question mean, then dimension mean, each rounded half-up);
- the assessors' panel: per draw one assessor of the region's panel left out (the dimension scores without
  that assessor's scores, made by the caller with the engine).

A region with only imported published dimension scores varies by the weights alone. The result per region is
the median and the 5th–95th percentile of its rank; per track and dimension a first-order sensitivity index
of the ranks to that weight (the share of the rank variance explained by the weight, Sobol's S1 estimated
from the draws by an equal-frequency partition, as SALib's ``delta`` method does).

Everything is vectorised with numpy and seeded: the same inputs and seed give the same result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

import numpy as np
import numpy.typing as npt

from ._ranking import rank
from ._rounding import require_decimal, round_half_up

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20241125
DEFAULT_CONCENTRATION = 100.0
# Survey bootstrap replicates made per region; each draw uses one of them at random. Resampling 300
# respondents afresh in each of 10,000 draws for 514 regions would cost ~60 times more for the same spread.
SURVEY_REPLICATES = 200
_CHUNK = 1_000  # draws scored at a time: bounds memory at chunk × regions × dimensions floats
_GROUP_CHUNK = 128  # survey groups resampled at a time: bounds memory at chunk × replicates × respondents
# Finals are computed in hundredths as floats; a half must round up even when the float lands a hair below.
_HALF_UP_TOLERANCE = 1e-7

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SurveyDimension:
    """The citizen survey behind one dimension's score (Impact).

    ``groups`` holds, per smart dimension, its included respondents' answers as an integer matrix
    (respondents × that smart dimension's questions), 1–4, 0 where a respondent gave no answer; a bootstrap
    resamples the rows (respondents) of each group. ``fixed`` lists the rounded scores of the dimension's
    questions that are not resampled (an agreed score, or a question without survey answers, scored 0)."""

    code: str
    groups: tuple[IntArray, ...]
    fixed: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code:
            raise ValueError(f"survey dimension code must be a non-empty str, got {self.code!r}")
        groups = tuple(np.asarray(g, dtype=np.int64) for g in self.groups)
        for i, g in enumerate(groups):
            if g.ndim != 2 or g.shape[0] == 0 or g.shape[1] == 0:
                raise ValueError(
                    f"survey {self.code}: group {i} must be a non-empty respondents × questions matrix"
                )
            if g.min() < 0:
                raise ValueError(f"survey {self.code}: group {i} has a negative answer")
        object.__setattr__(self, "groups", groups)
        object.__setattr__(
            self, "fixed", tuple(require_decimal(v, f"survey {self.code}: fixed") for v in self.fixed)
        )
        if not groups:
            raise ValueError(f"survey {self.code}: no respondents to resample")

    @property
    def questions(self) -> int:
        """How many questions the dimension has (its score is their mean)."""
        return len(self.fixed) + sum(int(g.shape[1]) for g in self.groups)


@dataclass(frozen=True, slots=True)
class RobustnessRegion:
    """One region's inputs to the analysis.

    ``scores`` are its official dimension scores (None: absent, contributes 0). ``panel`` lists, for each
    assessor of its panel in turn, the scores of the assessed dimensions with that assessor left out
    (empty: no raw assessor scores). ``survey`` is the survey behind a dimension's score, if any."""

    key: str
    track: str
    scores: Mapping[str, Decimal | None]
    panel: tuple[Mapping[str, Decimal | None], ...] = ()
    survey: SurveyDimension | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError(f"region key must be a non-empty str, got {self.key!r}")
        for code, score in self.scores.items():
            if score is not None:
                require_decimal(score, f"region {self.key}: score of {code}")
        object.__setattr__(self, "scores", dict(self.scores))
        object.__setattr__(self, "panel", tuple(dict(p) for p in self.panel))


@dataclass(frozen=True, slots=True)
class RankInterval:
    """A region's official rank, and the median and 5th–95th percentile of its rank over the draws."""

    key: str
    rank: int
    median: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class RobustnessResult:
    draws: int
    seed: int
    concentration: float | None
    intervals: tuple[RankInterval, ...]
    # track → dimension code → first-order sensitivity index of the ranks to that weight (empty when the
    # weights were not perturbed).
    sensitivity: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    survey_regions: int = 0
    panel_regions: int = 0
    survey_replicates: int = 0


def analyse_ranks(
    regions: Sequence[RobustnessRegion],
    weights: Mapping[str, Mapping[str, Decimal]],
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    concentration: float | None = DEFAULT_CONCENTRATION,
    survey_replicates: int = SURVEY_REPLICATES,
) -> RobustnessResult:
    """Run the Monte Carlo (module docstring) over ``regions`` with the official ``weights`` per track.

    ``concentration`` None keeps the official weights. The same arguments give the same result."""
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    if concentration is not None and not (math.isfinite(concentration) and concentration > 0):
        raise ValueError(f"concentration must be a positive number, got {concentration}")
    if not regions:
        return RobustnessResult(draws, seed, concentration, ())
    keys = [r.key for r in regions]
    if len(set(keys)) != len(keys):
        raise ValueError("region keys must be unique")
    tracks = sorted({r.track for r in regions})
    for track in tracks:
        if track not in weights:
            raise ValueError(f"no weights for track {track!r}")
    # Regions grouped by track, so that each track's regions are one slice of every array.
    regions = sorted(regions, key=lambda r: tracks.index(r.track))
    bounds = np.searchsorted([tracks.index(r.track) for r in regions], np.arange(len(tracks) + 1))
    codes = _dimension_codes(weights, tracks)
    column = {code: i for i, code in enumerate(codes)}
    official = np.array(
        [[float(weights[t].get(code, Decimal(0))) for code in codes] for t in tracks], dtype=np.float64
    )
    base = np.array([[_hundredths(r.scores.get(code)) for code in codes] for r in regions], dtype=np.float64)

    rng = np.random.default_rng(seed)
    drawn_weights = _weight_draws(rng, official, draws, concentration)
    panel_regions, panel_table, panel_choice = _panel_draws(rng, regions, column, base, draws)
    survey_rows, survey_col, survey_table, survey_choice = _survey_draws(
        rng, regions, column, draws, survey_replicates
    )

    # A final is linear in the scores: each panel variant's final (weights · its scores) is one matrix
    # product per track, the draw's variant is picked from those, and a resampled survey score adds
    # weight × (replicate − official score). No draws × regions × dimensions array is ever made.
    track_of = np.repeat(np.arange(len(tracks)), np.diff(bounds))
    survey_base = base[survey_rows, survey_col] if survey_rows.size else np.zeros(0)
    ranks = np.empty((draws, len(regions)), dtype=np.int32)
    for start in range(0, draws, _CHUNK):
        stop = min(start + _CHUNK, draws)
        finals = np.empty((stop - start, len(regions)))
        for t in range(len(tracks)):
            a, b = bounds[t], bounds[t + 1]
            variants = panel_table[a:b]  # regions × variants × dimensions
            per_variant = drawn_weights[start:stop, t, :] @ variants.reshape(-1, variants.shape[2]).T
            per_variant = per_variant.reshape(stop - start, b - a, variants.shape[1])
            picked = np.take_along_axis(per_variant, panel_choice[start:stop, a:b, None], axis=2)
            finals[:, a:b] = picked[..., 0]
        if survey_rows.size:
            replicate = survey_table[np.arange(survey_rows.size), survey_choice[start:stop]]
            weight = drawn_weights[start:stop][:, track_of[survey_rows], survey_col]
            finals[:, survey_rows] += weight * (replicate - survey_base)
        ranks[start:stop] = competition_ranks(np.floor(finals + 0.5 + _HALF_UP_TOLERANCE).astype(np.int64))

    low, median, high = rank_percentiles(ranks, (5, 50, 95))
    official_ranks = _official_ranks(regions, weights)
    position = {r.key: i for i, r in enumerate(regions)}
    intervals = tuple(
        RankInterval(key, official_ranks[key], int(median[i]), int(low[i]), int(high[i]))
        for key in keys
        for i in (position[key],)
    )
    sensitivity: dict[str, dict[str, float]] = {}
    if concentration is not None and draws > 1:
        y = ranks.astype(np.float32)
        mean = ranks.sum(axis=0, dtype=np.int64) / draws
        total = float(((ranks.astype(np.int64) ** 2).sum(axis=0) / draws - mean**2).sum())
        for t, track in enumerate(tracks):
            sensitivity[track] = {
                code: _first_order(drawn_weights[:, t, column[code]], y, mean, total)
                for code in codes
                if weights[track].get(code, Decimal(0)) > 0
            }
    return RobustnessResult(
        draws=draws,
        seed=seed,
        concentration=concentration,
        intervals=intervals,
        sensitivity=sensitivity,
        survey_regions=int(survey_rows.size),
        panel_regions=panel_regions,
        survey_replicates=int(survey_table.shape[1]) if survey_rows.size else 0,
    )


def competition_ranks(finals: IntArray) -> IntArray:
    """Per row of integer finals (draws × regions), each region's rank: 1 + the number of regions of that
    row with a strictly higher final (equal finals share a rank: 1, 2, 2, 4)."""
    rows, n = finals.shape
    lowest = int(finals.min()) if finals.size else 0
    span = int(finals.max()) - lowest + 1 if finals.size else 1
    shifted = finals - lowest + span * np.arange(rows, dtype=np.int64)[:, None]
    counts = np.bincount(shifted.ravel(), minlength=rows * span).reshape(rows, span)
    at_or_below = np.cumsum(counts, axis=1)
    below_or_equal = np.take_along_axis(at_or_below, finals - lowest, axis=1)
    ranks: IntArray = n - below_or_equal + 1
    return ranks


def first_order_index(x: FloatArray, y: npt.NDArray[np.integer] | FloatArray) -> float:
    """First-order sensitivity index of the outputs ``y`` (draws × outputs, or draws) to the input ``x``
    (draws): Σ Var(E[y|x]) / Σ Var(y) over the outputs, Var(E[y|x]) estimated on an equal-frequency
    partition of ``x`` (the partition and estimator of SALib's ``delta.sobol_first``, which a test compares
    it with). 0 when ``y`` does not vary."""
    y2 = np.asarray(y, dtype=np.float64)
    if y2.ndim == 1:
        y2 = y2[:, None]
    return _first_order(x, y2, y2.mean(axis=0), float(np.var(y2, axis=0).sum()))


def _first_order(x: FloatArray, y: npt.NDArray[np.floating], y_mean: FloatArray, total: float) -> float:
    n = y.shape[0]
    if n < 2 or total <= 0.0:
        return 0.0
    exponent = 2.0 / (7.0 + np.tanh((1500.0 - n) / 500.0))
    bins = int(np.round(min(int(np.ceil(n**exponent)), 48)))
    edges = np.linspace(0, n, bins + 1)
    # Ordinal ranks of x (ties by position); a cell holds the ranks r with edge_j < r ≤ edge_j+1.
    order = np.empty(n, dtype=np.int64)
    order[np.argsort(x, kind="stable")] = np.arange(1, n + 1)
    member = np.searchsorted(edges, order, side="left") - 1
    one_hot = np.zeros((bins, n), dtype=y.dtype)
    one_hot[member, np.arange(n)] = 1
    sums = (one_hot @ y).astype(np.float64)  # bins × outputs (float32 sums of ranks are exact integers)
    sizes = np.bincount(member, minlength=bins).astype(np.float64)
    used = sizes > 0
    means = sums[used] / sizes[used][:, None]
    explained = float((sizes[used][:, None] / n * (means - y_mean) ** 2).sum())
    return explained / total


def rank_percentiles(ranks: npt.NDArray[np.integer], percents: Sequence[int]) -> tuple[IntArray, ...]:
    """Per column of ``ranks`` (draws × regions, values 1…regions) the given percentiles, each the smallest
    rank whose cumulative count reaches ⌈draws × p / 100⌉ (numpy's ``inverted_cdf``, by counting)."""
    draws, n = ranks.shape
    span = n + 1
    flat = (ranks.astype(np.int64) + span * np.arange(n, dtype=np.int64)[None, :]).ravel()
    cumulative = np.cumsum(np.bincount(flat, minlength=n * span).reshape(n, span), axis=1)
    out = []
    for p in percents:
        needed = max(1, -(-draws * p // 100))
        out.append(np.argmax(cumulative >= needed, axis=1).astype(np.int64))
    return tuple(out)


def _dimension_codes(weights: Mapping[str, Mapping[str, Decimal]], tracks: list[str]) -> list[str]:
    codes: list[str] = []
    for track in tracks:
        for code, weight in weights[track].items():
            require_decimal(weight, f"weight of {code} in {track}")
            if code not in codes:
                codes.append(code)
    return codes


@cache  # scores repeat (at most 401 distinct values on the 1–4 scale); Decimal rounding is not free
def _hundredths(score: Decimal | None) -> int:
    if score is None:
        return 0
    return int(round_half_up(score) * 100)


def _official_ranks(
    regions: Sequence[RobustnessRegion], weights: Mapping[str, Mapping[str, Decimal]]
) -> dict[str, int]:
    finals = {}
    for r in regions:
        total = sum(
            (
                weight * round_half_up(score)
                for code, weight in weights[r.track].items()
                if (score := r.scores.get(code)) is not None
            ),
            Decimal(0),
        )
        finals[r.key] = round_half_up(total)
    return rank(finals)


def _weight_draws(
    rng: np.random.Generator, official: FloatArray, draws: int, concentration: float | None
) -> FloatArray:
    """draws × tracks × dimensions: per track a Dirichlet around its official weights (zero stays zero)."""
    if concentration is None:
        return np.broadcast_to(official, (draws, *official.shape))
    out = np.zeros((draws, *official.shape))
    for t in range(official.shape[0]):
        present = official[t] > 0
        gammas = rng.standard_gamma(concentration * official[t, present], size=(draws, int(present.sum())))
        out[:, t, present] = gammas / gammas.sum(axis=1, keepdims=True)
    return out


def _panel_draws(
    rng: np.random.Generator,
    regions: Sequence[RobustnessRegion],
    column: Mapping[str, int],
    base: FloatArray,
    draws: int,
) -> tuple[int, FloatArray, IntArray]:
    """How many regions have a panel; every region's score vectors (regions × variants × dimensions): for a
    region with a panel one per assessor left out (padded by repeating them), else its official scores; and
    each draw's variant (draws × regions, 0 for a region without a panel)."""
    rows = [i for i, r in enumerate(regions) if r.panel]
    widest = max((len(regions[i].panel) for i in rows), default=1)
    table = np.repeat(base[:, None, :], widest, axis=1)
    sizes = np.ones(len(regions))
    for i in rows:
        variants = regions[i].panel
        sizes[i] = len(variants)
        for v in range(widest):
            for code, score in variants[v % len(variants)].items():
                if code in column:
                    table[i, v, column[code]] = _hundredths(score)
    choice = np.zeros((draws, len(regions)), dtype=np.int64)
    if rows:
        choice[:, rows] = np.floor(rng.random((draws, len(rows))) * sizes[rows]).astype(np.int64)
    return len(rows), table, choice


def _survey_draws(
    rng: np.random.Generator,
    regions: Sequence[RobustnessRegion],
    column: Mapping[str, int],
    draws: int,
    replicates: int,
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """The regions with a survey, the column of the surveyed dimension, a pool of bootstrap replicates of that
    dimension's score in hundredths (regions × replicates) and each draw's replicate (draws × regions)."""
    rows = [i for i, r in enumerate(regions) if r.survey is not None and r.survey.code in column]
    empty = np.zeros(0, dtype=np.int64)
    if not rows:
        return empty, empty, np.zeros((0, 1)), np.zeros((draws, 0), dtype=np.int64)
    pool = max(1, min(replicates, draws))
    surveys = [regions[i].survey for i in rows]
    groups = [(k, g) for k, s in enumerate(surveys) if s is not None for g in s.groups]
    respondents = np.array([g.shape[0] for _, g in groups], dtype=np.int64)
    width = max(g.shape[1] for _, g in groups)
    deep = int(respondents.max())
    answers = np.zeros((len(groups), deep, width))
    for j, (_, g) in enumerate(groups):
        answers[j, : g.shape[0], : g.shape[1]] = g
    question = np.empty((len(groups), pool, width))
    for start in range(0, len(groups), _GROUP_CHUNK):
        stop = min(start + _GROUP_CHUNK, len(groups))
        question[start:stop] = _bootstrap_questions(rng, answers[start:stop], respondents[start:stop], pool)
    real = np.zeros((len(groups), width), dtype=bool)
    for j, (_, g) in enumerate(groups):
        real[j, : g.shape[1]] = True
    per_group = (question * real[:, None, :]).sum(axis=2)  # groups × replicates
    owner = np.array([k for k, _ in groups], dtype=np.int64)
    totals = np.zeros((len(rows), pool))
    np.add.at(totals, owner, per_group)
    fixed = np.array([sum(_hundredths(v) for v in s.fixed) if s is not None else 0 for s in surveys])
    n_questions = np.array([s.questions if s is not None else 1 for s in surveys], dtype=np.float64)
    table = np.floor((2 * (totals + fixed[:, None]) + n_questions[:, None]) / (2 * n_questions[:, None]))
    choice = rng.integers(0, pool, size=(draws, len(rows)))
    survey_col = np.array([column[s.code] for s in surveys if s is not None], dtype=np.int64)
    return np.array(rows, dtype=np.int64), survey_col, table, choice


def _bootstrap_questions(
    rng: np.random.Generator, answers: FloatArray, respondents: IntArray, pool: int
) -> FloatArray:
    """Per group (answers: groups × respondents × questions, zero-padded) ``pool`` bootstrap replicates of its
    question scores in hundredths (groups × replicates × questions): each replicate draws as many respondents
    as the group has, with replacement; a question's score is the mean of its resampled answers rounded
    half-up, exactly (integers held in floats), 0 when none answered it (rule 2)."""
    groups, deep, _ = answers.shape
    # A respondent index in [0, n) as ⌊u · n / 2¹⁶⌋ of a 16-bit uniform u: four times faster than scaling
    # floats, never out of range, and uneven by at most one part in 2¹⁶ / n (under 0.1 % for n ≤ 65).
    uniform = rng.integers(0, 1 << 16, size=(groups, pool, deep), dtype=np.uint16).astype(np.uint32)
    picks = (uniform * respondents[:, None, None].astype(np.uint32)) >> 16
    valid = np.broadcast_to(np.arange(deep)[None, None, :] < respondents[:, None, None], picks.shape)
    slot = np.arange(groups * pool, dtype=np.int64).reshape(groups, pool, 1) * deep
    times = np.bincount((slot + picks)[valid], minlength=groups * pool * deep).reshape(groups, pool, deep)
    weights = times.astype(np.float64)
    sums = np.matmul(weights, answers)
    counts = np.matmul(weights, (answers > 0).astype(np.float64))
    scores: FloatArray = np.where(
        counts > 0, np.floor((200 * sums + counts) / np.maximum(2 * counts, 1)), 0.0
    )
    return scores


def survey_score(survey: SurveyDimension) -> Decimal:
    """The dimension score the survey gives without resampling, by the engine's rules (a check that the
    survey the analysis resamples is the one behind the official score)."""
    hundredths = sum(_hundredths(v) for v in survey.fixed)
    for g in survey.groups:
        for q in range(g.shape[1]):
            answered = g[:, q][g[:, q] > 0]
            if answered.size:
                hundredths += (200 * int(answered.sum()) + answered.size) // (2 * answered.size)
    n = survey.questions
    return Decimal((2 * hundredths + n) // (2 * n)) / 100
