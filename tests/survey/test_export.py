"""export-survey prints what import-survey reads: export, wipe, import reproduces the responses."""

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command

from kotacerdas.core.actors import CLI
from kotacerdas.results.imports import import_survey
from kotacerdas.survey.models import SurveyLink, SurveyResponse
from tests.survey.conftest import make_body


def _snapshot(cycle: Any) -> set[tuple[Any, ...]]:
    return set(
        SurveyResponse.objects.filter(participation__cycle=cycle).values_list(
            "response_id", "participation__region__code", "smart_dimension", "respondent", "submitted_at",
            "content_digest", "answers__question__number", "answers__score",
        )
    )  # fmt: skip


def test_export_wipe_import_reproduces_the_responses(
    links: dict[str, SurveyLink], post: Any, tmp_path: Path
) -> None:
    cycle = links["smart_governance"].participation.cycle
    for i in range(3):
        post(links["smart_governance"], make_body([1 + i, 2, 3, 4, 1, 2, 3, 4, 2]), REMOTE_ADDR=f"10.0.0.{i}")
    post(links["smart_living"], make_body([2, 3, 2, 3, 2, 3, 2, 3, 4], numbers=list(range(77, 86))))
    before = _snapshot(cycle)
    out = io.StringIO()
    call_command("export_survey", year=cycle.year, stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == "response_id,region,dimension,respondent,submitted_at,question,score"
    assert len(text.splitlines()) == 1 + 4 * 9

    path = tmp_path / "survey.csv"
    path.write_text(text, encoding="utf-8")
    # Re-importing over the same database changes nothing: the digests match.
    assert import_survey(path, cycle, actor=CLI).unchanged == 4

    SurveyResponse.objects.filter(participation__cycle=cycle).delete()
    summary = import_survey(path, cycle, actor=CLI)
    assert summary.created == 4
    assert _snapshot(cycle) == before


def test_export_of_one_region_and_excluded_responses_only_on_request(
    links: dict[str, SurveyLink], post: Any
) -> None:
    cycle = links["smart_governance"].participation.cycle
    post(links["smart_governance"], make_body([4] * 9, seconds=30))  # unread straight line: flagged
    out = io.StringIO()
    call_command("export_survey", year=cycle.year, region="Kabupaten Badung", stdout=out)
    assert len(out.getvalue().splitlines()) == 1
    out = io.StringIO()
    call_command("export_survey", year=cycle.year, region="51.03", all=True, stdout=out)
    assert len(out.getvalue().splitlines()) == 10


def test_survey_links_prints_six_links_and_is_idempotent(survey_cycle: Any) -> None:
    first, second = io.StringIO(), io.StringIO()
    call_command("survey_links", year=survey_cycle.year, region="KAB. BADUNG", stdout=first)
    call_command("survey_links", year=survey_cycle.year, region="51.03", stdout=second)
    lines = first.getvalue().splitlines()
    assert lines[0] == "dimension,url" and len(lines) == 7
    assert lines[1].startswith("smart_governance,http://127.0.0.1:8000/s/")
    assert first.getvalue() == second.getvalue()
