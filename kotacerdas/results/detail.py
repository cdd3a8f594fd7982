"""A region's result traced to its inputs: dimension → question → each assessor's score or the survey's
answer distribution, with the source of every number (raw, agreed or published)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count

from kotacerdas.cycles.models import Participation
from kotacerdas.instrument.models import Dimension, Question
from kotacerdas.results.models import RegionResult
from kotacerdas.review.models import AssessorScore, Finding
from kotacerdas.survey.models import SurveyAnswer


@dataclass
class QuestionDetail:
    number: int
    indicator: str
    sub_indicator: str
    text: str
    smart_dimension: str
    score: Decimal | None
    source: str
    count: int
    assessor_scores: list[dict[str, Any]] = field(default_factory=list)
    distribution: dict[int, int] = field(default_factory=dict)


@dataclass
class DimensionDetail:
    code: str
    name: str
    weight: Decimal
    score: Decimal | None
    source: str
    questions: list[QuestionDetail]
    missing: list[int]


@dataclass
class RegionDetail:
    result: RegionResult
    dimensions: list[DimensionDetail]
    panel: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        def num(value: Decimal | None) -> str | None:
            return None if value is None else f"{value:.2f}"

        return {
            "region_code": self.result.participation.region.code,
            "region": self.result.participation.region.table_name,
            "track": self.result.track,
            "final": num(self.result.final),
            "improvement": num(self.result.improvement),
            "previous_final": num(self.result.previous_final),
            "rank": self.result.rank,
            "rank_track": self.result.rank_track,
            "improvement_comparable": num(self.result.improvement_comparable),
            "comparison": self.result.comparison,
            "dimensions": [
                {
                    "code": d.code,
                    "name": d.name,
                    "weight": str(d.weight),
                    "score": num(d.score),
                    "source": d.source,
                    "missing_questions": d.missing,
                    "questions": [
                        {
                            "number": q.number,
                            "indicator": q.indicator,
                            "sub_indicator": q.sub_indicator,
                            "text": q.text,
                            "score": num(q.score),
                            "source": q.source,
                            "n": q.count,
                            **({"assessor_scores": q.assessor_scores} if q.assessor_scores else {}),
                            **(
                                {"distribution": {str(k): v for k, v in sorted(q.distribution.items())}}
                                if q.distribution
                                else {}
                            ),
                        }
                        for q in d.questions
                    ],
                }
                for d in self.dimensions
            ],
            "assessors": self.panel,
        }


def public_inputs(participation: Participation) -> dict[str, Any]:
    """What the public may see of one region's inputs (see :func:`public_inputs_of`)."""
    return public_inputs_of([participation.pk])[participation.pk]


def public_inputs_of(participation_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Participation id → what the public may see of its inputs, read from the live tables in three queries
    whatever the number of regions: per question each submitted assessor's score (no private notes), the
    included survey answers' distribution, and each submitted assessor's findings. Frozen into published
    rows by ``publish_results``; never shown from live rows to anyone but the evaluation team."""
    scores: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    # Only submitted reviews: a draft review is the assessor's own (and scoring is blind) until submitted.
    for s in (
        AssessorScore.objects.filter(
            assignment__participation_id__in=participation_ids, assignment__submitted_at__isnull=False
        )
        .select_related("assignment__assessor", "question")
        .order_by("assignment__position", "id")
    ):
        scores[s.assignment.participation_id][str(s.question.number)].append(
            {
                "assessor": s.assignment.assessor.name,
                "institution": s.assignment.assessor.institution,
                "score": s.score,
            }
        )
    distribution: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for pid, number, score, n in (
        SurveyAnswer.objects.filter(response__participation_id__in=participation_ids, response__included=True)
        .values_list("response__participation_id", "question__number", "score")
        .annotate(n=Count("id"))
    ):
        distribution[pid][str(number)][str(score)] = n
    panels = _panels(participation_ids)
    return {
        pid: {
            "assessor_scores": dict(scores[pid]),
            "distribution": dict(distribution[pid]),
            "panel": panels.get(pid, []),
        }
        for pid in participation_ids
    }


def region_detail(result: RegionResult) -> RegionDetail:
    """The region's result with its inputs: a published row's frozen inputs, or (a live row, for the
    evaluation team only) the live ones."""
    participation = result.participation
    instrument = participation.cycle.instrument
    dimensions = {d.code: d for d in Dimension.objects.filter(instrument=instrument)}
    questions = {
        q.number: q for q in Question.objects.filter(instrument=instrument).select_related("indicator")
    }
    inputs = public_inputs(participation) if result.result_set.is_live else result.inputs
    assessor_scores: dict[str, list[dict[str, Any]]] = inputs.get("assessor_scores", {})
    distribution: dict[str, dict[str, int]] = inputs.get("distribution", {})
    details = []
    for code, entry in result.dimensions.items():
        dimension = dimensions[code]
        qs = []
        for q in entry.get("questions", []):
            question = questions[q["number"]]
            qs.append(
                QuestionDetail(
                    number=question.number,
                    indicator=question.indicator.name,
                    sub_indicator=question.sub_indicator,
                    text=question.text,
                    smart_dimension=question.smart_dimension,
                    score=Decimal(q["score"]),
                    source=q["source"],
                    count=q["count"],
                    assessor_scores=assessor_scores.get(str(question.number), []),
                    distribution={int(k): v for k, v in distribution.get(str(question.number), {}).items()},
                )
            )
        details.append(
            DimensionDetail(
                code=code,
                name=dimension.name,
                weight=Decimal(entry["weight"]),
                score=None if entry["score"] is None else Decimal(entry["score"]),
                source=entry["source"],
                questions=qs,
                missing=[q.number for q in qs if q.source == "missing"],
            )
        )
    return RegionDetail(result=result, dimensions=details, panel=list(inputs.get("panel", [])))


def _panels(participation_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per participation, each assessor's findings once the assessor has submitted the review (drafts stay
    the assessor's)."""
    panels: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for f in (
        Finding.objects.filter(
            assignment__participation_id__in=participation_ids, assignment__submitted_at__isnull=False
        )
        .select_related("assignment__assessor")
        .order_by("assignment__position", "kind", "position")
    ):
        entry = panels[f.assignment.participation_id].setdefault(
            f.assignment_id,
            {
                "assessor": f.assignment.assessor.name,
                "institution": f.assignment.assessor.institution,
                "strength": [],
                "weakness": [],
                "recommendation": [],
            },
        )
        entry[f.kind].append(f.text)
    return {pid: list(entries.values()) for pid, entries in panels.items()}
