"""How far a region's assessors agree: Krippendorff's alpha (ordinal), each assessor's distance from the
panel's consensus, and the questions whose scores spread widely enough to need a consensus discussion."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import krippendorff
import numpy as np

from kotacerdas.cycles.models import Participation
from kotacerdas.review.models import AgreedScore, AssessorScore, Assignment
from kotacerdas.scoring import round_half_up

SPREAD_FOR_CONSENSUS = 2


@dataclass(frozen=True)
class Disagreement:
    number: int
    dimension: str
    scores: tuple[int, ...]
    spread: int
    agreed: Decimal | None


@dataclass(frozen=True)
class AssessorDistance:
    assignment_id: int
    assessor: str
    institution: str
    mean_distance: Decimal | None  # mean |own score − question mean|, over the questions scored
    scored: int


@dataclass(frozen=True)
class Agreement:
    alpha: float | None  # None when there is not enough variation or data
    alpha_by_dimension: dict[str, float | None]
    distances: list[AssessorDistance]
    disagreements: list[Disagreement]


def _alpha(matrix: list[list[float]]) -> float | None:
    data = np.array(matrix, dtype=float)
    if data.shape[0] < 2 or data.shape[1] == 0 or np.count_nonzero(~np.isnan(data)) < 2:
        return None
    values = data[~np.isnan(data)]
    if len(set(values.tolist())) < 2:
        return None  # alpha is undefined when every score is the same
    return float(
        krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4])
    )


def panel_agreement(participation: Participation, *, submitted_only: bool = False) -> Agreement:
    assignments = list(participation.assignments.select_related("assessor").order_by("position"))
    if submitted_only:
        assignments = [a for a in assignments if a.submitted_at is not None]
    scores = AssessorScore.objects.filter(assignment__in=assignments, score__isnull=False).select_related(
        "question__dimension"
    )
    by_question: dict[int, dict[int, int]] = defaultdict(dict)
    dimension_of: dict[int, str] = {}
    for s in scores:
        by_question[s.question.number][s.assignment_id] = s.score  # type: ignore[assignment]
        dimension_of[s.question.number] = s.question.dimension.code
    numbers = sorted(by_question)
    ids = [a.pk for a in assignments]

    def matrix(selected: list[int]) -> list[list[float]]:
        return [[float(by_question[n].get(i, np.nan)) for n in selected] for i in ids]

    by_dimension: dict[str, list[int]] = defaultdict(list)
    for n in numbers:
        by_dimension[dimension_of[n]].append(n)
    means: dict[int, Decimal] = {n: Decimal(sum(v.values())) / len(v) for n, v in by_question.items()}
    distances = []
    for a in assignments:
        own = [(n, by_question[n][a.pk]) for n in numbers if a.pk in by_question[n]]
        total = sum((abs(Decimal(v) - means[n]) for n, v in own), Decimal(0))
        distance = round_half_up(total / len(own)) if own else None
        distances.append(AssessorDistance(a.pk, a.assessor.name, a.assessor.institution, distance, len(own)))
    agreed = dict(
        AgreedScore.objects.filter(participation=participation).values_list("question__number", "score")
    )
    disagreements = [
        Disagreement(
            n,
            dimension_of[n],
            tuple(sorted(by_question[n].values())),
            max(by_question[n].values()) - min(by_question[n].values()),
            agreed.get(n),
        )
        for n in numbers
        if max(by_question[n].values()) - min(by_question[n].values()) >= SPREAD_FOR_CONSENSUS
    ]
    return Agreement(
        alpha=_alpha(matrix(numbers)),
        alpha_by_dimension={code: _alpha(matrix(ns)) for code, ns in by_dimension.items()},
        distances=distances,
        disagreements=disagreements,
    )


def assignment_for(user: Any, participation: Participation) -> Assignment | None:
    return participation.assignments.filter(assessor__user=user).select_related("assessor").first()
