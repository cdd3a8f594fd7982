"""The cycle's report prose is content that admins edit; the letter is built from the cycle's facts."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from kotacerdas.accounts.models import User
from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.reports import services
from kotacerdas.reports.builder import ReportContentMissing, build_cycle_part
from kotacerdas.reports.demo import DEMO_CONTENT, load_report_content
from kotacerdas.reports.models import ReportContent, ReportKind
from kotacerdas.results.table import current_result_set

pytestmark = pytest.mark.django_db


def test_loading_the_demo_content_twice_keeps_an_admins_edit(reports_demo: Path) -> None:
    ReportContent.objects.filter(cycle__year=2024).update(letter_closing="Terima kasih.")
    _, created = load_report_content(DEMO_CONTENT)
    assert not created
    assert ReportContent.objects.get(cycle__year=2024).letter_closing == "Terima kasih."


def test_an_edit_by_an_admin_appears_in_the_next_report(reports_demo: Path, cycle_2024: Cycle) -> None:
    content = ReportContent.objects.get(cycle=cycle_2024)
    content.overview = "Paragraf pertama yang baru.\n\nParagraf kedua."
    content.save()
    part = services.cycle_part(cycle_2024, current_result_set(cycle_2024))
    assert part.data["content"]["overview"] == ["Paragraf pertama yang baru.", "Paragraf kedua."]


def test_a_cycle_without_report_content_gets_a_clear_error(make_cycle, reports_demo: Path) -> None:  # type: ignore[no-untyped-def]
    cycle = make_cycle(year=2031)
    with pytest.raises(ReportContentMissing, match="siklus 2031 belum mempunyai isi laporan"):
        build_cycle_part(cycle, current_result_set(cycle))


def test_the_letter_takes_its_facts_from_the_cycle(reports_demo: Path, cycle_2024: Cycle) -> None:
    letter = services.cycle_part(cycle_2024, current_result_set(cycle_2024)).data["letter"]
    assert letter["number"] == "B-1478/DJAI/AI.01.02/11/2024" and letter["date"] == "25 November 2024"
    first = letter["points"][0]["text"]
    assert "seratus sembilan puluh satu (191)" in first and "seratus enam puluh lima (165)" in first
    assert letter["points"][1]["items"][0].startswith("Baseline (bobot 10%): ")
    assert letter["points"][1]["items"][-1].endswith(".")
    assert letter["copies"][0] == "Menteri Komunikasi dan Informatika"


def test_letter_command_issues_a_signed_letter(reports_demo: Path, cycle_2024: Cycle, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("letter", "--year", "2024", "-o", str(tmp_path / "surat.pdf"), stdout=out)
    verification = services.verify_report((tmp_path / "surat.pdf").read_bytes())
    assert verification.valid and verification.report is not None
    assert verification.report.kind == ReportKind.LETTER and verification.report.participation is None
    assert "surat hasil evaluasi 2024" in out.getvalue()


def test_report_command_refuses_a_region_without_results(reports_demo: Path, cycle_2024: Cycle) -> None:
    # Kota Surabaya is an addressee but has no row in the published table.
    assert Participation.objects.filter(cycle=cycle_2024, region__code="35.78").exists()
    with pytest.raises(CommandError, match="tidak mempunyai hasil"):
        call_command("report", "--year", "2024", "--region", "Kota Surabaya", "-o", "/tmp/never.pdf")


def test_report_command_names_candidates_for_an_unknown_region(reports_demo: Path) -> None:
    with pytest.raises(CommandError):
        call_command("report", "--year", "2024", "--region", "Badungg", "-o", "/tmp/never.pdf")


def test_content_is_editable_in_the_admin(client: Client, admin_user, reports_demo: Path) -> None:  # type: ignore[no-untyped-def]
    client.force_login(admin_user)
    content = ReportContent.objects.get(cycle__year=2024)
    response = client.get(reverse("admin:reports_reportcontent_change", args=[content.pk]))
    assert response.status_code == 200 and "Gambaran umum" in response.content.decode()


def test_the_letters_counts_and_its_list_come_from_the_records(
    reports_demo: Path, cycle_2024: Cycle, tmp_path: Path
) -> None:
    """A cycle run on the platform (no stated facts): the counts and Lampiran III come from the
    attendance records; the 2024 history states its counts and attaches no list it does not have."""
    import subprocess

    from kotacerdas.cycles.models import Attendance, FillingRecord
    from kotacerdas.cycles.services import record_attendance

    history = services.cycle_part(cycle_2024, current_result_set(cycle_2024)).data
    assert history["absent"] == [] and "(daftar terlampir)" not in history["letter"]["points"][0]["text"]

    Cycle.objects.filter(pk=cycle_2024.pk).update(facts={})
    cycle_2024.refresh_from_db()
    for code, filled, attended in (("32.73", "not_filled", "absent"), ("51.71", "filled", "absent")):
        participation = Participation.objects.select_related("cycle", "region").get(
            cycle=cycle_2024, region__code=code
        )
        record_attendance(
            participation, filled=FillingRecord(filled), attendance=Attendance(attended), actor=CLI
        )
    data = services.cycle_part(cycle_2024, current_result_set(cycle_2024)).data
    assert [row["region"] for row in data["absent"]] == ["KOTA BANDUNG", "KOTA DENPASAR"]
    first = data["letter"]["points"][0]["text"]
    assert "dua (2) kabupaten/kota lainnya" in first and "(daftar terlampir)" in first

    call_command("letter", "--year", "2024", "-o", str(tmp_path / "surat.pdf"), stdout=io.StringIO())
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(tmp_path / "surat.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "Lampiran III" in text and "KOTA DENPASAR" in text


def test_an_admin_sets_the_signatory_and_the_edit_is_audited(
    reports_demo: Path, cycle_2024: Cycle, client: Client, admin_user: User
) -> None:
    content = ReportContent.objects.get(cycle=cycle_2024)
    form = {
        f.name: getattr(content, f.name)
        for f in ReportContent._meta.concrete_fields
        if f.name not in {"id", "cycle", "updated_at"}
    }
    form |= {
        "cycle": cycle_2024.pk,
        "dimension_notes": json.dumps(content.dimension_notes),
        "signatory_name": "Dr. Siti Rahmawati",
        "signatory_title": "NIP 197001012000032001",
    }
    client.force_login(admin_user)
    response = client.post(reverse("admin:reports_reportcontent_change", args=[content.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    content.refresh_from_db()
    assert content.signatory_name == "Dr. Siti Rahmawati"
    event = AuditEvent.objects.filter(action="report_content.changed").latest("pk")
    assert event.new["signatory_name"] == "Dr. Siti Rahmawati"
    assert event.old["signatory_name"] == "Hokky Situngkir"
    assert event.actor_id == admin_user.pk
    letter = services.cycle_part(cycle_2024, current_result_set(cycle_2024)).data["letter"]
    assert (letter["signatory_name"], letter["signatory_title"]) == (
        "Dr. Siti Rahmawati",
        "NIP 197001012000032001",
    )
