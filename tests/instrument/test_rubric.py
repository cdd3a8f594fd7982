"""The level descriptions of a question are its rubric: the operator sees them next to the self-assessment's
choices, the assessor next to the scores; the report names the instrument by version and content hash."""

import re

import pytest
from django.test import Client

from kotacerdas.accounts.models import User
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.instrument.models import Question
from kotacerdas.reports.builder import build_cycle_part
from kotacerdas.reports.demo import DEMO_CONTENT, load_report_content
from kotacerdas.results.table import current_result_set

pytestmark = pytest.mark.django_db

RUBRIC = {
    "1": "Belum ada Master Plan",
    "2": "Master Plan disusun, belum ditetapkan",
    "3": "Ditetapkan dengan Peraturan Kepala Daerah",
    "4": "Ditetapkan dengan Peraturan Daerah dan dijalankan",
}


@pytest.fixture
def rubric(open_cycle: Cycle) -> Question:
    # The cycle is open, so its instrument is frozen for people; the test sets the rubric directly.
    Question.objects.filter(instrument__cycle=open_cycle, number=1).update(levels=RUBRIC)
    return Question.objects.get(instrument__cycle=open_cycle, number=1)


def _choice(name: str, level: str, text: str) -> str:
    """A radio button whose label holds the level and its description (the accessible name)."""
    return (
        rf'<label class="level"><input type="radio" name="{name}" value="{level}"[^>]*>\s*'
        rf'<span><strong>{level}</strong><span class="level-text">{re.escape(text)}</span></span></label>'
    )


def test_the_operator_sees_the_rubric_next_to_the_choices(
    client: Client, operator_a: User, badung: Participation, rubric: Question
) -> None:
    client.force_login(operator_a)
    html = client.get("/penilaian-mandiri/2030/51.03/baseline/").content.decode()
    section = html[html.index('id="q1"') : html.index('id="q2"')]
    assert 'class="levels rubric"' in section
    for level, text in RUBRIC.items():
        assert re.search(_choice("level", level, text), section), level
    # A question without a rubric keeps its bare numbers.
    other = html[html.index('id="q2"') : html.index('id="q3"')]
    assert "level-text" not in other and 'value="4"' in other


def test_the_assessor_sees_the_rubric_next_to_the_scores(
    client: Client, assessor_user: User, panel: list[User], rubric: Question
) -> None:
    client.force_login(assessor_user)
    html = client.get("/penilaian/2030/51.03/baseline/").content.decode()
    section = html[html.index('id="q1"') : html.index('id="q2"')]
    for level, text in RUBRIC.items():
        assert re.search(_choice("score", level, text), section), level
    assert "<legend" in section  # the choices are one group, named by its legend


def test_the_rubric_is_in_english_pages_as_written(
    client: Client, operator_a: User, badung: Participation, rubric: Question
) -> None:
    client.cookies["django_language"] = "en"
    client.force_login(operator_a)
    html = client.get("/penilaian-mandiri/2030/51.03/baseline/").content.decode()
    assert RUBRIC["3"] in html  # instrument content is data: it stays in the instrument's language


def test_the_report_names_the_instrument_by_version_and_content_hash(cycle_2024: Cycle) -> None:
    load_report_content(DEMO_CONTENT)
    part = build_cycle_part(cycle_2024, current_result_set(cycle_2024))
    assert part.data["content"]["instrument"] == {
        "version": "2024.1",
        "content_hash": cycle_2024.instrument.content_hash,
    }
