"""The shared exporter shape: tables as data, CSV/XLSX/JSON renderers, and the results table's columns
taken from the cycle's instrument."""

import ast
import csv
import io
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from kotacerdas.core import exporters
from kotacerdas.core.actors import CLI
from kotacerdas.core.exporters import (
    Column,
    PageSetup,
    Table,
    Workbook,
    iter_csv,
    records,
    render_csv,
    render_xlsx,
)
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.instrument.models import Dimension
from kotacerdas.results.models import PublishedScore
from kotacerdas.results.services import publish_results, recompute_results
from kotacerdas.results.table import current_result_set, results_table


def _two(value: object) -> str:
    return f"{value:.2f}"


COLUMNS = [
    Column("code", "Kode", width=9),
    Column("name", "Nama", width=30, note="Nama resmi"),
    Column("score", "Nilai", text=_two, width=8, number_format="0.00"),
    Column("rank", "Peringkat"),
]
ROWS: list[Sequence[Any] | Mapping[str, Any]] = [
    ("51.03", "KAB. BADUNG", Decimal("3.5"), 1),
    {"code": "32.73", "name": 'KOTA "BANDUNG", JABAR', "score": None, "rank": 2},  # quoted, by key
    ("11.01", "line\nbreak; semicolon", Decimal("2.346"), None),
]


def _table(**kwargs: Any) -> Table:
    return Table(name="contoh", title="Contoh", columns=COLUMNS, rows=ROWS, **kwargs)


def test_csv_round_trips_through_the_csv_module() -> None:
    filename, content_type, content = render_csv(_table())
    assert (filename, content_type) == ("contoh.csv", "text/csv; charset=utf-8")
    assert not content.startswith(b"\xef\xbb\xbf")  # no byte-order mark
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert rows == [
        ["Kode", "Nama", "Nilai", "Peringkat"],
        ["51.03", "KAB. BADUNG", "3.50", "1"],
        ["32.73", 'KOTA "BANDUNG", JABAR', "", "2"],
        ["11.01", "line\nbreak; semicolon", "2.35", ""],
    ]


def test_csv_header_can_be_the_keys_and_the_delimiter_changed() -> None:
    content = render_csv(_table(header="key"), delimiter=";").content.decode()
    assert content.splitlines()[0] == "code;name;score;rank"
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[3] == ["11.01", "line\nbreak; semicolon", "2.35", ""]


def test_csv_streams_in_chunks_that_add_up_to_the_file() -> None:
    many = [(f"{i:02d}", f"R{i}", Decimal(i), i) for i in range(7)]
    chunks = list(iter_csv(Table(name="t", columns=COLUMNS, rows=iter(many)), chunk_rows=3))
    assert len(chunks) == 3  # rows 1-3 with the header, 4-6, 7
    table = Table(name="t", columns=COLUMNS, rows=many)
    assert "".join(chunks).encode() == render_csv(table).content
    assert len("".join(chunks).splitlines()) == 8


def test_records_apply_the_column_text_and_keep_none() -> None:
    assert list(records(_table()))[:2] == [
        {"code": "51.03", "name": "KAB. BADUNG", "score": "3.50", "rank": 1},
        {"code": "32.73", "name": 'KOTA "BANDUNG", JABAR', "score": None, "rank": 2},
    ]


def test_xlsx_has_typed_cells_styled_header_formats_widths_and_notes() -> None:
    book = Workbook(
        name="buku",
        title="Buku contoh",
        creator="Kota Cerdas",
        sheets=[
            _table(frozen="B2", header_height=30),
            Table(name="dua", title="Kedua", columns=[Column("x")], rows=[(1,)]),
        ],
    )
    filename, content_type, content = render_xlsx(book)
    assert filename == "buku.xlsx"
    assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Contoh", "Kedua"]
    assert (workbook.properties.title, workbook.properties.creator) == ("Buku contoh", "Kota Cerdas")
    sheet = workbook["Contoh"]
    assert [c.value for c in sheet[1]] == ["Kode", "Nama", "Nilai", "Peringkat"]
    assert all(c.font.bold and c.fill.fgColor.rgb == "001F4E79" for c in sheet[1])
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        ("51.03", "KAB. BADUNG", 3.5, 1),
        ("32.73", 'KOTA "BANDUNG", JABAR', None, 2),
        ("11.01", "line\nbreak; semicolon", 2.346, None),  # the number itself; the format shows 2.35
    ]
    assert isinstance(sheet["C2"].value, float) and sheet["C2"].number_format == "0.00"
    assert sheet["D2"].number_format == "General"
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (9, 30)
    assert sheet["B1"].comment.text == "Nama resmi"
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == "A1:D4"
    assert sheet.row_dimensions[1].height == 30
    assert workbook["Kedua"]["A1"].value == "x"  # no label: the key heads the column


def test_a_single_table_renders_as_a_one_sheet_workbook() -> None:
    filename, _, content = render_xlsx(_table())
    workbook = load_workbook(io.BytesIO(content))
    assert filename == "contoh.xlsx" and workbook.sheetnames == ["Contoh"]
    assert workbook["Contoh"].freeze_panes == "A2"


def test_print_settings_are_written_with_the_sheets_and_a_tables_own_wins() -> None:
    landscape = PageSetup(
        orientation="landscape",
        fit_to_width=True,
        repeat_header=True,
        grid_lines=True,
        margins=(0.4, 0.4, 0.6, 0.6),
        header_left="Buku contoh",
        header_right="&A",
        footer_right="Halaman &P dari &N",
    )
    book = Workbook(
        name="buku",
        title="Buku contoh",
        page_setup=landscape,
        sheets=[
            _table(),
            Table(name="dua", title="Kedua", columns=[Column("x")], rows=[(1,)], page_setup=PageSetup()),
        ],
    )
    workbook = load_workbook(io.BytesIO(render_xlsx(book).content))
    sheet = workbook["Contoh"]
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$1" and sheet.print_options.gridLines
    assert (sheet.page_margins.left, sheet.page_margins.top) == (0.4, 0.6)
    assert sheet.oddHeader.left.text == "Buku contoh" and sheet.oddHeader.right.text == "&A"
    assert sheet.oddFooter.right.text == "Halaman &P dari &N"
    # The table's own setup (portrait, nothing repeated) overrides the workbook's.
    second = workbook["Kedua"]
    assert second.page_setup.orientation == "portrait" and second.print_title_rows is None
    # Without a setup, a sheet keeps Excel's defaults.
    plain = load_workbook(io.BytesIO(render_xlsx(_table()).content))["Contoh"]
    assert plain.page_setup.orientation is None and plain.print_title_rows is None


def test_a_table_refuses_repeated_keys_and_rows_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="repeat"):
        Table(name="t", columns=[Column("a"), Column("a")], rows=[])
    with pytest.raises(ValueError, match="2 values for 4 columns"):
        render_csv(Table(name="t", columns=COLUMNS, rows=[("a", "b")]))


def test_exporters_import_no_kotacerdas_app() -> None:
    tree = ast.parse(Path(exporters.__file__).read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in modules if m.split(".")[0] == "kotacerdas"}


# --- the results table takes its dimensions from the cycle's instrument ------------------------------


@pytest.fixture
def renamed_cycle(make_cycle: Callable[..., Cycle]) -> Cycle:
    """A cycle whose instrument calls Baseline "readiness" (Kesiapan) and lists it last."""
    cycle = make_cycle(2032, regions=("51.03", "32.73"))
    dimensions = Dimension.objects.filter(instrument__cycle=cycle)
    dimensions.filter(code="baseline").update(code="readiness", name="Kesiapan", order=99)
    badung = Participation.objects.get(cycle=cycle, region__code="51.03")
    for code, score in [("readiness", "3.25"), ("output", "2.5")]:
        PublishedScore.objects.create(participation=badung, dimension=dimensions.get(code=code), score=score)
    recompute_results(cycle)
    publish_results(cycle, actor=CLI)  # the public API shows published revisions only
    return cycle


@pytest.mark.django_db
def test_results_table_columns_are_the_cycles_instrument_dimensions(renamed_cycle: Cycle) -> None:
    table = results_table(current_result_set(renamed_cycle, live=True))
    dimension_columns = table.columns[3:-7]
    assert [(c.key, c.label) for c in dimension_columns] == [
        ("output", "Output"),
        ("outcome", "Outcome"),
        ("impact", "Impact"),
        ("quick_wins", "Quick Wins"),
        ("collaboration", "Program Kolaborasi"),  # the KPPN IKN dimension, still a column
        ("readiness", "Kesiapan"),
    ]
    out = io.StringIO()
    call_command("results", "--year", "2032", "--live", stdout=out, stderr=io.StringIO())
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert out.getvalue().splitlines()[0] == (
        "region_code,region,track,output,outcome,impact,quick_wins,collaboration,readiness,"
        "final,improvement,rank,rank_track,rank_low,rank_high,improvement_comparable"
    )
    badung = next(r for r in rows if r["region_code"] == "51.03")
    assert (badung["readiness"], badung["output"], badung["collaboration"]) == ("3.25", "2.50", "")
    workbook = load_workbook(io.BytesIO(render_xlsx(table).content))
    assert [c.value for c in workbook["Hasil"][1]][3:9] == [c.key for c in dimension_columns]


@pytest.mark.django_db
def test_api_keeps_its_v1_fields_and_fills_them_from_the_instrument(renamed_cycle: Cycle) -> None:
    client = Client()
    badung = next(r for r in client.get("/api/v1/cycles/2032/results").json() if r["region_code"] == "51.03")
    assert badung["output"] == "2.50" and badung["baseline"] is None  # the instrument has no baseline
    assert "readiness" not in badung  # not a v1 field: the region endpoint shows it
    detail = client.get("/api/v1/cycles/2032/results/51.03").json()
    assert {d["code"]: d["score"] for d in detail["dimensions"]}["readiness"] == "3.25"
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ResultRow"]
    # v1's fields first, in their order; later fields (the rank interval) only at the end.
    assert list(schema["properties"])[:12] == [
        "region_code", "region", "track", "baseline", "output", "outcome", "impact", "quick_wins",
        "collaboration", "final", "improvement", "rank",
    ]  # fmt: skip
    assert list(schema["properties"])[12:] == ["rank_median", "rank_low", "rank_high"]
