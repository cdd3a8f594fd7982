"""Browser tests: Debian's chromium, driven through Playwright's synchronous API, against pytest-django's
live server. The browser is the system's /usr/bin/chromium; never run `playwright install`.

Screenshots are written to docs/screenshots/ only when KOTACERDAS_SCREENSHOTS=1, so that ordinary runs
leave the working tree alone.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOTS = settings.BASE_DIR / "docs" / "screenshots"


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless chromium for every test of this package.

    Package-scoped rather than session-scoped on purpose: while Playwright's synchronous API is started it
    keeps an asyncio loop marked as running in the main thread, and under that loop another Playwright
    (tests/survey/test_browser.py) refuses to start and Django refuses database calls. The loop stops when
    the last browser test is done, before any other package's tests run."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait up to 15 s (as actions do): a busy CI machine must not turn into a failure.
    expect.set_options(timeout=15_000)

    # The tests' own code stays synchronous: Django's guard against database calls from async code would
    # otherwise trip on every query the test makes while Playwright's loop is marked as running.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        # Queries made while Playwright's loop ran may hold their own connection: close it, or the test
        # database (PostgreSQL) could not be dropped at the end of the session.
        connections.close_all()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_context(browser: Any, live_server: Any) -> Iterator[Callable[[], Any]]:
    """Makes browser contexts (one per signed-in person: separate cookies and localStorage) aimed at the
    live server, 1280×900; all are closed after the test."""
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    connections.close_all()


@pytest.fixture
def screenshot() -> Callable[..., None]:
    """``screenshot(page, "name.png")``: saved under docs/screenshots/ when KOTACERDAS_SCREENSHOTS=1."""

    def take(page: Any, name: str, *, full_page: bool = True) -> None:
        if os.environ.get("KOTACERDAS_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / name, full_page=full_page, animations="disabled", caret="hide")

    return take


@pytest.fixture(autouse=True)
def _media_in_tmp(tmp_path: Path, settings: Any) -> None:
    """Uploaded evidence goes to the test's own folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
