"""Signed documents verify as authentic and unmodified, and any change, however small, is caught."""

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Participation
from kotacerdas.reports import services, signing
from kotacerdas.reports.models import ReportVersion

from .conftest import IssuedReport

pytestmark = pytest.mark.django_db


def _flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def test_an_untouched_report_is_valid_and_identified(badung_report: IssuedReport) -> None:
    verification = services.verify_report(badung_report.data)
    assert verification.valid, verification.reason
    assert verification.report is not None and verification.report.code == badung_report.code
    assert verification.describe().startswith("valid: laporan KAB. BADUNG 2024, versi ")


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9, "signature", -40])
def test_flipping_one_byte_anywhere_makes_verification_fail(
    badung_report: IssuedReport, where: object
) -> None:
    data = badung_report.data
    if where == "signature":
        offset = data.rindex(b"/Contents <") + len(b"/Contents <") + 200  # inside the CMS signature itself
    elif isinstance(where, float):
        offset = int(len(data) * where)
    else:
        offset = len(data) + int(where)  # type: ignore[call-overload]
    verification = services.verify_report(_flip(data, offset))
    assert not verification.valid
    assert verification.report is None
    assert verification.reason


def test_content_appended_after_signing_is_refused(badung_report: IssuedReport) -> None:
    verification = services.verify_report(badung_report.data + b"\n% appended\n")
    assert not verification.valid
    assert "setelah ditandatangani" in verification.reason


def test_a_document_signed_with_another_key_is_not_authentic(
    badung_report: IssuedReport, tmp_path: Path
) -> None:
    # An impostor signs the same PDF with a CA of their own: intact, but not the platform's signer.
    signing.create_demo_signer(tmp_path / "impostor")
    unsigned = badung_report.data[: badung_report.data.rindex(b"%%EOF", 0, len(badung_report.data) - 10) + 5]
    with override_settings(
        REPORT_SIGNER_P12=str(tmp_path / "impostor" / signing.DEMO_P12),
        REPORT_SIGNER_PASSWORD=(tmp_path / "impostor" / signing.DEMO_PASSWORD).read_text(),
    ):
        forged, _, _ = signing.sign_pdf(unsigned + b"\n", reason="palsu", location="")
    verification = services.verify_report(forged)
    assert not verification.valid
    assert "bukan milik platform" in verification.reason


def test_a_validly_signed_file_missing_from_the_register_is_not_authentic(
    badung_report: IssuedReport,
) -> None:
    unsigned = badung_report.data[: badung_report.data.rindex(b"%%EOF", 0, len(badung_report.data) - 10) + 5]
    signed, _, _ = signing.sign_pdf(unsigned + b"\n", reason="di luar register", location="")
    verification = services.verify_report(signed)
    assert not verification.valid
    assert "tidak tercatat" in verification.reason


def test_not_a_pdf_is_reported_as_such() -> None:
    assert services.verify_report(b"hello").reason == "bukan berkas PDF"


def test_verify_report_command_prints_valid_and_exits_0(report_copy: Callable[..., Path]) -> None:
    out = io.StringIO()
    call_command("verify_report", str(report_copy()), stdout=out)
    assert ": valid: laporan KAB. BADUNG 2024" in out.getvalue()


def _impostor_signed(data: bytes, folder: Path) -> bytes:
    signing.create_demo_signer(folder)
    unsigned = data[: data.rindex(b"%%EOF", 0, len(data) - 10) + 5]
    with override_settings(
        REPORT_SIGNER_P12=str(folder / signing.DEMO_P12),
        REPORT_SIGNER_PASSWORD=(folder / signing.DEMO_PASSWORD).read_text(),
    ):
        return signing.sign_pdf(unsigned + b"\n", reason="palsu", location="")[0]


@pytest.mark.parametrize("content", ["tampered", "not a pdf", "truncated", "missing", "another signer"])
def test_verify_report_command_states_a_clean_indonesian_verdict_and_exits_1(
    report_copy: Callable[..., Path],
    badung_report: IssuedReport,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    content: str,
) -> None:
    data = badung_report.data
    path = {
        "tampered": lambda: report_copy(_flip(data, len(data) // 2)),
        "not a pdf": lambda: report_copy(b"Bukan PDF, hanya teks.\n"),
        "truncated": lambda: report_copy(data[: len(data) // 3]),
        "missing": lambda: tmp_path / "tidak-ada.pdf",
        "another signer": lambda: report_copy(_impostor_signed(data, tmp_path / "impostor")),
    }[content]()
    with pytest.raises(SystemExit) as raised:
        call_command("verify_report", str(path))
    assert raised.value.code == 1
    out, err = capfd.readouterr()
    reason = {
        "tampered": "isi dokumen telah diubah setelah ditandatangani",
        "not a pdf": "bukan berkas PDF",
        "truncated": "berkas PDF rusak atau telah diubah",
        "missing": "berkas tidak ditemukan",
        "another signer": "ditandatangani oleh sertifikat yang bukan milik platform ini",
    }[content]
    # One line, the verdict in Indonesian; nothing from the libraries on either stream.
    assert out == f"{path}: tidak valid: {reason}\n"
    assert err == ""


def test_regenerating_makes_a_new_version_and_the_old_one_stays_valid(
    badung_report: IssuedReport, issued: ReportVersion
) -> None:
    participation = Participation.objects.select_related("region", "cycle").get(pk=issued.participation_id)
    newer = services.generate_report(participation, actor=CLI)
    assert newer.version == issued.version + 1
    assert newer.code != issued.code and newer.sha256 != issued.sha256
    assert services.verify_report(badung_report.data).valid
    assert services.verify_report(services.read_report(newer)).report == newer
    assert AuditEvent.objects.filter(action="report.issued", object_id=newer.code).exists()


def test_an_issued_version_can_be_neither_changed_nor_deleted(issued: ReportVersion) -> None:
    issued.pages = 1
    with pytest.raises(ValueError, match="immutable"):
        issued.save()
    with pytest.raises(ValueError, match="immutable"):
        issued.delete()


def test_the_qr_code_and_the_footer_point_at_the_verification_page(badung_report: IssuedReport) -> None:
    assert services.verify_url(badung_report.code).endswith(f"/verifikasi/{badung_report.code}/")
    assert reverse("reports:verify_code", args=[badung_report.code]) == f"/verifikasi/{badung_report.code}/"


def test_codes_are_forgiving_about_case_spaces_and_look_alike_letters() -> None:
    assert services.normalise_code(" kc24-7f3k-q9xm ") == "KC24-7F3K-Q9XM"
    assert services.normalise_code("KC24 OI3K QLXM") == "KC24-013K-Q1XM"


def test_public_page_confirms_an_uploaded_authentic_report(
    client: Client, report_copy: Callable[..., Path]
) -> None:
    with report_copy().open("rb") as handle:
        response = client.post(reverse("reports:verify"), {"file": handle})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Asli dan utuh." in body and "KAB. BADUNG" in body


def test_public_page_rejects_an_altered_report(
    client: Client, report_copy: Callable[..., Path], badung_report: IssuedReport
) -> None:
    path = report_copy(_flip(badung_report.data, 5000))
    with path.open("rb") as handle:
        response = client.post(reverse("reports:verify"), {"file": handle})
    body = response.content.decode()
    assert "Tidak dapat dipastikan keasliannya." in body
    assert "Asli dan utuh." not in body


def test_public_page_looks_a_code_up(client: Client, badung_report: IssuedReport) -> None:
    response = client.post(reverse("reports:verify"), {"code": badung_report.code.lower()})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Kode ini terdaftar." in page.content.decode()
    assert client.get(reverse("reports:verify_code", args=["KC24-0000-0000"])).status_code == 404


def test_only_those_who_may_see_the_region_download_its_report(
    client: Client,
    badung_report: IssuedReport,
    operator_a,
    operator_b,
    admin_user,  # type: ignore[no-untyped-def]
) -> None:
    url = reverse("reports:download", args=[badung_report.code])
    assert client.get(url).status_code == 404
    client.force_login(operator_b)
    assert client.get(url).status_code == 404
    client.force_login(operator_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response) == badung_report.data
    client.force_login(admin_user)
    assert client.get(reverse("reports:region_report", args=[2024, "51.03"])).status_code == 302
