"""Progress against the quota and the answers' statistics: n, mean and a 95 % confidence interval per
question, per smart dimension and for Impact as a whole. Only included responses count.

Means are rounded half-up to two decimals like every scoring step (CONTRACT.md, rule 6): a question's
mean as the engine computes it, a dimension's as the mean of its question means. The intervals are
Student-t intervals: over respondents for a question; over respondents' own mean answers for a smart
dimension (each respondent answers all of its questions); and, for Impact, the six independent samples
combined (Welch–Satterthwaite degrees of freedom).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from kotacerdas.cycles.models import Participation
from kotacerdas.scoring import round_half_up
from kotacerdas.survey.models import Channel, Review, SmartDimension, SurveyAnswer, SurveyResponse

# Two-sided 95 % quantiles of Student's t for 1–30 degrees of freedom.
# fmt: off
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042]
# fmt: on
_Z95 = 1.959964


def t95(df: float) -> float:
    """The 97.5th percentile of Student's t with ``df`` degrees of freedom (a table to 30, then the
    Cornish–Fisher expansion, within 0.001 of the exact value)."""
    if df < 1:
        return math.inf
    if df <= 30 and float(df).is_integer():
        return _T95[int(df) - 1]
    z = _Z95
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


@dataclass
class Estimate:
    n: int
    mean: Decimal | None
    low: Decimal | None = None
    high: Decimal | None = None
    distribution: dict[int, int] = field(default_factory=dict)


def _interval(values_mean: float, variance: float, n: int, df: float) -> tuple[Decimal, Decimal] | None:
    if n < 2:
        return None
    half = t95(df) * math.sqrt(variance / n)
    return (round_half_up(Decimal(str(values_mean - half))), round_half_up(Decimal(str(values_mean + half))))


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
    low, high = _interval(mean, variance, n, n - 1) or (None, None)
    return Estimate(
        n,
        round_half_up(Decimal(total) / Decimal(n)),
        low,
        high,
        distribution=dict(sorted(distribution.items())),
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
        variance, low, high = 0.0, None, None
        if n >= 2:
            centre = sum(values) / n
            variance = sum((v - centre) ** 2 for v in values) / (n - 1)
            low, high = _interval(centre, variance, n, n - 1) or (None, None)
        dimensions.append(DimensionStats(code, questions, n, mean, low, high, variance))
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
    df = se2**2 / df_den if df_den else math.inf
    half = t95(df) * math.sqrt(se2) if df != math.inf else 0.0
    centre = float(mean)
    return Estimate(
        sum(d.respondents for d in present),
        mean,
        round_half_up(Decimal(str(centre - half))),
        round_half_up(Decimal(str(centre + half))),
    )


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
