"""The national results as a workbook: a summary sheet, one sheet per dimension with question-level scores
where the platform holds them, the questions, and a sheet that says what the numbers are.

``build_workbook`` makes the sheets as data (a ``core.exporters.Workbook``); the shared XLSX renderer formats
them (``render_workbook``), as for the PDF documents. The summary extends the national table of
``kotacerdas.results.table`` (same rows, same rounding).
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kotacerdas.core.exporters import Column, PageSetup, Table, Workbook, render_xlsx
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
SCORE_FORMAT = "0.00"
HEADER_HEIGHT = 30
# A dimension of the region's track that was not scored, as the published tables print it; a dimension
# that its track does not have stays empty (REGULER regions and Program Kolaborasi).
NOT_SCORED = "-"


def _sheet(title: str, columns: list[Column], rows: Sequence[Sequence[Any]], frozen: str = "A2") -> Table:
    return Table(
        name=title, title=title[:31], columns=columns, rows=rows, frozen=frozen, header_height=HEADER_HEIGHT
    )


def _score(key: str, label: str, width: float, note: str = "") -> Column:
    return Column(key, label, width=width, number_format=SCORE_FORMAT, note=note)


def _num(value: str | Decimal | None) -> float | None:
    # Scores are exact two-decimal values; as floats they are what a spreadsheet computes with.
    return None if value is None else float(Decimal(value))


def _dimension_cell(scores: dict[str, Decimal | None], code: str) -> float | str | None:
    if code not in scores:
        return None
    value = scores[code]
    return NOT_SCORED if value is None else _num(value)


def _rank_interval(result: RegionResult) -> str | None:
    if result.rank_low is None or result.rank_high is None:
        return None
    return f"{result.rank_low}–{result.rank_high}"


def build_workbook(result_set: ResultSet) -> Workbook:
    """The workbook's sheets, as data; ``render_workbook`` (or any ``core.exporters`` renderer) formats it."""
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
    summary = _sheet(
        "Ringkasan",
        [
            Column("rank", "Peringkat", width=10),
            Column("region_code", "Kode", width=8),
            Column("region", "Kabupaten/Kota", width=28),
            Column("province", "Provinsi", width=26),
            Column("track", "Jalur", width=10),
            *[_score(d.code, d.name, 12) for d in dimensions],
            _score("final", "Nilai Final", 11),
            _score("improvement", "Tingkat Improvement", 13),
            _score("previous_final", f"Nilai Final {year - 1}", 13),
            Column(
                "rank_interval",
                "Rentang Peringkat",
                width=12,
                note="Persentil ke-5 sampai ke-95 peringkat nasional (kotacerdas robustness)",
            ),
        ],
        [
            [
                row.rank,
                row.region_code,
                row.region,
                row.province,
                row.track,
                *[_dimension_cell(row.scores, d.code) for d in dimensions],
                _num(row.final),
                _num(row.improvement),
                _num(results[row.region_code].previous_final),
                _rank_interval(results[row.region_code]),
            ]
            for row in table
        ],
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
                    NOT_SCORED if entry.get("score") is None else _num(entry["score"]),
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
            _sheet(
                d.name,
                [
                    Column("region_code", "Kode", width=8),
                    Column("region", "Kabupaten/Kota", width=28),
                    Column("track", "Jalur", width=10),
                    Column("weight", "Bobot", width=8, number_format="0%"),
                    _score("score", "Nilai", 8),
                    Column("source", "Sumber", width=30),
                    *[_score(f"q{q.number}", f"P{q.number}", 7, note=f"{q.number}. {q.text}") for q in qs],
                ],
                rows,
                frozen="C2",
            )
        )
    sheets.append(
        _sheet(
            "Pertanyaan",
            [
                Column("number", "No", width=6),
                Column("dimension", "Dimensi", width=14),
                Column("indicator", "Indikator", width=28),
                Column("sub_indicator", "Sub Indikator", width=40),
                Column("text", "Pertanyaan", width=90),
            ],
            [[q.number, q.dimension.name, q.indicator.name, q.sub_indicator, q.text] for q in questions],
        )
    )
    published = (
        formats.long_date(timezone.localtime(result_set.published_at).date())
        if result_set.published_at
        else "—"
    )
    sheets.append(
        _sheet(
            "Keterangan",
            [Column("item", "Butir", width=28), Column("note", "Keterangan", width=100)],
            [
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
                [
                    f"Tanda “{NOT_SCORED}”",
                    "Dimensi jalur daerah itu tidak memperoleh nilai (dihitung 0 dalam nilai final).",
                ],
                [
                    "Sel nilai kosong",
                    "Dimensi tidak berlaku bagi jalur daerah itu (mis. Program Kolaborasi "
                    "pada jalur REGULER).",
                ],
                [
                    "Rentang Peringkat",
                    "Persentil ke-5 sampai ke-95 peringkat nasional dari analisis ketahanan "
                    "(kotacerdas robustness); kosong bila analisis belum dijalankan.",
                ],
                ["P1, P2, …", "Nilai per pertanyaan, bila tercatat di platform; kosong bila tidak tersedia."],
                *[[f"Sumber “{key}”", label] for key, label in SOURCE_LABELS.items()],
            ],
        )
    )
    title = f"Hasil Evaluasi {cycle.programme} {cycle.stage} Tahun {year} (revisi {result_set.revision})"
    return Workbook(
        name=f"hasil-evaluasi-{year}",
        title=title,
        sheets=sheets,
        creator="Kota Cerdas",
        page_setup=print_setup(title),
    )


def print_setup(title: str) -> PageSetup:
    """Every sheet prints A4 landscape, fitted to the page width, with the header row on every page."""
    return PageSetup(
        orientation="landscape",
        fit_to_width=True,
        repeat_header=True,
        grid_lines=True,
        margins=(0.4, 0.4, 0.6, 0.6),
        header_left=title,
        header_right="&A",
        footer_right="Halaman &P dari &N",
    )


def render_workbook(data: Workbook) -> bytes:
    """The workbook's XLSX bytes (the shared renderer; its file name is ``hasil-evaluasi-<year>.xlsx``),
    every sheet set up to print as ``print_setup`` says, in the same pass."""
    return render_xlsx(data).content
