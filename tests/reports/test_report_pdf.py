"""Badung's report as the seed shows it: structure, Indonesian formats, every score, the findings."""

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from kotacerdas.instrument.models import Instrument

from .conftest import IssuedReport

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)"),
]
DEMO = settings.DATA_DIR / "demo" / "2024"


def _text(path: Path, *, layout: bool = False, page: int | None = None) -> str:
    command = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        command.append("-layout")
    if page is not None:
        command += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*command, str(path), "-"], check=True, capture_output=True, text=True).stdout


def _flat(text: str) -> str:
    """One line of single spaces."""
    return " ".join(text.split())


def _squashed(text: str) -> str:
    """Without any white space: a phrase wrapped after a slash or in a table cell still matches."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def layout_text(badung_report: IssuedReport) -> str:
    return _text(badung_report.path, layout=True)


@pytest.fixture(scope="module")
def flat_text(badung_report: IssuedReport) -> str:
    return _flat(_text(badung_report.path))


def test_every_question_score_of_badung_is_printed_on_its_question_row(layout_text: str) -> None:
    with (DEMO / "badung_question_scores.csv").open(encoding="utf-8") as handle:
        scores = {int(r["question"]): float(r["score"]) for r in csv.DictReader(handle)}
    assert len(scores) == 115
    lines = layout_text.splitlines()
    for number, score in scores.items():
        printed = f"{score:.2f}".replace(".", ",")
        row = [line for line in lines if re.search(rf"(^|\s){number}\. \S", line)]
        assert row, f"question {number} not found"
        assert any(line.rstrip().endswith(printed) for line in row), (
            f"question {number}: {printed} not on its row"
        )


def test_the_five_dimension_averages_and_the_final_score_are_printed(layout_text: str) -> None:
    averages = re.findall(r"Rata-rata\s+(\d,\d\d)\s*$", layout_text, flags=re.MULTILINE)
    assert averages == ["3,56", "2,73", "3,27", "3,18", "2,80"]
    assert re.search(r"Nilai final\s+3,08", layout_text)
    assert re.search(r"KAB\. BADUNG\s+3,56\s+2,73\s+3,27\s+3,18\s+2,80\s+3,08\s+0,11\s+REGULER", layout_text)


def test_every_finding_appears_under_its_assessor(flat_text: str) -> None:
    findings = yaml.safe_load((DEMO / "badung_findings.yaml").read_text(encoding="utf-8"))
    text = _squashed(flat_text)
    kinds = [("Kekuatan", "strengths"), ("Kelemahan", "weaknesses"), ("Rekomendasi", "recommendations")]
    bounds = [text.index(_squashed(f"{title} 1. Asesor 1")) for title, _ in kinds] + [len(text)]
    for (title, key), start, end in zip(kinds, bounds, bounds[1:], strict=False):
        section = text[start:end]
        headings = [
            section.index(_squashed(f"{n}. {a['label']}, {a['institution']}"))
            for n, a in enumerate(findings["assessors"], start=1)
        ]
        assert headings == sorted(headings), f"{title}: assessors out of order"
        for assessor, begin, finish in zip(
            findings["assessors"], headings, [*headings[1:], len(section)], strict=True
        ):
            for item in assessor[key]:
                assert _squashed(item) in section[begin:finish], f"{title}, {assessor['label']}: {item[:40]}…"


def test_the_letter_states_number_date_addressees_counts_weights_signatory_and_copies(flat_text: str) -> None:
    for expected in (
        "B-1478/DJAI/AI.01.02/11/2024",
        "Jakarta, 25 November 2024",
        "Kepada Yth. (Daftar terlampir) di Tempat",
        "seratus sembilan puluh satu (191)",
        "seratus enam puluh lima (165)",
        "dua puluh enam (26)",
        "29 Oktober – 20 November 2024",
        "Baseline (bobot 10%)",
        "Outcome (bobot 30%)",
        "Program Kolaborasi (10%)",
        "Direktur Jenderal Aplikasi Informatika",
        "Tembusan Yth.: 1. Menteri Komunikasi dan Informatika",
        "Sesditjen Aplikasi Informatika, Kementerian Kominfo",
    ):
        assert expected in flat_text, expected


def test_lampiran_lists_all_191_addressees_in_two_columns(layout_text: str) -> None:
    assert "Lampiran I" in layout_text
    assert re.search(r"^\s*1\s+Bupati Badung\s+97\s+Bupati Purworejo\s*$", layout_text, flags=re.MULTILINE)
    assert re.search(r"95\s+Bupati Pulau Morotai\s+191\s+Walikota Yogyakarta", layout_text)
    assert re.search(r"^\s*96\s+Bupati Purwakarta\s*$", layout_text, flags=re.MULTILINE)


def test_cover_names_programme_year_stage_and_region(badung_report: IssuedReport) -> None:
    cover = _flat(_text(badung_report.path, page=1))
    for expected in (
        "GERAKAN MENUJU KOTA CERDAS (SMART CITY)",
        "2024",
        "TAHAP II",
        "KAB. BADUNG",
        badung_report.code,
    ):
        assert expected in cover


def test_method_table_and_chart_note_when_last_year_has_only_a_final(flat_text: str) -> None:
    assert _squashed("Kondisi awal program Kota Cerdas (Smart City) (Baseline)") in _squashed(flat_text)
    assert re.search(r"Bobot\s+Reguler", flat_text)
    assert (
        "Perbandingan Hasil Evaluasi Implementasi Kota Cerdas (Smart City) Tahun 2023 dan 2024" in flat_text
    )
    assert "Untuk tahun 2023 hanya nilai final yang tersedia (2,97;" in flat_text


def test_every_page_but_the_cover_carries_its_number_and_the_verification_code(
    badung_report: IssuedReport,
) -> None:
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(
                ["pdfinfo", str(badung_report.path)], check=True, capture_output=True, text=True
            ).stdout,
        ).group(1)
    )  # type: ignore[union-attr]
    assert pages >= 15
    for page in range(2, pages + 1):
        text = _flat(_text(badung_report.path, page=page))
        assert f"Halaman {page} dari {pages}" in text
        assert badung_report.code in text


def test_the_report_is_pdf_a_2b(badung_report: IssuedReport) -> None:
    # Typst writes the XMP identification of the PDF/A part and conformance it was asked for.
    assert b"<pdfaid:part>2</pdfaid:part>" in badung_report.data
    assert b"<pdfaid:conformance>B</pdfaid:conformance>" in badung_report.data


def test_the_method_names_the_instrument_by_version_and_content_hash(flat_text: str) -> None:
    digest = Instrument.objects.get(cycle__year=2024).content_hash
    assert f"Instrumen penilaian versi 2024.1; sidik isi (SHA-256): {digest}" in flat_text
