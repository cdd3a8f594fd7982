"""The Content-Security-Policy forbids inline code ('unsafe-inline' is absent), so no page may hold any.

Every template, and a crawl of every role's pages (the crawl of tests/test_indonesian_interface.py, one page
of each shape, the public survey added), holds no <script> block, no <style> block, no style="…" attribute,
no on…= handler and no javascript: link; every page carries the policy."""

from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client

from tests import test_indonesian_interface as interface
from tests.test_indonesian_interface import STARTS, crawl, world  # noqa: F401  (world is a fixture)

# <script> elements that hold data, not code: browsers never run them, and CSP does not govern them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineCode(HTMLParser):
    """Every inline script, style block, style attribute, event handler and javascript: URL of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script_line: int | None = None
        self._script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        named = dict(attrs)
        if tag == "script" and not named.get("src") and named.get("type") not in DATA_SCRIPT_TYPES:
            self._script_line, self._script_text = line, ""
        if tag == "style":
            self.found.append(f"line {line}: <style> block")
        for name, value in attrs:
            script_url = name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:")
            if name == "style" or name.startswith("on") or script_url:
                self.found.append(f'line {line}: <{tag} {name}="{value}">')

    def handle_data(self, data: str) -> None:
        if self._script_line is not None:
            self._script_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script_line is not None:
            self.found.append(f"line {self._script_line}: inline <script> {self._script_text.strip()[:60]!r}")
            self._script_line = None


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


class RecordingClient(Client):
    """A test client that keeps every HTML response the crawl reads."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, HttpResponse] = {}

    def get(self, path: str, *args: Any, **kwargs: Any) -> Any:
        response = super().get(path, *args, **kwargs)
        if "text/html" in response.get("Content-Type", ""):
            self.pages[path] = response
        return response


def _survey_pages() -> list[str]:
    from kotacerdas.survey.models import SurveyLink
    from kotacerdas.survey.views import link_path

    link = SurveyLink.objects.filter(closed_at__isnull=True).first()
    assert link is not None
    return [link_path(link)]


def test_no_template_holds_inline_code() -> None:
    templates = [
        path for path in (settings.BASE_DIR / "kotacerdas").rglob("*.html") if "templates" in path.parts
    ]
    assert len(templates) > 40
    failures = [
        f"{path.relative_to(settings.BASE_DIR)}: {problem}"
        for path in templates
        for problem in inline_code(path.read_text(encoding="utf-8"))
    ]
    assert failures == [], "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(STARTS))
def test_no_page_holds_inline_code(
    world: dict[str, Any],  # noqa: F811
    role: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One page of each shape: the templates are checked whole above; the crawl finds what code renders.
    monkeypatch.setattr(interface, "PER_SHAPE", 1)
    client = RecordingClient()
    if world[role] is not None:
        client.force_login(world[role])
    starts = STARTS[role] + (_survey_pages() if role == "anonymous" else [])
    for _page in crawl(client, starts, admin=role == "admin"):
        pass
    assert len(client.pages) >= 5, f"{role}: the crawl reached only {len(client.pages)} pages"
    failures = [
        f"{url}: {problem}"
        for url, response in client.pages.items()
        for problem in inline_code(response.content.decode())
    ]
    assert failures == [], f"{role} ({len(client.pages)} pages):\n" + "\n".join(failures)
    missing = [url for url, response in client.pages.items() if "Content-Security-Policy" not in response]
    assert missing == [], f"pages without the policy: {missing}"


def test_the_policy_allows_no_inline_code_and_nothing_from_elsewhere() -> None:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("default-src", "script-src", "style-src"):
        assert directives[directive] == ["'self'"], directive
    flat = [source for sources in directives.values() for source in sources]
    assert not [s for s in flat if "unsafe" in s or s.startswith(("http", "*"))]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_every_response_carries_the_policy() -> None:
    response = Client().get("/hasil/2024/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_check_finds_each_kind_of_inline_code() -> None:
    html = (
        '<html><head><style>p{}</style><script>alert(1)</script><script src="/static/x.js"></script>'
        '<script type="application/json" id="d">{"a": 1}</script></head>'
        '<body style="margin:0"><button onclick="go()">x</button><a href="javascript:void(0)">y</a>'
        '<form onsubmit="return confirm(1)"></form><svg><rect style="fill:red"/></svg></body></html>'
    )
    found = "\n".join(inline_code(html))
    assert len(inline_code(html)) == 7, found
    for expected in (
        "<style> block",
        "alert(1)",
        'style="margin:0"',
        "onclick",
        "javascript:",
        "onsubmit",
        "fill:red",
    ):
        assert expected in found
    assert inline_code('<p class="x"><script src="/static/a.js" defer></script></p>') == []
