"""The national results table: one builder, several renderers (CSV, JSON, XLSX, web pages)."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kotacerdas.cycles.models import Cycle
from kotacerdas.results.models import RegionResult, ResultSet
from kotacerdas.results.services import latest_published, live_result_set

DIMENSION_COLUMNS = ("baseline", "output", "outcome", "impact", "quick_wins", "collaboration")
HEADER = ("region_code", "region", "track", *DIMENSION_COLUMNS, "final", "improvement", "rank")


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

    def cells(self) -> tuple[Any, ...]:
        return (
            self.region_code,
            self.region,
            self.track,
            *(self.scores.get(code) for code in DIMENSION_COLUMNS),
            self.final,
            self.improvement,
            self.rank,
        )


def current_result_set(cycle: Cycle, *, live: bool = False) -> ResultSet:
    """The latest published revision, or the live results when asked or when nothing is published."""
    if not live:
        published = latest_published(cycle)
        if published is not None:
            return published
    return live_result_set(cycle)


def build_table(result_set: ResultSet, *, track: str = "", province: str = "") -> list[TableRow]:
    query = RegionResult.objects.filter(result_set=result_set).select_related(
        "participation__region__province"
    )
    if track:
        query = query.filter(track=track)
    if province:
        query = query.filter(participation__region__province__code=province)
    rows = []
    for r in query.order_by("rank", "participation__region__code"):
        region = r.participation.region
        rows.append(
            TableRow(
                region_code=region.code,
                region=region.table_name,
                province=region.province.name,
                track=r.track,
                scores={
                    code: None if entry.get("score") is None else Decimal(entry["score"])
                    for code, entry in r.dimensions.items()
                },
                sources={code: entry.get("source", "") for code, entry in r.dimensions.items()},
                final=r.final,
                improvement=r.improvement,
                rank=r.rank,
            )
        )
    return rows


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def render_csv(rows: list[TableRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_fmt(c) for c in row.cells()])
    return out.getvalue()


def row_json(row: TableRow) -> dict[str, Any]:
    return {
        name: (_fmt(c) or None) if isinstance(c, Decimal) or c is None else c
        for name, c in zip(HEADER, row.cells(), strict=True)
    }


def render_xlsx(rows: list[TableRow], *, title: str) -> bytes:
    """A real workbook: typed numeric cells with a two-decimal format, a frozen header and filters."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Hasil"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append([float(c) if isinstance(c, Decimal) else c for c in row.cells()])
    numeric = range(4, 4 + len(DIMENSION_COLUMNS) + 2)
    for column in numeric:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "0.00"
    widths = {1: 12, 2: 30, 3: 11}
    for column in range(1, len(HEADER) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(column, 12)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    workbook.properties.title = title
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
