"""Progress against the quota and the answers' statistics: n, mean and a 95 % confidence interval per
question, per smart dimension and for Impact as a whole. Only included responses count.

Means are rounded half-up to two decimals like every scoring step (CONTRACT.md, rule 6): a question's
mean as the engine computes it, a dimension's as the mean of its question means. The intervals are
Student-t intervals: over respondents for a question; over respondents' own mean answers for a smart
dimension (each respondent answers all of its questions); and, for Impact, the six independent samples
combined (Welch–Satterthwaite degrees of freedom, fractional: the t quantile is exact at any df). An
interval that leaves the 1–4 scale is cut back to it and marked ``clipped``.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from kotacerdas.cycles.models import Participation
from kotacerdas.scoring import round_half_up
from kotacerdas.survey.models import Channel, Review, SmartDimension, SurveyAnswer, SurveyResponse

# Answers are on a 1–4 scale: an interval reaching past it says nothing more and is cut back to it (and
# marked, so that pages can say so).
SCALE_MIN, SCALE_MAX = 1, 4


def t95(df: float) -> float:
    """The 97.5th percentile of Student's t with ``df`` degrees of freedom, exact at any positive ``df``
    (Welch's degrees of freedom are fractional): ``scipy.stats.t.ppf``. Infinite for ``df`` ≤ 0."""
    if not df > 0:
        return math.inf
    from scipy.stats import t as student_t  # here, not at import: scipy.stats takes ~1 s to import

    return float(student_t.ppf(0.975, df))


@dataclass(frozen=True)
class Interval:
    """A 95 % interval as shown (rounded half-up, within the scale) and as computed."""

    low: Decimal
    high: Decimal
    raw_low: Decimal
    raw_high: Decimal

    @property
    def clipped(self) -> bool:
        """True when the computed interval left the 1–4 scale and was cut back to it."""
        return (self.low, self.high) != (self.raw_low, self.raw_high)


def t_interval(centre: float, standard_error: float, df: float) -> Interval:
    """``centre`` ± t95(df) × ``standard_error``, rounded half-up to two decimals, cut back to the scale."""
    half = t95(df) * standard_error
    raw_low = round_half_up(Decimal(str(centre - half)))
    raw_high = round_half_up(Decimal(str(centre + half)))
    lowest, highest = Decimal(SCALE_MIN).quantize(raw_low), Decimal(SCALE_MAX).quantize(raw_low)
    return Interval(max(raw_low, lowest), min(raw_high, highest), raw_low, raw_high)


@dataclass
class Estimate:
    n: int
    mean: Decimal | None
    low: Decimal | None = None
    high: Decimal | None = None
    distribution: dict[int, int] = field(default_factory=dict)
    clipped: bool = False  # the interval left the 1–4 scale and was cut back to it


def _interval(values_mean: float, variance: float, n: int, df: float) -> Interval | None:
    if n < 2:
        return None
    return t_interval(values_mean, math.sqrt(variance / n), df)


def estimate(distribution: dict[int, int]) -> Estimate:
    """A question's n, exact mean (rounded half-up) and t interval from its answers' counts."""
    n = sum(distribution.values())
    if n == 0:
        return Estimate(0, None)
    total = sum(score * count for score, count in distribution.items())
    mean = total / n
    variance = (
        sum(count * (score - mean) ** 2 for score, count in distribution.items()) / (n - 1) if n > 1 else 0
    )
    interval = _interval(mean, variance, n, n - 1)
    return Estimate(
        n,
        round_half_up(Decimal(total) / Decimal(n)),
        interval.low if interval else None,
        interval.high if interval else None,
        distribution=dict(sorted(distribution.items())),
        clipped=bool(interval and interval.clipped),
    )


@dataclass
class DimensionStats:
    code: str
    questions: dict[int, Estimate]
    respondents: int
    mean: Decimal | None
    low: Decimal | None
    high: Decimal | None
    variance: float = 0.0  # of respondents' mean answers
    clipped: bool = False  # the interval left the 1–4 scale and was cut back to it


@dataclass
class SurveyStats:
    dimensions: list[DimensionStats]
    impact: Estimate


def survey_stats(participation: Participation) -> SurveyStats:
    answers = SurveyAnswer.objects.filter(response__participation=participation, response__included=True)
    by_question: dict[str, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for code, number, score, n in answers.values_list(
        "response__smart_dimension", "question__number", "score"
    ).annotate(n=Count("id")):
        by_question[code][number][score] = n
    per_respondent: dict[str, list[float]] = defaultdict(list)
    sums: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for code, response_id, score in answers.values_list("response__smart_dimension", "response_id", "score"):
        entry = sums[(code, response_id)]
        entry[0] += score
        entry[1] += 1
    for (code, _), (total, count) in sums.items():
        per_respondent[code].append(total / count)

    dimensions = []
    for code in SmartDimension.values:
        questions = {number: estimate(dist) for number, dist in sorted(by_question[code].items())}
        means = [q.mean for q in questions.values() if q.mean is not None]
        values = per_respondent[code]
        n = len(values)
        mean = round_half_up(sum(means, Decimal(0)) / len(means)) if means else None
        variance, interval = 0.0, None
        if n >= 2:
            centre = sum(values) / n
            variance = sum((v - centre) ** 2 for v in values) / (n - 1)
            interval = _interval(centre, variance, n, n - 1)
        dimensions.append(
            DimensionStats(
                code,
                questions,
                n,
                mean,
                interval.low if interval else None,
                interval.high if interval else None,
                variance,
                clipped=bool(interval and interval.clipped),
            )
        )
    return SurveyStats(dimensions, _impact(dimensions))


def _impact(dimensions: list[DimensionStats]) -> Estimate:
    """Impact = mean of the six smart dimensions' means; its interval combines their variances."""
    present = [d for d in dimensions if d.mean is not None]
    if not present:
        return Estimate(0, None)
    mean = round_half_up(sum((d.mean for d in present if d.mean is not None), Decimal(0)) / len(present))
    k = len(present)
    parts = [d.variance / d.respondents for d in present if d.respondents >= 2]
    if len(parts) != k:
        return Estimate(sum(d.respondents for d in present), mean)
    se2 = sum(parts) / k**2
    df_den = sum((p / k**2) ** 2 / (d.respondents - 1) for p, d in zip(parts, present, strict=True))
    respondents = sum(d.respondents for d in present)
    if not df_den:  # no variation in any smart dimension: the interval is the mean itself
        return Estimate(respondents, mean, mean, mean)
    interval = t_interval(float(mean), math.sqrt(se2), se2**2 / df_den)
    return Estimate(respondents, mean, interval.low, interval.high, clipped=interval.clipped)


@dataclass
class Progress:
    code: str
    included: int = 0  # feed the engine
    pending: int = 0  # flagged or over quota, waiting for an admin
    excluded: int = 0
    over_quota: int = 0
    paper: int = 0  # included responses that came by file (paper questionnaires or imports)
    total: int = 0


def progress(participation: Participation) -> dict[str, Progress]:
    """Per smart dimension: how many responses arrived and what became of them."""
    result = {code: Progress(code) for code in SmartDimension.values}
    rows = (
        SurveyResponse.objects.filter(participation=participation)
        .values_list("smart_dimension", "channel", "review", "included", "over_quota")
        .annotate(n=Count("id"))
    )
    for code, channel, review, included, over_quota, n in rows:
        p = result.setdefault(code, Progress(code))
        p.total += n
        if included:
            p.included += n
            if channel != Channel.ONLINE:
                p.paper += n
        elif review == Review.EXCLUDED:
            p.excluded += n
        else:
            p.pending += n
        if over_quota:
            p.over_quota += n
    return result
