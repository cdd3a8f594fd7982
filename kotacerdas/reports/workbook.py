"""The national results as a workbook: a summary sheet, one sheet per dimension with question-level scores
where the platform holds them, the questions, and a sheet that says what the numbers are.

Builder (``build_workbook``) and renderer (``render_workbook``) are separate, as for the PDF documents. The
summary extends the national table of ``kotacerdas.results.table`` (same rows, same rounding).
"""

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kotacerdas.instrument.models import Dimension, Question
from kotacerdas.reports import formats
from kotacerdas.results.models import RegionResult, ResultSet
from kotacerdas.results.table import build_table

SOURCE_LABELS = {
    "raw": "dihitung dari nilai asesor/survei",
    "published": "hasil yang dipublikasikan (impor)",
    "absent": "tidak dinilai",
    "agreed": "nilai pertanyaan yang disepakati",
    "missing": "tanpa nilai (dihitung 0)",
}
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
SCORE_FORMAT = "0.00"


@dataclass(frozen=True)
class Sheet:
    title: str
    header: list[str]
    rows: list[list[Any]]
    widths: list[int]
    number_formats: dict[int, str]  # 1-based column → number format
    header_notes: dict[int, str]
    frozen: str = "A2"


@dataclass(frozen=True)
class WorkbookData:
    title: str
    sheets: list[Sheet]


def _num(value: str | Decimal | None) -> float | None:
    # Scores are exact two-decimal values; as floats they are what a spreadsheet computes with.
    return None if value is None else float(Decimal(value))


def build_workbook(result_set: ResultSet) -> WorkbookData:
    cycle = result_set.cycle
    instrument = cycle.instrument
    dimensions = list(Dimension.objects.filter(instrument=instrument).order_by("order"))
    questions = list(
        Question.objects.filter(instrument=instrument)
        .select_related("dimension", "indicator")
        .order_by("number")
    )
    table = build_table(result_set)
    results = {
        r.participation.region.code: r
        for r in RegionResult.objects.filter(result_set=result_set).select_related("participation__region")
    }
    year = cycle.year
    summary = Sheet(
        title="Ringkasan",
        header=[
            "Peringkat",
            "Kode",
            "Kabupaten/Kota",
            "Provinsi",
            "Jalur",
            *[d.name for d in dimensions],
            "Nilai Final",
            "Tingkat Improvement",
            f"Nilai Final {year - 1}",
        ],
        rows=[
            [
                row.rank,
                row.region_code,
                row.region,
                row.province,
                row.track,
                *[_num(row.scores.get(d.code)) for d in dimensions],
                _num(row.final),
                _num(row.improvement),
                _num(results[row.region_code].previous_final),
            ]
            for row in table
        ],
        widths=[10, 8, 28, 26, 10, *[12] * len(dimensions), 11, 13, 13],
        number_formats=dict.fromkeys(range(6, 9 + len(dimensions)), SCORE_FORMAT),
        header_notes={},
        frozen="D2",
    )
    sheets = [summary]
    by_dimension: dict[str, list[Question]] = {}
    for q in questions:
        by_dimension.setdefault(q.dimension.code, []).append(q)
    for d in dimensions:
        qs = by_dimension.get(d.code, [])
        rows = []
        for row in table:
            entry = results[row.region_code].dimensions.get(d.code)
            if entry is None:
                continue  # the region's track does not have this dimension
            scores = {q["number"]: q for q in entry.get("questions", [])}
            rows.append(
                [
                    row.region_code,
                    row.region,
                    row.track,
                    float(Decimal(entry["weight"])),
                    _num(entry.get("score")),
                    SOURCE_LABELS.get(entry.get("source", ""), entry.get("source", "")),
                    *[
                        _num(scores[q.number]["score"])
                        if q.number in scores and scores[q.number]["source"] != "missing"
                        else None
                        for q in qs
                    ],
                ]
            )
        sheets.append(
            Sheet(
                title=d.name[:31],
                header=[
                    "Kode",
                    "Kabupaten/Kota",
                    "Jalur",
                    "Bobot",
                    "Nilai",
                    "Sumber",
                    *[f"P{q.number}" for q in qs],
                ],
                rows=rows,
                widths=[8, 28, 10, 8, 8, 30, *[7] * len(qs)],
                number_formats={4: "0%", 5: SCORE_FORMAT}
                | dict.fromkeys(range(7, 7 + len(qs)), SCORE_FORMAT),
                header_notes={7 + i: f"{q.number}. {q.text}" for i, q in enumerate(qs)},
                frozen="C2",
            )
        )
    sheets.append(
        Sheet(
            title="Pertanyaan",
            header=["No", "Dimensi", "Indikator", "Sub Indikator", "Pertanyaan"],
            rows=[[q.number, q.dimension.name, q.indicator.name, q.sub_indicator, q.text] for q in questions],
            widths=[6, 14, 28, 40, 90],
            number_formats={},
            header_notes={},
        )
    )
    published = (
        formats.long_date(timezone.localtime(result_set.published_at).date())
        if result_set.published_at
        else "—"
    )
    sheets.append(
        Sheet(
            title="Keterangan",
            header=["Butir", "Keterangan"],
            rows=[
                ["Program", cycle.programme],
                ["Tahun", year],
                ["Tahap", cycle.stage],
                ["Revisi hasil", result_set.revision],
                ["Dipublikasikan", published],
                ["Alasan publikasi", result_set.reason],
                ["Dibuat", formats.long_date(timezone.localdate())],
                [
                    "Skala",
                    "Setiap pertanyaan dinilai 1–4; nilai dibulatkan ke dua desimal di setiap langkah.",
                ],
                ["Nilai final", "Jumlah nilai dimensi × bobot jalur; dimensi tanpa nilai dihitung 0."],
                ["Tingkat Improvement", f"Nilai final {year} dikurangi nilai final {year - 1}."],
                ["P1, P2, …", "Nilai per pertanyaan, bila tercatat di platform; kosong bila tidak tersedia."],
                *[[f"Sumber “{key}”", label] for key, label in SOURCE_LABELS.items()],
            ],
            widths=[28, 100],
            number_formats={},
            header_notes={},
        )
    )
    title = f"Hasil Evaluasi {cycle.programme} {cycle.stage} Tahun {year} (revisi {result_set.revision})"
    return WorkbookData(title=title, sheets=sheets)


def render_workbook(data: WorkbookData) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for sheet in data.sheets:
        _write_sheet(workbook.create_sheet(sheet.title), sheet)
    workbook.properties.title = data.title
    workbook.properties.creator = "Kota Cerdas"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    ws.append(sheet.header)
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, note in sheet.header_notes.items():
        ws.cell(row=1, column=column).comment = Comment(note, "Kota Cerdas", width=320, height=120)
    for row in sheet.rows:
        ws.append(row)
    for index, number_format in sheet.number_formats.items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = number_format
    for column, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = sheet.frozen
    ws.auto_filter.ref = ws.dimensions
