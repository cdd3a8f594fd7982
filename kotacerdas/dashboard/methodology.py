"""The methodology page's data, generated from a cycle's instrument (dimensions, elements, indicators,
questions, weights per track) so that it always describes the instrument the cycle's reports cite by version
and content hash; the rules themselves are the engine's (docs/methodology.md, ``kotacerdas/scoring/``)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min

from kotacerdas.cycles.models import Cycle, Track
from kotacerdas.instrument.models import Dimension, DimensionKind, Indicator, Instrument, Question
from kotacerdas.instrument.services import track_weights
from kotacerdas.results.models import ResultSet, RobustnessRun
from kotacerdas.survey.models import QUOTA


@dataclass(frozen=True)
class IndicatorRow:
    name: str
    questions: int
    first: int | None
    last: int | None


@dataclass(frozen=True)
class DimensionRow:
    code: str
    name: str
    name_id: str
    kind: str
    kind_label: str
    description: str
    elements: list[dict[str, str]]
    weights: list[Decimal | None]  # per track, in ``Methodology.tracks`` order
    indicators: list[IndicatorRow]
    questions: int
    first: int | None
    last: int | None


@dataclass(frozen=True)
class Methodology:
    cycle: Cycle
    instrument: Instrument
    content_hash: str
    tracks: list[str]
    dimensions: list[DimensionRow]
    questions: int
    scale_min: int
    scale_max: int
    smart_dimensions: list[tuple[str, int, int]]  # (smart dimension, sub-dimensions, questions)
    respondents_per_dimension: int
    robustness: RobustnessRun | None = None  # the latest run over the published revision
    sensitivity: list[tuple[str, Decimal]] = field(default_factory=list)  # (dimension, first-order index)


def methodology(cycle: Cycle, published: ResultSet | None = None) -> Methodology:
    """The methodology of ``cycle``; with its published revision, also how the ranks' robustness was
    analysed on it (draws, seed, and each dimension weight's first-order sensitivity index)."""
    instrument = cycle.instrument
    weights = track_weights(instrument)
    tracks = [t for t in Track.values if t in weights]
    indicators: dict[int, list[IndicatorRow]] = defaultdict(list)
    for ind in (
        Indicator.objects.filter(dimension__instrument=instrument)
        .annotate(n=Count("questions"), first=Min("questions__number"), last=Max("questions__number"))
        .order_by("dimension__order", "order")
    ):
        indicators[ind.dimension_id].append(IndicatorRow(ind.name, ind.n, ind.first, ind.last))
    dimensions = []
    for d in (
        Dimension.objects.filter(instrument=instrument)
        .annotate(n=Count("questions"), first=Min("questions__number"), last=Max("questions__number"))
        .order_by("order")
    ):
        dimensions.append(
            DimensionRow(
                code=d.code,
                name=d.name,
                name_id=d.name_id,
                kind=d.kind,
                kind_label=str(DimensionKind(d.kind).label),
                description=d.description,
                elements=[e for e in d.elements if isinstance(e, dict)],
                weights=[weights[t].get(d.code) for t in tracks],
                indicators=indicators[d.pk],
                questions=d.n,
                first=d.first,
                last=d.last,
            )
        )
    survey = Question.objects.filter(instrument=instrument, dimension__kind=DimensionKind.SURVEY)
    smart = [
        (row["smart_dimension"].replace("_", " ").title(), row["subs"], row["n"])
        for row in survey.values("smart_dimension")
        .annotate(n=Count("id"), subs=Count("sub_dimension", distinct=True))
        .order_by("smart_dimension")
    ]
    run = (
        RobustnessRun.objects.filter(result_set=published).order_by("-ran_at").first()
        if published is not None
        else None
    )
    names = {d.code: d.name for d in dimensions}
    sensitivity = [
        (names.get(code, code), Decimal(str(value)))
        for code, value in sorted((run.sensitivity if run else {}).items(), key=lambda kv: -float(kv[1]))
        if value is not None
    ]
    return Methodology(
        cycle=cycle,
        instrument=instrument,
        content_hash=instrument.content_hash,
        tracks=tracks,
        dimensions=dimensions,
        questions=Question.objects.filter(instrument=instrument).count(),
        scale_min=instrument.scale_min,
        scale_max=instrument.scale_max,
        smart_dimensions=smart,
        respondents_per_dimension=QUOTA,
        robustness=run,
        sensitivity=sensitivity,
    )
