"""How far a region's assessors agree: Krippendorff's alpha (ordinal) with a note for readers when it is
undefined or near 0 for want of variation, each assessor's distance from the panel's consensus, and the
questions whose scores spread widely enough to need a consensus discussion."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import krippendorff
import numpy as np
from django.utils.translation import gettext as _

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
    # Why α is undefined, or why a value near 0 says little (empty when α speaks for itself); for the page.
    alpha_note: str = ""
    alpha_notes_by_dimension: dict[str, str] = field(default_factory=dict)


# Below this α a value reads as "no agreement beyond chance" (or worse); with scores that hardly vary that
# reading misleads (the expected disagreement is tiny, so one differing score outweighs it): the page says so.
NEAR_ZERO = 0.1
LITTLE_VARIATION = 0.8  # share of the pairable scores that are one and the same value


def alpha_with_note(matrix: list[list[float]]) -> tuple[float | None, str]:
    """Krippendorff's α (ordinal, 1–4) of an assessors × questions matrix (NaN: not scored), and a note for
    readers: why it is undefined (fewer than two pairable scores: no question scored by two assessors; or
    no variation among them), or why a low value reflects little variation rather than a divided panel.

    Only a question scored by at least two assessors carries pairable values; the others are left out (the
    ``krippendorff`` package refuses data without any)."""
    if len(matrix) < 2:
        return None, _("Tidak terdefinisi: perlu skor dari sedikitnya dua asesor.")
    data = np.array(matrix, dtype=float).reshape(len(matrix), -1)
    paired = data[:, np.count_nonzero(~np.isnan(data), axis=0) >= 2]
    values = paired[~np.isnan(paired)]
    if values.size < 2:
        return None, _(
            "Tidak terdefinisi: tidak ada pertanyaan yang dinilai oleh dua asesor atau lebih, sehingga tidak "
            "ada skor yang dapat dipasangkan."
        )
    counts = np.unique(values, return_counts=True)[1]
    if counts.size < 2:
        return None, _(
            "Tidak terdefinisi: semua %(n)d skor yang dapat dipasangkan sama (kesepakatan penuh), dan α "
            "tidak dapat dihitung tanpa variasi."
        ) % {"n": values.size}
    alpha = float(
        krippendorff.alpha(reliability_data=paired, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4])
    )
    share = counts.max() / values.size
    if alpha < NEAR_ZERO and share >= LITTLE_VARIATION:
        return alpha, _(
            "α rendah karena skor hampir tidak bervariasi (%(share)s%% dari %(n)d skor bernilai sama): "
            "satu atau dua skor yang berbeda sudah cukup untuk menurunkannya; lihat pertanyaan dengan "
            "sebaran skor di bawah."
        ) % {"share": round(100 * share), "n": values.size}
    return alpha, ""


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
    alpha, note = alpha_with_note(matrix(numbers))
    by_code = {code: alpha_with_note(matrix(ns)) for code, ns in by_dimension.items()}
    return Agreement(
        alpha=alpha,
        alpha_by_dimension={code: value for code, (value, _note) in by_code.items()},
        distances=distances,
        disagreements=disagreements,
        alpha_note=note,
        alpha_notes_by_dimension={code: text for code, (_value, text) in by_code.items() if text},
    )


def assignment_for(user: Any, participation: Participation) -> Assignment | None:
    return participation.assignments.filter(assessor__user=user).select_related("assessor").first()
