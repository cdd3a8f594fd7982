"""The rubric in a real browser: each level's description is the label of its radio button on the operator's
self-assessment page and on the assessor's scoring page (screenshots: docs/screenshots/instrument-rubric-*.png
with KOTACERDAS_SCREENSHOTS=1)."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from kotacerdas.accounts.models import User
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.instrument.models import Question
from kotacerdas.results.demo import load_demo
from tests.browser.test_review_flow import answer, score, sign_in
from tests.workflow import submitted

pytestmark = pytest.mark.slow

RUBRICS = {
    1: {
        "1": "Belum ada Master Plan Smart City.",
        "2": "Master Plan disusun, tetapi belum memiliki payung hukum.",
        "3": "Master Plan ditetapkan dengan Peraturan Kepala Daerah.",
        "4": "Master Plan ditetapkan dengan Peraturan Daerah dan menjadi acuan RPJMD.",
    },
    2: {
        "1": "Dewan Smart City belum dibentuk.",
        "2": "Dewan dibentuk, belum pernah rapat tahun ini.",
        "3": "Dewan rapat satu kali tahun ini.",
        "4": "Dewan rapat lebih dari satu kali dan keputusannya ditindaklanjuti.",
    },
}


@pytest.fixture(autouse=True)
def _demo_after_another_live_server(django_db_blocker: Any) -> None:
    """A live-server test before this one (test_review_flow) ended with a flush of every table, and
    tests/conftest.py reloads the demo only for tests without a live server: this one needs its regions."""
    with django_db_blocker.unblock():
        if not Cycle.objects.filter(year=2024).exists():
            load_demo(say=lambda _: None)


def _with_rubrics(participation: Participation) -> None:
    for number, levels in RUBRICS.items():
        Question.objects.filter(instrument__cycle=participation.cycle, number=number).update(levels=levels)


def test_operator_and_assessor_choose_a_level_by_its_description(
    new_context: Callable[[], Any],
    screenshot: Callable[..., None],
    operator_a: User,
    badung: Participation,
    panel: list[User],
) -> None:
    _with_rubrics(badung)
    page = sign_in(new_context(), operator_a.email)
    page.goto("/penilaian-mandiri/2030/51.03/baseline/")
    first = page.locator("#q1")
    # The description is the radio button's accessible name: choosing by it checks level 3.
    choice = first.get_by_role("radio", name="Master Plan ditetapkan dengan Peraturan Kepala Daerah.")
    choice.check()
    expect(first.locator("input[name=level][value='3']")).to_be_checked()
    answer(page, 1, 3, "Perbup Badung No. 42 Tahun 2029.")  # waits until level and text are saved
    expect(page.locator("#q3 .level-text")).to_have_count(0)  # no rubric: bare numbers
    screenshot(page, "instrument-rubric-selfassessment.png", full_page=False)

    submitted(operator_a, badung)
    page = sign_in(new_context(), panel[0].email)
    page.goto("/penilaian/2030/51.03/baseline/")
    second = page.locator("#q2")
    second.get_by_role("radio", name="Dewan rapat satu kali tahun ini.").check()
    expect(second.locator("input[name=score][value='3']")).to_be_checked()
    score(page, 2, 3, "Notulen rapat Dewan Maret 2030.")
    page.locator("#q1").scroll_into_view_if_needed()
    screenshot(page, "instrument-rubric-review.png", full_page=False)
