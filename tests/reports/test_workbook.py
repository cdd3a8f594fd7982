"""The national results workbook: typed numbers, frozen headers, filters, question-level scores."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kotacerdas.cycles.models import Cycle
from kotacerdas.reports.workbook import build_workbook, render_workbook
from kotacerdas.results.models import RegionResult
from kotacerdas.results.table import current_result_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook_bytes(cycle_2024: Cycle) -> bytes:
    return render_workbook(build_workbook(current_result_set(cycle_2024)))


def test_workbook_has_a_summary_a_sheet_per_dimension_and_the_questions(workbook_bytes: bytes) -> None:
    book = load_workbook(io.BytesIO(workbook_bytes))
    assert book.sheetnames == [
        "Ringkasan",
        "Baseline",
        "Output",
        "Outcome",
        "Impact",
        "Quick Wins",
        "Program Kolaborasi",
        "Pertanyaan",
        "Keterangan",
    ]
    summary = book["Ringkasan"]
    assert summary.freeze_panes == "D2" and summary.auto_filter.ref == summary.dimensions
    assert summary.max_row == 141
    header = [c.value for c in summary[1]]
    badung = next(r for r in summary.iter_rows(min_row=2, values_only=True) if r[1] == "51.03")
    row = dict(zip(header, badung, strict=True))
    assert (
        row["Nilai Final"] == 3.08 and row["Tingkat Improvement"] == 0.11 and row["Nilai Final 2023"] == 2.97
    )
    assert row["Baseline"] == 3.56 and row["Program Kolaborasi"] is None
    assert summary.cell(row=2, column=header.index("Nilai Final") + 1).number_format == "0.00"


def test_dimension_sheets_carry_question_scores_where_they_exist(workbook_bytes: bytes) -> None:
    book = load_workbook(io.BytesIO(workbook_bytes))
    baseline = book["Baseline"]
    header = [c.value for c in baseline[1]]
    assert header == [
        "Kode",
        "Kabupaten/Kota",
        "Jalur",
        "Bobot",
        "Nilai",
        "Sumber",
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
    ]
    rows = {r[0]: r for r in baseline.iter_rows(min_row=2, values_only=True)}
    assert rows["51.03"][4] == 3.56
    assert rows["51.03"][6:] == (4.0, 3.0, 3.6, 3.8, 3.4)  # Badung's agreed question scores
    assert rows["32.73"][6:] == (None,) * 5  # Kota Bandung: only its published dimension score
    assert baseline.cell(row=1, column=7).comment.text.startswith("1. Apakah Master Plan")
    assert len(list(book["Impact"].iter_cols(min_row=1, max_row=1))) == 6 + 54
    collaboration = book["Program Kolaborasi"]
    assert collaboration.max_row - 1 == sum(
        1 for r in book["Ringkasan"].iter_rows(min_row=2, values_only=True) if r[4] == "KPPN IKN"
    )


def test_workbook_command_and_download(cycle_2024: Cycle, tmp_path: Path, client: Client) -> None:
    out = io.StringIO()
    call_command("workbook", "--year", "2024", "-o", str(tmp_path / "hasil.xlsx"), stdout=out)
    assert (tmp_path / "hasil.xlsx").stat().st_size > 10_000
    response = client.get(reverse("reports:workbook", args=[2024]))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Ringkasan"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(workbook_bytes: bytes, tmp_path: Path) -> None:
    source = tmp_path / "hasil.xlsx"
    source.write_bytes(workbook_bytes)
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = (tmp_path / "hasil.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("Peringkat,Kode,Kabupaten/Kota")
    assert "51.03,KAB. BADUNG" in text


def test_every_sheet_prints_landscape_one_page_wide_with_the_header_row_repeated(
    workbook_bytes: bytes,
) -> None:
    book = load_workbook(io.BytesIO(workbook_bytes))
    assert len(book.worksheets) == 9
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert str(setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.sheet_properties.pageSetUpPr is not None
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddFooter.right.text == "Halaman &P dari &N"
    # The print setup keeps what the sheets had: frozen header, filters, question texts as notes.
    assert book["Ringkasan"].freeze_panes == "D2"
    assert book["Baseline"].cell(row=1, column=7).comment.text.startswith("1. Apakah Master Plan")


def test_not_scored_is_a_dash_and_not_applicable_is_empty(workbook_bytes: bytes) -> None:
    book = load_workbook(io.BytesIO(workbook_bytes))
    summary = book["Ringkasan"]
    header = [c.value for c in summary[1]]
    rows = {r[2]: dict(zip(header, r, strict=True)) for r in summary.iter_rows(min_row=2, values_only=True)}
    for region in ("KAB. HUMBANG HASUNDUTAN", "KAB. KARO", "KAB. LOMBOK UTARA", "KAB. MANGGARAI TIMUR"):
        assert rows[region]["Program Kolaborasi"] == "-", region
    assert rows["KAB. BADUNG"]["Program Kolaborasi"] is None  # REGULER: not applicable
    assert rows["KAB. BANTUL"]["Program Kolaborasi"] == 3.97
    collaboration = {r[1]: r[4] for r in book["Program Kolaborasi"].iter_rows(min_row=2, values_only=True)}
    assert collaboration["KAB. KARO"] == "-" and collaboration["KAB. BANTUL"] == 3.97
    notes = {r[0]: r[1] for r in book["Keterangan"].iter_rows(min_row=2, values_only=True)}
    assert "tidak memperoleh nilai" in notes["Tanda “-”"]


def test_the_rank_interval_is_in_the_summary_once_robustness_has_run(cycle_2024: Cycle) -> None:
    result_set = current_result_set(cycle_2024)
    RegionResult.objects.filter(result_set=result_set, participation__region__code="51.03").update(
        rank_low=52, rank_high=66
    )
    book = load_workbook(io.BytesIO(render_workbook(build_workbook(result_set))))
    summary = book["Ringkasan"]
    header = [c.value for c in summary[1]]
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in summary.iter_rows(min_row=2, values_only=True)}
    assert rows["51.03"]["Rentang Peringkat"] == "52–66"
    assert rows["32.73"]["Rentang Peringkat"] is None
