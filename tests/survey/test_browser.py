"""The form in a real browser (Debian's chromium through Playwright): the network is cut before the
answers are sent, comes back, and the response arrives once."""

import shutil
from typing import Any

import pytest
from django.db import connections

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Participation
from kotacerdas.survey import services
from kotacerdas.survey.models import SurveyResponse
from kotacerdas.survey.views import link_path

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)"
    ),
    pytest.mark.usefixtures("demo_around_module"),
]


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Any:
    # Playwright's synchronous API runs an event loop in this thread; Django's guard against database
    # calls from async code would trip on the test's own queries (for this test only: monkeypatch).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        context = browser.new_context(viewport={"width": 390, "height": 844})
        yield context.new_page()
        browser.close()
        # Queries made while Playwright's loop runs get their own (context-local) connection: close it, or
        # the test database could not be dropped at the end of the session.
        connections.close_all()


def test_answers_survive_a_network_cut_and_arrive_once(live_server: Any, browser_page: Any) -> None:
    participation = Participation.objects.get(cycle__year=2024, region__code="32.73")
    link = services.ensure_links(participation, actor=CLI)[0]
    page = browser_page
    page.goto(live_server.url + link_path(link))
    fieldsets = page.locator("fieldset.q")
    assert fieldsets.count() == 9
    # Keyboard only: past the language link to the first question's scale, then an arrow key moves the
    # choice within it, as in any radio group.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    assert fieldsets.nth(0).locator("input:checked").get_attribute("value") == "2"
    for i in range(9):
        # The radios are named by their labels (number and words), as a screen reader reads them.
        fieldsets.nth(i).get_by_label(["3 Setuju", "4 Sangat setuju", "3 Setuju"][i % 3], exact=True).click()

    page.context.set_offline(True)
    page.get_by_role("button", name="Kirim jawaban").click()
    status = page.locator("#status")
    status.filter(has_text="tidak ada koneksi").wait_for(timeout=10_000)
    outbox = page.evaluate("localStorage.getItem('kotacerdas-survey-outbox')")
    assert outbox and "submission_id" in outbox
    assert not SurveyResponse.objects.filter(link=link).exists()

    page.context.set_offline(False)
    status.filter(has_text="Terima kasih").wait_for(timeout=15_000)
    assert page.evaluate("localStorage.getItem('kotacerdas-survey-outbox')") == "{}"
    # A reload resends nothing more: the outbox is empty.
    page.reload()
    page.wait_for_timeout(500)
    stored = SurveyResponse.objects.filter(link=link)
    assert stored.count() == 1
    assert stored[0].pattern == "".join("343" * 3)
