"""The national results table: one builder of its rows (``build_table``, also read by the web page, the
reports and the workbook) and its export (``results_table``: the CONTRACT.md columns as a
``core.exporters.Table``, which the shared renderers turn into CSV, XLSX or JSON records).

The dimension columns are the cycle's instrument's dimensions, in their order (``dimension_columns``):
a cycle whose instrument names other dimensions exports those.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F

from kotacerdas.core.exporters import Column, Table, Workbook
from kotacerdas.cycles.models import Cycle
from kotacerdas.instrument.models import Dimension
from kotacerdas.regions.naming import RegionName
from kotacerdas.results.models import RegionResult, ResultSet
from kotacerdas.results.services import latest_published, live_result_set

# The 2024 instrument's codes, for the HTML table view alone (``dashboard.views.national_table`` and its
# template sort and head columns by them); every export reads the cycle's instrument instead.
SCORE_FORMAT = "0.00"


@dataclass(frozen=True)
class TableRow:
    region_code: str
    region: str
    province: str
    track: str
    scores: dict[str, Decimal | None]
    sources: dict[str, str]
    final: Decimal
    improvement: Decimal | None
    rank: int
    rank_track: int | None = None
    improvement_comparable: Decimal | None = None
    # The rank's 5th–95th percentile interval and median from ``robustness`` (None until it has run).
    rank_low: int | None = None
    rank_high: int | None = None
    rank_median: int | None = None


def published_result_set(cycle: Cycle) -> ResultSet | None:
    """What the public may see of a cycle: its latest published revision, or nothing (never live rows)."""
    return latest_published(cycle)


def current_result_set(cycle: Cycle, *, live: bool = False) -> ResultSet:
    """For the evaluation team and its tools (CLI, reports, workbook): the latest published revision, or the
    live results when asked or when nothing is published. Public pages use ``published_result_set``."""
    if not live:
        published = latest_published(cycle)
        if published is not None:
            return published
    return live_result_set(cycle)


def build_table(result_set: ResultSet, *, track: str = "", province: str = "") -> list[TableRow]:
    # Plain values, not four model instances per row: building those was most of the public table's time.
    query = RegionResult.objects.filter(result_set=result_set)
    if track:
        query = query.filter(track=track)
    if province:
        query = query.filter(participation__region__province__code=province)
    rows = []
    for r in query.order_by("rank", "participation__region__code").values(
        "track",
        "dimensions",
        "final",
        "improvement",
        "rank",
        "rank_track",
        "improvement_comparable",
        "rank_low",
        "rank_high",
        "rank_median",
        code=F("participation__region__code"),
        name=F("participation__region__name"),
        province_name=F("participation__region__province__name"),
    ):
        dimensions = r["dimensions"]
        rows.append(
            TableRow(
                region_code=r["code"],
                region=RegionName(code=r["code"], name=r["name"]).table_name,
                province=r["province_name"],
                track=r["track"],
                scores={
                    key: None if entry.get("score") is None else Decimal(entry["score"])
                    for key, entry in dimensions.items()
                },
                sources={key: entry.get("source", "") for key, entry in dimensions.items()},
                final=r["final"],
                improvement=r["improvement"],
                rank=r["rank"],
                rank_track=r["rank_track"],
                improvement_comparable=r["improvement_comparable"],
                rank_low=r["rank_low"],
                rank_high=r["rank_high"],
                rank_median=r["rank_median"],
            )
        )
    return rows


def two_decimals(value: object) -> str:
    """CONTRACT.md: numbers with a dot and two decimals."""
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def _score(key: str, label: str) -> Column:
    return Column(key, label, text=two_decimals, width=12, number_format=SCORE_FORMAT)


def dimension_columns(cycle: Cycle) -> list[Column]:
    """The cycle's instrument's dimensions, in order, as score columns (key: code, label: name). A track
    without a dimension (REGULER has no Program Kolaborasi) leaves its cells empty."""
    dimensions = Dimension.objects.filter(instrument__cycle=cycle).order_by("order")
    return [_score(code, name) for code, name in dimensions.values_list("code", "name")]


def table_columns(cycle: Cycle) -> list[Column]:
    """The results table's columns, in the CONTRACT.md order."""
    return [
        Column("region_code", "Kode", width=12),
        Column("region", "Kabupaten/Kota", width=30),
        Column("track", "Jalur", width=11),
        *dimension_columns(cycle),
        _score("final", "Nilai Final"),
        _score("improvement", "Tingkat Improvement"),
        Column("rank", "Peringkat", width=12),
        # Added at the end (CONTRACT.md): a program reading the table by column name keeps working.
        Column("rank_track", "Peringkat dalam jalur", width=12),
        Column("rank_low", "Peringkat P5", width=12, note="5th percentile of the rank (robustness)"),
        Column("rank_high", "Peringkat P95", width=12, note="95th percentile of the rank (robustness)"),
        _score("improvement_comparable", "Improvement sebanding"),
    ]


def _record(row: TableRow) -> dict[str, Any]:
    return {
        "region_code": row.region_code,
        "region": row.region,
        "track": row.track,
        **row.scores,
        "final": row.final,
        "improvement": row.improvement,
        "rank": row.rank,
        "rank_track": row.rank_track,
        "rank_low": row.rank_low,
        "rank_high": row.rank_high,
        "improvement_comparable": row.improvement_comparable,
    }


def results_table(result_set: ResultSet, rows: Sequence[TableRow] | None = None) -> Table:
    """The national table as an export, of ``rows`` (default: every region of the result set). Its header
    row is the column keys, which users script against; the labels are the instrument's names."""
    cycle = result_set.cycle
    return Table(
        name=f"hasil-{cycle.year}-r{result_set.revision}",
        title="Hasil",
        columns=table_columns(cycle),
        rows=[_record(row) for row in (build_table(result_set) if rows is None else rows)],
        header="key",
    )


def results_workbook(result_set: ResultSet, *, title: str) -> Workbook:
    """The national table as a one-sheet workbook with the document title ``title``."""
    table = results_table(result_set)
    return Workbook(name=table.name, title=title, sheets=[table])
