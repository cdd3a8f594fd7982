"""Every page each role can reach, read in Indonesian (the default), holds no English and no internals.

The crawl follows the links of the pages themselves, as a person would, from each role's starting points
(the header's links included) through the 2024 demo programme and an open 2030 cycle in which Badung's
self-assessment and one review are submitted. Pages of the same shape (``/hasil/2024/<code>/``) are read
twice, not 140 times. An admin's crawl includes the Django admin's index, changelists and change pages.

A page fails on:
- English text: any translation (msgstr) of the English catalogues that differs from its Indonesian
  msgid, found as whole words in the page's visible text;
- internals: a smart dimension's code (``smart_governance``), an audit action code (``answer.saved``), a
  Python dictionary (``{'``), a database constraint's name.
"""

import json
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db.models import CheckConstraint, UniqueConstraint
from django.test import Client

from kotacerdas.audit.models import AuditEvent
from kotacerdas.cycles.stages import TRANSITIONS
from kotacerdas.survey.views import link_path
from tests.test_translations import CATALOGUES, ROOT, parse_po

# Where each role starts: the header, plus the pages a role is sent to by e-mail or by a colleague.
STARTS = {
    "anonymous": ["/", "/hasil/2024/", "/verifikasi/", "/accounts/login/"],
    "operator_a": ["/", "/penilaian-mandiri/2030/51.03/", "/survei/", "/penilaian/2030/51.03/sanggahan/"],
    "assessor_assigned": ["/", "/penilaian/", "/penilaian/2030/51.03/"],
    "admin": ["/", "/kelola/2030/", "/kelola/2030/51.03/", "/survei/2030/tinjau/", "/admin/"],
}
# Pages of one shape read at most this often (a region code, a number, a query's keys make the shape).
PER_SHAPE = 2
LIMIT = 400
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".ics", ".json", ".svg", ".png", ".zip", ".txt", ".yaml")
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/api/", "/accounts/logout/", "/penilaian-mandiri/bukti/")
ADMIN_SKIP = re.compile(r"/(delete|history|password)/|/add/|/logout/|autocomplete")
# Admin sections left out of the crawl, and why. Nothing else is.
ADMIN_EXCLUDED = {
    "otp_totp": "django-otp's own models: their names come from its catalogue, which has no Indonesian",
    "otp_static": "django-otp's own models (as above)",
    "axes": "django-axes' lockout records (its catalogue, as above)",
    "django_tasks_database": "the task queue's records (its catalogue, as above)",
    "results": "the results app's admin names are that app's (not yet translated: 'published score')",
    "reports": "the reports app's admin names are that app's",
}

ENGLISH_LEAKS = ("Select an option", "Unknown region", "No similar region", "Closest:")


class _Text(HTMLParser):
    """The visible text and the links of a page (script and style content left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        for name, value in attrs:  # text people read that sits in attributes
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)
            if (
                tag == "input"
                and name == "value"
                and value
                and dict(attrs).get("type") in ("submit", "button")
            ):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


@cache
def english_texts() -> tuple[str, ...]:
    """The English translations that are not also Indonesian text (a name, a code, a loanword)."""
    found = set()
    for po in CATALOGUES:
        if "/en/" not in po.as_posix():
            continue
        for entry in parse_po(po):
            for text in entry.translations if entry.msgid else []:
                words = re.sub(r"%\(\w+\)[sd]|\{\{[^}]*\}\}|<[^>]+>", "|", text)
                for piece in words.split("|"):
                    piece = piece.strip(" .,:;()–—-'\"")
                    # Two words at least: single words are too often shared (Baseline, Output, Status).
                    if len(piece.split()) >= 2 and piece not in entry.msgid:
                        found.add(piece)
    return tuple(sorted(found, key=len, reverse=True))


@cache
def constraint_names() -> tuple[str, ...]:
    names = set()
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint | UniqueConstraint):
                names.add(constraint.name)
    return tuple(sorted(names))


def action_codes() -> set[str]:
    codes = set(AuditEvent.objects.values_list("action", flat=True).distinct())
    codes.update(action for action in TRANSITIONS.values() if isinstance(action, str))
    return {code for code in codes if "." in code}


def problems(
    text: str, codes: Iterable[str], *, raw_record: bool = False, json_editor: bool = False
) -> list[str]:
    """What is wrong with a page's visible text. ``raw_record``: the Django admin's audit log, whose purpose
    is to show each event as stored (its action code and old/new values), is checked for English only.
    ``json_editor``: an admin change form, where a JSON field is edited as JSON."""
    found = []
    for english in english_texts():
        if re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", text):
            found.append(f"English: {english!r}")
    found += [f"English: {leak!r}" for leak in ENGLISH_LEAKS if leak in text]
    if raw_record:
        return found
    found += [f"dimension code: {m!r}" for m in set(re.findall(r"\bsmart_[a-z]+\b", text))]
    found += [
        f"action code: {code!r}" for code in codes if re.search(rf"(?<![\w.]){re.escape(code)}\b", text)
    ]
    found += [f"constraint: {name!r}" for name in constraint_names() if name in text]
    if not json_editor and ("{'" in text or '{"' in text):
        found.append("a Python/JSON dictionary")
    return found


def _admin_excluded(link: str) -> bool:
    section = link.split("/")[2] if link.count("/") > 2 else ""
    return bool(ADMIN_SKIP.search(link)) or "?" in link or section in ADMIN_EXCLUDED


def shape(path: str) -> str:
    parts = urlsplit(path)
    keys = ",".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return re.sub(r"\d+", "N", parts.path) + "?" + keys


def crawl(client: Client, starts: list[str], *, admin: bool) -> Iterator[tuple[str, int, str]]:
    """(url, status, visible text) of every HTML page reachable from ``starts``."""
    queue, seen, shapes = deque(starts), set(starts), Counter[str]()
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302):
            target = response.headers["Location"]
            if target.startswith("/") and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        yield url, response.status_code, parser.text
        for href in parser.links:
            link = href.split("#")[0]
            if link.startswith("?"):
                link = urlsplit(url).path + link
            if not link.startswith("/") or link.startswith("//") or link in seen:
                continue
            if link.lower().split("?")[0].endswith(SKIP_SUFFIXES) or link.startswith(SKIP_PREFIXES):
                continue
            if link.startswith("/admin/") and (not admin or _admin_excluded(link)):
                continue
            # The admin's change pages are alike per model: one of each is enough.
            if shapes[shape(link)] >= (1 if link.startswith("/admin/") else PER_SHAPE):
                continue
            shapes[shape(link)] += 1
            seen.add(link)
            queue.append(link)


@pytest.fixture
def world(cast: dict[str, Any], unpublished_scores: Any, open_cycle: Any) -> dict[str, Any]:
    """The 2024 demo and the open 2030 cycle, with Badung's history: answers, a submission, scores, a
    programme in the register, survey links and a flagged response waiting for review."""
    from kotacerdas.selfassessment.models import Programme
    from kotacerdas.survey.services import ensure_links
    from tests.survey.conftest import make_body

    links = ensure_links(unpublished_scores, actor=cast["admin"])
    Programme.objects.create(
        participation=unpublished_scores,
        name="Mal Pelayanan Publik",
        smart_dimension="smart_governance",
        kind=Programme._meta.get_field("kind").choices[0][0],  # type: ignore[index]
        year_started=2021,
        status=Programme._meta.get_field("status").choices[0][0],  # type: ignore[index]
    )
    governance = next(link for link in links if link.smart_dimension == "smart_governance")
    Client().post(
        link_path(governance), data=json.dumps(make_body(seconds=5)), content_type="application/json"
    )
    return cast


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(STARTS))
def test_every_page_of_a_role_speaks_indonesian_without_internals(world: dict[str, Any], role: str) -> None:
    client = Client()
    if world[role] is not None:
        client.force_login(world[role])
    codes = action_codes()
    failures, pages = [], 0
    seen = set()
    for url, status, text in crawl(client, STARTS[role], admin=role == "admin"):
        pages += 1
        seen.add(url)
        if status >= 500:
            failures.append(f"{url}: answered {status}")
            continue
        raw_record = url.startswith("/admin/audit/")
        json_editor = url.startswith("/admin/") and url.endswith("/change/")
        failures += [
            f"{url}: {problem}"
            for problem in problems(text, codes, raw_record=raw_record, json_editor=json_editor)
        ]
    assert pages >= 5, f"{role}: the crawl reached only {pages} pages"
    if role == "admin":  # the walk reached the Django admin's changelists and the survey review
        assert {"/admin/review/reply/", "/admin/cycles/cycle/", "/survei/2030/tinjau/"} <= seen
    if role == "operator_a":
        assert {"/penilaian-mandiri/2030/51.03/program/", "/survei/2030/51.03/"} <= seen
    assert failures == [], f"{role} ({pages} pages):\n" + "\n".join(failures)


def test_the_checks_catch_what_they_are_for() -> None:
    """Each kind of leak, seen on a page, is named (a check that found nothing would pass vacuously)."""
    text = (
        "Unknown region 'X'. No similar region name or code. smart_governance answer.saved "
        "{'level': 3} apbd_share_is_a_percentage Submit and lock the self-assessment"
    )
    found = " ".join(problems(text, {"answer.saved"}))
    for expected in ("Unknown region", "smart_governance", "answer.saved", "dictionary", "apbd_share"):
        assert expected in found
    assert "Submit and lock the self-assessment" in english_texts()
    assert "English: 'Submit and lock the self-assessment'" in found
    assert (
        problems("Kirim dan kunci penilaian mandiri · admin@test.id · 25 November 2024", {"answer.saved"})
        == []
    )


@pytest.mark.django_db
def test_error_pages_are_styled_and_in_indonesian(client: Client) -> None:
    from django.template.loader import render_to_string

    missing = client.get("/tidak-ada-halaman-ini/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "Halaman tidak ditemukan" in html and "site.css" in html and 'class="error-page"' in html
    assert problems(_visible(html), set()) == []
    # The 500 page is rendered without a request or the database (they may be what failed).
    server_error = render_to_string("500.html")
    assert "Terjadi kesalahan" in server_error and "site.css" in server_error
    forbidden = render_to_string("403.html", {"reason": "Di luar jadwal."})
    assert "Di luar jadwal." in forbidden and "javascript:" not in forbidden


def test_the_empty_choice_of_a_select_is_indonesian() -> None:
    from django.db.models import fields
    from django.utils import translation

    with translation.override("id"):
        assert str(fields.BLANK_CHOICE_LABEL) == "- Pilih salah satu -"
    with translation.override("en"):
        assert str(fields.BLANK_CHOICE_LABEL) == "- Select an option -"


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return parser.text


INTERFACE_TEMPLATES = [
    *sorted((ROOT / "selfassessment" / "templates").rglob("*.html")),
    *sorted((ROOT / "review" / "templates").rglob("*.html")),
    *sorted((ROOT / "survey" / "templates").rglob("*.html")),
    *sorted((ROOT / "templates" / "registration").rglob("*.html")),
    *(ROOT / "templates" / name for name in ("base.html", "403.html", "404.html", "500.html")),
]
INLINE = re.compile(r"""\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=|javascript:""", re.IGNORECASE)


@pytest.mark.parametrize("template", INTERFACE_TEMPLATES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_templates_have_no_inline_styles_scripts_or_handlers(template: Path) -> None:
    """A Content-Security-Policy without 'unsafe-inline' leaves nothing inline working: CSS and JS are
    static files."""
    found = [m.group(0).strip() for m in INLINE.finditer(template.read_text(encoding="utf-8"))]
    assert found == []


def test_the_inline_check_catches_what_it_is_for() -> None:
    for inline in (
        '<p style="color:red">',
        "<script>alert(1)</script>",
        '<a onclick="x()">',
        "<style>p{}</style>",
    ):
        assert INLINE.search(inline), inline
    assert not INLINE.search('<script src="/static/a.js" defer></script><p class="stylish">')
