"""The landing page's data for a cycle's latest published revision: key figures, the distribution of the
final index, the top and the most improved regions. Charts are Vega-Lite specifications rendered to SVG by
the reports' renderer (``reports.charts.render_svg``: the same engine as the PDFs), each with a table as
its text alternative."""

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kotacerdas.core.cache import ProcessCache
from kotacerdas.cycles.models import Cycle, Track
from kotacerdas.dashboard.templatetags.kc import score
from kotacerdas.reports import charts
from kotacerdas.results.models import ResultSet
from kotacerdas.results.table import TableRow, build_table

TOP = 10
BIN_WIDTH = Decimal("0.25")  # on the 0–4 scale: 16 bins
TRACK_COLOURS = {Track.REGULER.value: charts.CURRENT_COLOUR, Track.KPPN_IKN.value: "#d08c2b"}


@dataclass(frozen=True)
class Bin:
    low: Decimal
    high: Decimal
    counts: dict[str, int]  # track → regions whose final lies in [low, high)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Landing:
    cycle: Cycle
    result_set: ResultSet
    regions: int
    tracks: list[tuple[str, int]]
    mean: Decimal
    median: Decimal
    lowest: Decimal
    highest: Decimal
    improved: int
    with_improvement: int
    bins: list[Bin]
    distribution_svg: str
    top: list[TableRow]
    top_by_track: list[tuple[str, list[TableRow]]]
    most_improved: list[TableRow]


def _two(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def bins_of(rows: list[TableRow]) -> list[Bin]:
    """Histogram bins of width 0.25 from the lowest to the highest final, split by track."""
    if not rows:
        return []
    start = (min(r.final for r in rows) / BIN_WIDTH).to_integral_value(ROUND_FLOOR) * BIN_WIDTH
    end = max(r.final for r in rows)
    counts: Counter[tuple[Decimal, str]] = Counter()
    for row in rows:
        low = (row.final / BIN_WIDTH).to_integral_value(ROUND_FLOOR) * BIN_WIDTH
        counts[(low, row.track)] += 1
    out = []
    low = start
    while low <= end:
        out.append(Bin(low, low + BIN_WIDTH, {t: counts[(low, t)] for t in Track.values if counts[(low, t)]}))
        low += BIN_WIDTH
    return out


def distribution_spec(bins: list[Bin]) -> dict[str, Any]:
    """Stacked bars: regions per 0.25 of the final index, coloured by track."""
    values = [
        {"bin": score(b.low), "track": track, "regions": n} for b in bins for track, n in b.counts.items()
    ]
    order = [score(b.low) for b in bins]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 520,
        "height": 200,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "bin",
                "type": "ordinal",
                "sort": order,
                "scale": {"domain": order},
                "title": _("Nilai final (batas bawah kelas selebar 0,25)"),
                "axis": {"labelAngle": 0, "labelFontSize": 10},
            },
            "y": {
                "field": "regions",
                "type": "quantitative",
                "aggregate": "sum",
                "title": _("Jumlah daerah"),
                "axis": {"format": "d", "tickMinStep": 1},
            },
            "color": {
                "field": "track",
                "type": "nominal",
                "scale": {"domain": list(TRACK_COLOURS), "range": list(TRACK_COLOURS.values())},
                "legend": {"title": None, "orient": "top"},
            },
        },
        "config": {"view": {"stroke": None}, "background": "white", "axis": {"gridColor": "#e3e8ee"}},
    }


# The SVG of a revision's distribution; the key carries the revision's publication time and the language.
_SVG: ProcessCache[str] = ProcessCache("dashboard.distribution_svg", maxsize=8)


def landing(cycle: Cycle, result_set: ResultSet) -> Landing:
    rows = build_table(result_set)
    finals = [r.final for r in rows]
    bins = bins_of(rows)
    key = (result_set.pk, result_set.published_at, get_language())
    svg = _SVG.get_or_set(key, lambda: charts.render_svg(distribution_spec(bins)))
    by_track = Counter(r.track for r in rows)
    with_improvement = [r for r in rows if r.improvement is not None]
    improved = sorted(with_improvement, key=lambda r: (-r.improvement, r.rank))  # type: ignore[operator]
    return Landing(
        cycle=cycle,
        result_set=result_set,
        regions=len(rows),
        tracks=[(t, by_track[t]) for t in Track.values if by_track[t]],
        mean=_two(sum(finals, Decimal(0)) / len(finals)) if finals else Decimal(0),
        median=_two(Decimal(median(finals))) if finals else Decimal(0),
        lowest=min(finals, default=Decimal(0)),
        highest=max(finals, default=Decimal(0)),
        improved=sum(1 for r in with_improvement if r.improvement and r.improvement > 0),
        with_improvement=len(with_improvement),
        bins=bins,
        distribution_svg=svg,
        top=rows[:TOP],
        top_by_track=[(t, [r for r in rows if r.track == t][:3]) for t in Track.values if by_track[t]],
        most_improved=improved[:TOP],
    )
