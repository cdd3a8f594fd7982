"""A region's public profile: its published result in plain words (how each number was made), the chart of
its dimensions against the previous cycle with a table as text alternative, and its signed report, issued
on demand from the published revision and kept (one issue per revision, not one per download)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from kotacerdas.core.actors import PUBLIC
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.dashboard.templatetags.kc import score
from kotacerdas.instrument.models import Dimension
from kotacerdas.reports import charts
from kotacerdas.reports.models import ReportKind, ReportVersion
from kotacerdas.reports.services import generate_report
from kotacerdas.results.detail import DimensionDetail, RegionDetail, region_detail
from kotacerdas.results.models import HistoricalFinal, RegionResult, ResultSet
from kotacerdas.results.table import published_result_set


@dataclass(frozen=True)
class ChartRow:
    name: str
    previous: Decimal | None
    current: Decimal | None


@dataclass(frozen=True)
class Comparison:
    year: int
    previous_year: int
    rows: list[ChartRow]
    svg: str
    only_final: bool  # the previous cycle is known by its final alone (imported history)


@dataclass
class Profile:
    detail: RegionDetail
    comparison: Comparison
    track_size: int
    regions: int
    terms: list[tuple[Decimal, Decimal]] = field(default_factory=list)  # (weight, score) of the final
    report: ReportVersion | None = None


def _previous_scores(result: RegionResult) -> tuple[Decimal | None, dict[str, Decimal]]:
    """The region's final and dimension scores of the previous cycle, as published (or, for a year the
    platform did not compute, the recorded final alone)."""
    cycle = result.participation.cycle
    region = result.participation.region
    previous_cycle = cycle.previous or Cycle.objects.filter(year=cycle.year - 1, practice=False).first()
    published = published_result_set(previous_cycle) if previous_cycle is not None else None
    if published is not None:
        row = RegionResult.objects.filter(result_set=published, participation__region=region).first()
        if row is not None:
            return row.final, {
                code: Decimal(entry["score"])
                for code, entry in row.dimensions.items()
                if entry.get("score") is not None
            }
    historical = HistoricalFinal.objects.filter(region=region, year=cycle.year - 1).first()
    if historical is not None:
        return historical.final, {}
    return result.previous_final, {}


def comparison(result: RegionResult, dimensions: list[DimensionDetail]) -> Comparison:
    year = result.participation.cycle.year
    previous_final, previous = _previous_scores(result)
    rows = [ChartRow(d.name, previous.get(d.code), d.score) for d in dimensions]
    rows.append(ChartRow(_("Nilai final"), previous_final, result.final))
    bars = []
    for row in rows:
        if row.previous is not None:
            bars.append(charts.Bar(row.name, year - 1, row.previous))
        if row.current is not None:
            bars.append(charts.Bar(row.name, year, row.current))
    spec = charts.comparison_spec(bars, years=(year - 1, year), width=560)
    # The reports' chart, in the page's language: labels in its number format, whole-number axis ticks
    # (the renderer's number locale is Indonesian), the axis title translated.
    for value in spec["data"]["values"]:
        value["label"] = score(value["score"])
    spec["encoding"]["y"]["axis"]["format"] = "d"
    spec["encoding"]["y"]["title"] = _("Nilai (skala 1–4)")
    svg = charts.render_svg(spec)
    return Comparison(year, year - 1, rows, svg, only_final=previous_final is not None and not previous)


def issued_report(result: RegionResult) -> ReportVersion | None:
    """The region's report already issued from this revision (None until someone downloads it)."""
    return (
        ReportVersion.objects.filter(
            participation=result.participation, kind=ReportKind.REGION, result_set=result.result_set
        )
        .order_by("-version")
        .first()
    )


def public_report(result: RegionResult) -> ReportVersion:
    """The region's signed report of this published revision: the one already issued, or a new one issued
    now (``reports.services.generate_report``, audited as the ``public`` system actor). The participation's
    row lock makes concurrent first downloads issue it once (on PostgreSQL; SQLite serialises writes)."""
    if result.result_set.is_live:
        raise ValueError("public reports are issued from published revisions only")
    existing = issued_report(result)
    if existing is not None:
        return existing
    with transaction.atomic():
        participation = Participation.objects.select_for_update().get(pk=result.participation_id)
        existing = issued_report(result)
        if existing is not None:
            return existing
        return generate_report(participation, actor=PUBLIC, result_set=result.result_set)


def profile(result: RegionResult, result_set: ResultSet) -> Profile:
    detail = region_detail(result)
    # The stored JSON keeps no key order on PostgreSQL (jsonb): the instrument's order is the order.
    order = dict(
        Dimension.objects.filter(instrument__cycle=result.participation.cycle).values_list("code", "order")
    )
    detail.dimensions.sort(key=lambda d: order.get(d.code, 0))
    results = RegionResult.objects.filter(result_set=result_set)
    return Profile(
        detail=detail,
        comparison=comparison(result, detail.dimensions),
        track_size=results.filter(track=result.track).count(),
        regions=results.count(),
        terms=[(d.weight, d.score or Decimal(0)) for d in detail.dimensions],
        report=issued_report(result),
    )
