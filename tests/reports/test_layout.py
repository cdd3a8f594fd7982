"""How the report reads as a printed document (issue 13): no question row split between pages, no heading
left at a page foot, "-" for a dimension that was not scored, foreign terms in italics, the legal note on
every attachment page, the signatory under the signature, and a PDF/A-2 file that stays PDF 1.7
when signed."""

import io
import re
import subprocess
from decimal import Decimal

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, FillingRecord
from kotacerdas.instrument.models import Question
from kotacerdas.reports import builder, charts, services
from kotacerdas.reports.models import ReportContent
from kotacerdas.results.models import RegionResult
from kotacerdas.results.table import current_result_set

from .conftest import IssuedReport
from .test_report_pdf import _text

pytestmark = pytest.mark.django_db

NOT_SCORED_REGIONS = ("KAB. HUMBANG HASUNDUTAN", "KAB. KARO", "KAB. LOMBOK UTARA", "KAB. MANGGARAI TIMUR")
LEGAL_NOTE = "UU ITE No. 11 Tahun 2008 Pasal 5 ayat 1"


def _pages(report: IssuedReport, *, raw: bool = False, layout: bool = False) -> list[str]:
    count = int(re.search(r"Pages:\s+(\d+)", _info(report)).group(1))  # type: ignore[union-attr]
    pages = []
    for page in range(1, count + 1):
        command = ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page)]
        command += ["-raw"] if raw else ["-layout"] if layout else []
        pages.append(subprocess.run([*command, str(report.path), "-"], capture_output=True, text=True).stdout)
    return pages


def _info(report: IssuedReport) -> str:
    return subprocess.run(["pdfinfo", str(report.path)], check=True, capture_output=True, text=True).stdout


def _squashed(text: str) -> str:
    return "".join(text.split())


def test_no_question_row_is_split_between_two_pages(badung_report: IssuedReport) -> None:
    # In content order (-raw) a table cell's lines follow each other: a question printed whole on one
    # page appears whole in that page's text; a row split at a page break appears on none.
    pages = [_squashed(p) for p in _pages(badung_report, raw=True)]
    questions = Question.objects.filter(instrument__cycle__year=2024).values_list("number", "text")
    assert len(questions) == 115
    split = [n for n, text in questions if not any(_squashed(f"{n}. {text}") in page for page in pages)]
    assert split == [], f"questions split across pages: {split}"


# The report's headings (sections, dimensions, findings, assessors, table heads), alone on their line.
HEADING = re.compile(
    r"^\s{0,2}(\d+\.(\d+\.)?\s+(Gambaran Umum|Tujuan dan Ruang Lingkup|Metodologi Evaluasi|Hasil Evaluasi .*"
    r"|Perbandingan dengan Tahun Sebelumnya|Catatan Asesor|\S.* · (rata-rata \d,\d\d|tidak dinilai)"
    r"|Asesor \d+, .*)"
    r"|Kekuatan|Kelemahan|Rekomendasi|Lampiran I+|Indikator\s+Sub Indikator.*|Dimensi\s+Bobot.*)\s*$"
)


def _last_line(page: str) -> str:
    """The last line of a page's body: above the footer and above an attachment page's legal note."""
    lines = [line for line in page.splitlines() if line.strip()]
    for end, line in enumerate(lines):
        if line.strip().startswith(("Catatan:", "Kode verifikasi")):
            lines = lines[:end]
            break
    return lines[-1] if lines else ""


@pytest.mark.parametrize("which", ["badung_report", "karo_report"])
def test_no_page_ends_with_a_heading(
    which: str, badung_report: IssuedReport, karo_report: IssuedReport
) -> None:
    # Both declared: session fixtures are set up before the test's transaction, never inside it.
    report = {"badung_report": badung_report, "karo_report": karo_report}[which]
    pages = _pages(report, layout=True)
    # The check itself recognises the headings it looks for.
    assert HEADING.match("4.5.   Quick Wins · rata-rata 2,80") and HEADING.match("Kekuatan")
    assert HEADING.match(" 2. Asesor 2, Kementerian PUPR") and not HEADING.match("3. Sesditjen Aplikasi")
    for number, page in enumerate(pages[1:], start=2):
        last = _last_line(page)
        assert not HEADING.match(last), f"page {number} ends with a heading: {last!r}"


def test_not_scored_collaboration_prints_a_dash_and_regular_regions_stay_empty(
    karo_report: IssuedReport,
) -> None:
    text = _text(karo_report.path, layout=True)
    for region in NOT_SCORED_REGIONS:
        # Five scores, "-" for Program Kolaborasi, the final, the improvement, the track.
        row = rf"{re.escape(region)}\s+(\d,\d\d\s+){{5}}-\s+\d,\d\d\s+-?\d,\d\d\s+KPPN IKN"
        assert re.search(row, text), region
    # REGULER: Program Kolaborasi is not applicable, the cell is empty (not "-").
    assert re.search(r"KAB\. BADUNG\s+3,56\s+2,73\s+3,27\s+3,18\s+2,80\s+3,08\s+0,11\s+REGULER", text)
    assert re.search(r"KAB\. BANTUL\s+(\d,\d\d\s+){6}\d,\d\d\s+\d,\d\d\s+KPPN IKN", text)
    # The region's own summary says so too.
    assert re.search(r"Program Kolaborasi\s+10%\s+-\s*$", text, flags=re.MULTILINE)
    assert "Program Kolaborasi · tidak dinilai" in " ".join(text.split())


def test_the_letter_national_table_has_the_same_dashes(cycle_2024: Cycle, reports_demo: object) -> None:
    part = services.cycle_part(cycle_2024, current_result_set(cycle_2024))
    rows = {r["region"]: r for r in part.data["national"]["rows"]}
    collaboration = part.data["national"]["dimensions"].index("PROGRAM KOLABORASI")
    for region in NOT_SCORED_REGIONS:
        assert rows[region]["scores"][collaboration] == "-"
    assert rows["KAB. BADUNG"]["scores"][collaboration] == ""
    assert rows["KAB. BANTUL"]["scores"][collaboration] == "3,97"
    # "-" only where the track has the dimension (KPPN IKN) and the region has no score for it.
    dashes = {r["region"] for r in rows.values() if "-" in r["scores"]}
    assert set(NOT_SCORED_REGIONS) <= dashes
    assert all(rows[name]["track"] == "KPPN IKN" for name in dashes)
    regular = [r for r in rows.values() if r["track"] == "REGULER"]
    assert regular and all(r["scores"][collaboration] == "" for r in regular)


def test_every_attachment_page_carries_the_legal_note(badung_report: IssuedReport) -> None:
    pages = _pages(badung_report)
    attachments = [i for i, page in enumerate(pages, start=1) if re.search(r"Lampiran I+ ·", page)]
    assert len(attachments) >= 5  # Lampiran I (two pages) and Lampiran II (three or more)
    for number in attachments:
        assert LEGAL_NOTE in " ".join(pages[number - 1].split()), f"page {number}"
    assert LEGAL_NOTE in " ".join(pages[1].split())  # under the letter too
    region_pages = [i for i, page in enumerate(pages, start=1) if "Laporan KAB. BADUNG" in page]
    assert region_pages and all(LEGAL_NOTE not in pages[i - 1] for i in region_pages)


def _italics(report: IssuedReport, page: int) -> set[str]:
    xml = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-stdout", "-f", str(page), "-l", str(page), str(report.path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {" ".join(m.split()) for m in re.findall(r"<i>(.*?)</i>", xml)}


def test_foreign_terms_are_in_italics(badung_report: IssuedReport) -> None:
    letter = _italics(badung_report, 2)
    for term in ("Baseline", "Output", "Outcome", "Impact", "Quick Wins", "self-assessment", "smart city"):
        assert term in letter, term
    assert not {"Jakarta", "Lampiran", "Nomor"} & letter
    method = set().union(*(_italics(badung_report, p) for p in range(9, 12)))
    assert "Smart City" in method and "Baseline" in method


def test_the_signatory_is_printed_under_the_signature(
    cycle_2024: Cycle, reports_demo: object, admin_user: object
) -> None:
    content = ReportContent.objects.get(cycle=cycle_2024)
    content.signatory_name = "Dr. Siti Rahmawati"
    content.signatory_title = "Pembina Utama Madya (IV/d)"
    services.save_report_content(content, changed=["signatory_name", "signatory_title"], actor=CLI)
    letter = services.generate_letter(cycle_2024, actor=CLI)
    data = services.read_report(letter)
    page = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", "-layout", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    role = next(i for i, line in enumerate(lines) if line.endswith("Direktur Jenderal Aplikasi Informatika"))
    name = next(i for i, line in enumerate(lines) if line.endswith("Dr. Siti Rahmawati"))
    assert name > role and lines[name + 1].endswith("Pembina Utama Madya (IV/d)")


def test_the_signed_report_stays_pdf_1_7(badung_report: IssuedReport) -> None:
    assert badung_report.data.startswith(b"%PDF-1.7")
    reader = PdfFileReader(io.BytesIO(badung_report.data))
    version = reader.root.get("/Version")
    assert version is None or str(version).lstrip("/") == "1.7", version
    assert reader.embedded_signatures  # the signing revision is the one read
    assert re.search(r"PDF version:\s+1\.7", _info(badung_report))


def test_chart_axis_labels_are_not_cut() -> None:
    bars = [
        charts.Bar("Program Kolaborasi", 2024, Decimal("3.97")),
        charts.Bar(charts.FINAL_LABEL, 2024, Decimal("3.72")),
    ]
    svg = charts.render_svg(charts.comparison_spec(bars, years=(2023, 2024)))
    # Each word whole on its own line (a cut label ends in "…").
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert lines == ["Program", "Kolaborasi", "Nilai", "Final"]
    assert "…" not in svg


def test_the_rank_prints_its_interval_once_robustness_has_run(small_cycle: Cycle) -> None:
    result_set = current_result_set(small_cycle)
    results = RegionResult.objects.filter(result_set=result_set).select_related("participation__region")
    without = results.get(participation__region__code="32.73")
    assert builder.build_region_part(without, 3)["rank_interval"] == ""
    results.filter(participation__region__code="51.03").update(rank_low=1, rank_high=3)
    badung = results.get(participation__region__code="51.03")
    data = builder.build_region_part(badung, 3)
    assert (data["rank"], data["rank_interval"]) == (str(badung.rank), "(1–3)")
    report = services.generate_report(badung.participation, actor=CLI)
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"],
            input=services.read_report(report),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split()
    )
    summary = text[text.index("Peringkat nasional") :][:200]  # the cards' text, in the PDF's order
    assert f" {badung.rank} (1–3) " in summary and "dari 3 daerah; rentang 90% dalam kurung" in summary


def test_lampiran_iii_pages_carry_the_legal_note_too(small_cycle: Cycle) -> None:
    small_cycle.participations.filter(region__code="32.04").update(self_assessment=FillingRecord.NOT_FILLED)
    letter = services.read_report(services.generate_letter(small_cycle, actor=CLI))
    pages = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=letter, capture_output=True, check=True
    ).stdout.decode()
    lampiran = [" ".join(page.split()) for page in pages.split("\f") if "Lampiran" in page]
    assert [p for p in lampiran if "Lampiran III · Daerah yang Tidak Mengikuti" in p]
    assert len(lampiran) >= 3 and all(LEGAL_NOTE in page for page in lampiran)


@pytest.mark.parametrize("which", ["badung_report", "karo_report"])
def test_each_dimension_of_the_method_table_stays_on_one_page(
    which: str, badung_report: IssuedReport, karo_report: IssuedReport, cycle_2024: Cycle
) -> None:
    report = {"badung_report": badung_report, "karo_report": karo_report}[which]
    pages = [_squashed(p) for p in _pages(report, raw=True)]
    method = services.cycle_part(cycle_2024, current_result_set(cycle_2024)).data["content"]["method_table"]
    assert len(method) == 6
    for row in method:
        parts = [_squashed(row["dimension"])] + [_squashed(e["description"]) for e in row["elements"]]
        assert any(all(part in page for part in parts) for page in pages), row["dimension"]
