"""Who gets what from the verification pages, the downloads of issued documents and the workbook: route ×
role × method → status (the shape of tests/permissions.py). Verification and the workbook are public; a
region's report goes to those who may see the region (Participation.visible_to), the letter to anyone
signed in. The bulk-report pages live in the admin site (tests/test_url_permissions.py excludes it)."""

import hashlib
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from kotacerdas.reports import services
from kotacerdas.reports.models import ReportKind, ReportVersion
from tests.permissions import expected_by_role, row_ids, statuses
from tests.workflow import PDF

from .conftest import IssuedReport

EVERYONE = (200,) * 6
NOBODY = (404,) * 6
REGION_A = (404, 200, 404, 200, 404, 200)  # Badung's report: its operator, its panel, admins

# (name, method, url template, body kind, expected status per role in ROLES order)
TABLE: list[Any] = [
    ("reports:verify", "GET", "/verifikasi/", "", EVERYONE),
    ("reports:verify", "POST", "/verifikasi/", "code", (302,) * 6),
    ("reports:verify", "POST", "/verifikasi/", "file", EVERYONE),
    ("reports:verify", "POST", "/verifikasi/", "", EVERYONE),
    ("reports:verify_code", "GET", "/verifikasi/{report}/", "", EVERYONE),
    ("reports:verify_code", "GET", "/verifikasi/KC24-0000-0000/", "", NOBODY),
    ("reports:download", "GET", "/laporan/unduh/{report}.pdf", "", REGION_A),
    ("reports:download", "GET", "/laporan/unduh/{letter}.pdf", "", (404, 200, 200, 200, 200, 200)),
    ("reports:download", "GET", "/laporan/unduh/KC24-0000-0000.pdf", "", NOBODY),
    ("reports:region_report", "GET", "/laporan/2024/51.03/", "", (404, 302, 404, 302, 404, 302)),
    ("reports:region_report", "GET", "/laporan/2024/32.73/", "", NOBODY),
    ("reports:workbook", "GET", "/laporan/2024/hasil.xlsx", "", EVERYONE),
    ("reports:workbook", "GET", "/laporan/1999/hasil.xlsx", "", NOBODY),
]


def _body(kind: str, badung_report: IssuedReport) -> dict[str, Any]:
    if kind == "file":
        upload = SimpleUploadedFile("laporan.pdf", badung_report.data, content_type="application/pdf")
        return {"data": {"file": upload}}
    if kind == "code":
        return {"data": {"code": badung_report.code.lower()}}
    return {"data": {}}


@pytest.fixture
def letter(issued: ReportVersion) -> ReportVersion:
    """A results letter in the register (its bytes stand in for a rendered one: only who may fetch it
    matters here, and rendering one takes seconds)."""
    data = PDF + b"% surat\n"
    digest = hashlib.sha256(data).hexdigest()
    name = default_storage.save(f"reports/2024/surat/{digest}.pdf", ContentFile(data))
    return ReportVersion.objects.create(
        cycle=issued.cycle,
        participation=None,
        kind=ReportKind.LETTER,
        version=1,
        result_set=issued.result_set,
        code=services.new_code(2024),
        sha256=digest,
        file=name,
        size=len(data),
        pages=1,
        signer_subject=issued.signer_subject,
        signer_fingerprint=issued.signer_fingerprint,
    )


@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), TABLE, ids=row_ids(TABLE))
def test_route_role_method_status(
    cast: dict[str, Any],
    badung_report: IssuedReport,
    letter: ReportVersion,
    name: str,
    method: str,
    url: str,
    body: str,
    expected: Any,
) -> None:
    ids = {"report": badung_report.code, "letter": letter.code}
    got = statuses(cast, method, url, lambda role: _body(body, badung_report), ids)
    assert got == expected_by_role(expected), f"{name} {method} {url}"
