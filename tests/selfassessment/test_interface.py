"""The operator's pages as they read: submitting asks first and says what it locks; an upload's outcome and
a duplicate file are told at their question; a programme's errors are in Indonesian, its dimension named."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kotacerdas.accounts.models import User
from kotacerdas.cycles.models import Participation, Stage
from kotacerdas.selfassessment.models import Evidence, Programme
from tests.workflow import PDF, fill_self_assessment

OVERVIEW = "/penilaian-mandiri/2030/51.03/"


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


@pytest.fixture
def operator(operator_a: User) -> Client:
    client = Client()
    client.force_login(operator_a)
    return client


def test_submitting_asks_first_and_says_what_is_locked(
    operator: Client, operator_a: User, badung: Participation
) -> None:
    fill_self_assessment(operator_a, badung)
    page = operator.get(OVERVIEW).content.decode()
    assert 'name="confirm"' in page and "required" in page.split('name="confirm"')[1].split(">")[0]
    assert "bukti dan daftar program KAB. BADUNG untuk 2030 terkunci" in page
    refused = operator.post(OVERVIEW + "kirim/", follow=True).content.decode()
    assert "Centang konfirmasi dahulu" in refused
    badung.refresh_from_db()
    assert badung.stage != Stage.SUBMITTED
    operator.post(OVERVIEW + "kirim/", {"confirm": "yes"})
    badung.refresh_from_db()
    assert badung.stage == Stage.SUBMITTED


def _section(html: str, number: int) -> str:
    start = html.index(f'id="q{number}"')
    return html[start : html.index("</section>", start)]


def test_an_upload_is_told_at_its_question_and_the_same_file_twice_is_noticed(
    operator: Client, badung: Participation
) -> None:
    url = OVERVIEW + "bukti/2/"
    first = operator.post(url, {"file": SimpleUploadedFile("laporan.pdf", PDF)}, follow=True)
    assert "Bukti untuk pertanyaan 2 tersimpan." in _section(first.content.decode(), 2)
    again = operator.post(url, {"file": SimpleUploadedFile("salinan.pdf", PDF)}, follow=True)
    html = again.content.decode()
    question = _section(html, 2)
    assert "sudah diunggah untuk pertanyaan 2 sebagai “laporan.pdf”" in question
    assert "sudah diunggah" not in html[: html.index('id="q1"')]  # not at the top of the page
    assert (
        Evidence.objects.filter(participation=badung, question__number=2, removed_at__isnull=True).count()
        == 1
    )
    # The same file for another question is that question's evidence.
    operator.post(OVERVIEW + "bukti/3/", {"file": SimpleUploadedFile("laporan.pdf", PDF)})
    assert Evidence.objects.filter(participation=badung, question__number=3).count() == 1
    missing = operator.post(url, {}, follow=True).content.decode()
    assert "Pilih berkas untuk diunggah." in _section(missing, 2)


def test_programme_errors_are_indonesian_and_dimensions_are_named(
    operator: Client, badung: Participation
) -> None:
    body = {
        "name": "Mal Pelayanan Publik",
        "smart_dimension": "smart_governance",
        "kind": Programme._meta.get_field("kind").choices[0][0],
        "year_started": "2021",
        "status": Programme._meta.get_field("status").choices[0][0],
        "apbd_share": "150",
        "partners": "Kota Entah Berantah",
    }
    page = operator.post(OVERVIEW + "program/", body).content.decode()
    assert "Porsi APBD harus antara 0 dan 100 persen." in page
    assert "Daerah &#x27;Kota Entah Berantah&#x27; tidak dikenal" in page
    assert "apbd_share_is_a_percentage" not in page and "Unknown region" not in page
    assert "- Pilih salah satu -" in operator.get(OVERVIEW + "program/").content.decode()
    body |= {"apbd_share": "40", "partners": ""}
    operator.post(OVERVIEW + "program/", body)
    listing = operator.get(OVERVIEW + "program/").content.decode()
    assert "<td>Smart Governance</td>" in listing and "smart_governance</td>" not in listing


def test_the_confirmation_reads_in_english_too(
    operator: Client, operator_a: User, badung: Participation
) -> None:
    from django.conf import settings

    fill_self_assessment(operator_a, badung)
    operator.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = operator.get(OVERVIEW).content.decode()
    assert "programme register of KAB. BADUNG for 2030 are locked" in page
    assert "I have checked the answers and understand that the self-assessment will be locked." in page
    assert "terkunci" not in page
