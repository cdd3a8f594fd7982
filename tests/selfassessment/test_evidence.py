"""Evidence files: content checked by its bytes, size limit, server-made names, scoped downloads."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from kotacerdas.selfassessment.models import Evidence
from kotacerdas.selfassessment.services import EvidenceRejected, upload_evidence
from tests.workflow import PDF, close_download


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def _q(participation, number=1):
    return participation.cycle.instrument.questions.select_related("dimension", "instrument").get(
        number=number
    )


class RawNameUpload(SimpleUploadedFile):
    """An upload whose name keeps what the client sent: Django's form parser already strips folders, but
    the service must refuse them for any other caller too."""

    def __init__(self, name: str, content: bytes):
        super().__init__("x", content)
        self._raw_name = name

    @property  # type: ignore[override]
    def name(self) -> str:
        return self._raw_name

    @name.setter
    def name(self, value: str) -> None:
        pass


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_a_pdf_is_stored_under_a_server_made_name(operator_a, badung) -> None:
    evidence = upload_evidence(badung, _q(badung), SimpleUploadedFile("Perbup 42.pdf", PDF), actor=operator_a)
    assert evidence.content_type == "application/pdf" and evidence.original_name == "Perbup 42.pdf"
    assert evidence.file.name.startswith("evidence/2030/51.03/") and "Perbup" not in evidence.file.name
    assert evidence.size == len(PDF) and len(evidence.sha256) == 64


def test_office_documents_are_recognised_by_their_contents(operator_a, badung) -> None:
    evidence = upload_evidence(
        badung, _q(badung), SimpleUploadedFile("notulen.docx", _docx()), actor=operator_a
    )
    assert evidence.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("laporan.pdf", b"MZ\x90\x00 this is an executable pretending", "Jenis berkas tidak diizinkan"),
        ("catatan.pdf", b"just text with a pdf name", "Jenis berkas tidak diizinkan"),
        ("../../etc/passwd.pdf", PDF, "folder"),
        ("sub\\dir.pdf", PDF, "folder"),
        (".htaccess", PDF, "folder"),
        ("palsu.docx", b"PK\x03\x04" + b"\x00" * 40, "tidak diizinkan|rusak"),
    ],
)
def test_wrong_types_and_paths_in_names_are_refused(
    operator_a, badung, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(EvidenceRejected, match=message):
        upload_evidence(badung, _q(badung), RawNameUpload(name, content), actor=operator_a)
    assert not Evidence.objects.filter(participation=badung).exists()


@override_settings(KOTACERDAS_EVIDENCE_MAX_BYTES=1024)
def test_an_oversized_file_is_refused(operator_a, badung) -> None:
    with pytest.raises(EvidenceRejected, match="terlalu besar"):
        upload_evidence(
            badung, _q(badung), SimpleUploadedFile("besar.pdf", PDF + b"0" * 2000), actor=operator_a
        )


def test_upload_through_the_page_and_download_only_by_those_who_may_see(
    client: Client, operator_a, operator_b, admin_user, badung
) -> None:
    client.force_login(operator_a)
    response = client.post(
        "/penilaian-mandiri/2030/51.03/bukti/1/",
        {"file": SimpleUploadedFile("bukti.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/baseline/#q1")
    evidence = Evidence.objects.get(participation=badung)
    url = f"/penilaian-mandiri/bukti/{evidence.pk}/"
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    close_download(download)
    assert 'filename="bukti.pdf"' in download.headers["Content-Disposition"]
    client.force_login(operator_b)
    assert client.get(url).status_code == 404
    client.force_login(admin_user)
    as_admin = client.get(url)
    assert as_admin.status_code == 200
    close_download(as_admin)
    client.logout()
    assert client.get(url).status_code == 302


def test_removed_evidence_is_hidden_not_deleted(client: Client, operator_a, badung) -> None:
    evidence = upload_evidence(badung, _q(badung), SimpleUploadedFile("a.pdf", PDF), actor=operator_a)
    client.force_login(operator_a)
    response = client.post(f"/penilaian-mandiri/2030/51.03/bukti/{evidence.pk}/hapus/")
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.removed_at is not None
    page = client.get("/penilaian-mandiri/2030/51.03/baseline/").content.decode()
    assert "a.pdf" not in page


def test_a_path_in_a_posted_file_name_never_reaches_storage(client: Client, operator_a, badung) -> None:
    client.force_login(operator_a)
    upload = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    upload.name = "../../../etc/cron.d/evil.pdf"  # Django keeps only the last component
    client.post("/penilaian-mandiri/2030/51.03/bukti/1/", {"file": upload})
    evidence = Evidence.objects.get(participation=badung)
    assert "/" not in evidence.original_name and ".." not in evidence.file.name


def test_a_polyglot_named_html_is_stored_with_the_suffix_of_its_bytes(operator_a, badung) -> None:  # type: ignore[no-untyped-def]
    """A PDF that is also valid HTML, uploaded as x.html, is kept as a .pdf: the stored file could never be
    served as a page, even if the media folder were ever served directly."""
    polyglot = PDF + b"<html><script>alert(1)</script></html>"
    evidence = upload_evidence(badung, _q(badung), SimpleUploadedFile("x.html", polyglot), actor=operator_a)
    assert evidence.original_name == "x.html" and evidence.content_type == "application/pdf"
    assert evidence.file.name.endswith(".pdf") and ".html" not in evidence.file.name
