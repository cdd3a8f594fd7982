"""Under the Content-Security-Policy (no 'unsafe-inline'), chromium blocks nothing on the pages people
use: no script, style or handler of ours is refused, and a behaviour moved to a static script still works."""

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.test_review_flow import sign_in

# Records every violation the browser reports, from before the page's own code runs.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(
    e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber
  );
});
"""


def _violations(context: Any, paths: list[str], page: Any = None) -> list[str]:
    page = page or context.new_page()
    found: list[str] = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and found.append(message.text)
    )
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status < 400, path
        assert "unsafe-inline" not in response.headers["content-security-policy"], path
        page.wait_for_load_state("load")
        found += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
    return found


@pytest.mark.django_db(transaction=True)
def test_public_pages_and_the_survey_break_no_rule(new_context: Any) -> None:
    from kotacerdas.core.actors import CLI
    from kotacerdas.cycles.models import Participation
    from kotacerdas.survey.services import ensure_links
    from kotacerdas.survey.views import link_path

    badung = Participation.objects.get(cycle__year=2024, region__code="51.03")
    survey = link_path(ensure_links(badung, actor=CLI)[0])
    context = new_context()
    context.add_init_script(LISTEN)
    paths = [
        "/",
        "/hasil/2024/",
        "/hasil/2024/51.03/",
        "/metodologi/2024/",
        "/verifikasi/",
        "/accounts/login/",
        "/api/v1/docs",  # django-ninja's Swagger UI, from its own static files
    ]
    assert _violations(context, [*paths, survey]) == []


@pytest.mark.django_db(transaction=True)
def test_staff_pages_break_no_rule_and_keep_their_behaviours(new_context: Any, cast: dict[str, Any]) -> None:
    from kotacerdas.cycles.models import Participation
    from kotacerdas.survey.services import ensure_links

    ensure_links(Participation.objects.get(cycle__year=2024, region__code="51.03"), actor=cast["admin"])
    context = new_context()
    context.add_init_script(LISTEN)
    page = sign_in(context, cast["admin"].email)
    paths = [
        "/kelola/2024/",
        "/kelola/2024/51.03/",
        "/kelola/undangan/",
        "/survei/2024/51.03/",
        "/survei/2024/51.03/smart_governance/poster/",
        "/admin/",
        "/admin/reports/reportbatch/",
    ]
    assert _violations(context, paths, page) == []
    # The poster's print button is bound by a static script, not an inline handler.
    page.goto("/survei/2024/51.03/smart_governance/poster/")
    page.evaluate("window.print = function () { window.__printed = true; }")
    page.get_by_role("button", name="Cetak").click()
    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("window.__printed") is True
