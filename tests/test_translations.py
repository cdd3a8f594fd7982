"""The English user interface: complete, compiled catalogues, and pages that switch language (words and
number formats) with Django's language cookie while Indonesian stays the default."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from kotacerdas.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent / "kotacerdas"
CATALOGUES = sorted(ROOT.rglob("locale/*/LC_MESSAGES/*.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def translations(self) -> list[str]:
        return [value for key, value in self.fields.items() if key.startswith("msgstr")]


def parse_po(path: Path) -> list[Entry]:
    """The entries of a gettext catalogue (obsolete ``#~`` entries left out), with the standard library."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key: str | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            entry, key = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert key is not None, f"{path}:{number}: continuation line without a keyword"
            entry.fields[key] += ast.literal_eval(line)
        else:
            key, _, literal = line.partition(" ")
            entry.fields[key] = ast.literal_eval(literal)
    return entries


def test_there_are_catalogues_for_english() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in CATALOGUES}
    assert "locale/en/LC_MESSAGES/django.po" in names
    assert "survey/locale/en/LC_MESSAGES/django.po" in names


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_catalogue_has_no_empty_or_fuzzy_translations(po: Path) -> None:
    messages = [e for e in parse_po(po) if e.msgid]  # the header (msgid "") is metadata, not a message
    assert messages
    empty = [f"{po.name}:{e.line} {e.msgid!r}" for e in messages if not all(e.translations)]
    fuzzy = [f"{po.name}:{e.line} {e.msgid!r}" for e in messages if "fuzzy" in e.flags]
    assert empty == []
    assert fuzzy == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_translations_keep_their_placeholders(po: Path) -> None:
    wrong = []
    for e in parse_po(po):
        expected = set(PLACEHOLDER.findall(e.msgid + e.fields.get("msgid_plural", "")))
        for translation in e.translations if e.msgid else []:
            if set(PLACEHOLDER.findall(translation)) != expected:
                wrong.append(f"{po.name}:{e.line} {e.msgid!r} -> {translation!r}")
    assert wrong == []


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_compiled_catalogue_matches_its_source(po: Path) -> None:
    """The .mo next to each .po (what Django reads) holds every translation: compilemessages was run."""
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} missing: run manage.py compilemessages"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in parse_po(po):
        if not e.msgid:
            continue
        if "msgid_plural" in e.fields:
            got = [compiled.ngettext(e.msgid, e.fields["msgid_plural"], n) for n in (1, 2)]
            want = [e.fields["msgstr[0]"], e.fields["msgstr[1]"]]
        else:
            got, want = [compiled.gettext(e.msgid)], [e.fields["msgstr"]]
        if got != want:
            stale.append(f"{po.name}:{e.line} {e.msgid!r}")
    assert stale == [], "stale .mo: run manage.py compilemessages"


# --- the pages --------------------------------------------------------------------------------------------


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def number(text: str) -> str:
    """A number as a whole cell or card value, ``>3.08<``: a bare 3.08 also occurs in region code 33.08."""
    return f">{text}<"


def assert_texts(html: str, present: tuple[str, ...], absent: tuple[str, ...]) -> None:
    assert [text for text in present if text not in html] == []
    assert [text for text in absent if text in html] == []


NATIONAL_EN = ("Kota Cerdas Evaluation Results 2024", "Regency/City", "Final score", "Improvement", "Rank")
NATIONAL_ID = ("Hasil Evaluasi Kota Cerdas 2024", "Kab/Kota", "Nilai final", "Peningkatan", "Peringkat")
REGION_EN = ("Final score", "National rank", "National results 2024", "agreed score", "Assessor feedback")
REGION_ID = (
    "Nilai final",
    "Peringkat nasional",
    "Hasil nasional 2024",
    "skor yang disepakati",
    "Masukan asesor",
)
PROGRESS_EN = ("Evaluation progress 2024", "Assessor workload", "Open replies", "Not started", "Log out")
PROGRESS_ID = ("Kemajuan evaluasi 2024", "Beban asesor", "Sanggahan terbuka", "Belum mulai", "Keluar")


@pytest.mark.django_db
def test_national_table_in_english_uses_english_words_and_decimal_points(client: Client) -> None:
    html = page(english(client), "/hasil/2024/?q=51.03")  # Badung's row (the table shows a page at a time)
    assert '<html lang="en">' in html
    assert_texts(
        html,
        present=(*NATIONAL_EN, "1 region", number("3.08"), number("+0.11")),
        absent=(*NATIONAL_ID, number("3,08")),
    )


@pytest.mark.django_db
def test_region_page_in_english(client: Client) -> None:
    html = page(english(client), "/hasil/2024/51.03/")
    assert_texts(
        html,
        present=(
            *REGION_EN,
            "computed from question scores",
            "Strengths",
            number("3.08"),
            number("3.56"),
            number("2.73"),
            number("+0.11"),
        ),
        absent=(*REGION_ID, "dihitung dari nilai pertanyaan", number("3,08"), number("3,56"), number("2,73")),
    )
    # Instrument content and assessors' findings are data and stay as written.
    assert "Memiliki potensi SDA dan pariwisata" in html


@pytest.mark.django_db
def test_progress_page_in_english_for_an_admin(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    html = page(english(client), "/kelola/2024/")
    assert_texts(html, present=PROGRESS_EN, absent=PROGRESS_ID)


@pytest.mark.django_db
def test_login_page_in_english(client: Client) -> None:
    html = page(english(client), "/accounts/login/")
    assert_texts(html, present=("Log in", "Password"), absent=("Masuk", "Kata sandi"))


@pytest.mark.django_db
def test_pages_stay_indonesian_without_the_cookie(client: Client, admin_user: User) -> None:
    national = page(client, "/hasil/2024/?q=51.03")
    assert '<html lang="id">' in national
    assert_texts(
        national,
        present=(*NATIONAL_ID, number("3,08"), number("+0,11")),
        absent=(*NATIONAL_EN, number("3.08")),
    )
    region = page(client, "/hasil/2024/51.03/")
    assert_texts(
        region,
        present=(*REGION_ID, number("3,08"), number("3,56")),
        absent=(*REGION_EN, number("3.08"), number("3.56")),
    )
    client.force_login(admin_user)
    progress = page(client, "/kelola/2024/")
    assert_texts(progress, present=PROGRESS_ID, absent=PROGRESS_EN)


@pytest.mark.django_db
def test_language_switch_in_the_header_sets_the_cookie(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/hasil/2024/51.03/"})
    assert response.status_code == 302 and response.headers["Location"] == "/hasil/2024/51.03/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Final score" in page(client, "/hasil/2024/51.03/")
    client.post("/i18n/setlang/", {"language": "id", "next": "/hasil/2024/51.03/"})
    assert "Nilai final" in page(client, "/hasil/2024/51.03/")
