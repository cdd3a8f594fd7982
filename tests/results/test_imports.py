"""Imports are all-or-nothing and idempotent, and every problem names its file, line, field and value."""

import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, Participation, Track
from kotacerdas.results.imports import (
    ImportRejected,
    import_assessor_scores,
    import_question_scores,
    import_results,
    import_survey,
)
from kotacerdas.results.models import PublishedScore, RegionResult
from kotacerdas.results.services import live_result_set
from kotacerdas.review.models import AgreedScore, AssessorScore
from kotacerdas.survey.models import SurveyAnswer, SurveyResponse

WriteFile = Callable[[str, str], Path]


def _live(cycle: Cycle, code: str) -> RegionResult:
    return RegionResult.objects.get(result_set=live_result_set(cycle), participation__region__code=code)


def _counts() -> tuple[int, ...]:
    return (
        PublishedScore.objects.count(),
        AgreedScore.objects.count(),
        AssessorScore.objects.count(),
        SurveyResponse.objects.count(),
        SurveyAnswer.objects.count(),
        RegionResult.objects.count(),
    )


def _rejected(run: Callable[[], object]) -> list[str]:
    before = _counts()
    with pytest.raises(ImportRejected) as info:
        run()
    assert _counts() == before, "a rejected import must store nothing"
    return info.value.lines()


# --- import-results -------------------------------------------------------------------------------


def test_results_import_accepts_decimal_commas_semicolons_and_dashes(
    make_cycle, write_file: WriteFile
) -> None:
    cycle = make_cycle(2030)
    path = write_file(
        "r.csv",
        "region;track;baseline;output;outcome;impact;quick_wins;collaboration;final\n"
        "Kabupaten Badung;REGULER;3,56;2,73;3,27;3,18;2,8;-;3,08\n",
    )
    summary = import_results(path, cycle, actor=CLI)
    assert summary.regions == 1 and summary.scores_changed == 5
    assert _live(cycle, "51.03").final == Decimal("3.08")


def test_results_import_reads_xlsx(make_cycle, tmp_path: Path) -> None:
    cycle = make_cycle(2030)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["region_code", "track", "baseline", "output", "outcome", "impact", "quick_wins", "final"])
    sheet.append(["51.03", "REGULER", 3.56, 2.73, 3.27, 3.18, 2.8, 3.08])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    import_results(path, cycle, actor=CLI)
    assert _live(cycle, "51.03").final == Decimal("3.08")


def test_results_import_refuses_a_final_the_engine_does_not_compute(
    make_cycle, write_file: WriteFile
) -> None:
    cycle = make_cycle(2030)
    path = write_file(
        "r.csv",
        "region,track,baseline,output,outcome,impact,quick_wins,final,rank\n"
        "KAB. BADUNG,REGULER,3.56,2.73,3.27,3.18,2.80,3.10,1\n",
    )
    lines = _rejected(lambda: import_results(path, cycle, actor=CLI))
    assert lines == [f"{path}:2: final='3.10' the engine computes 3.08"]
    assert not Participation.objects.get(cycle=cycle, region__code="51.03").published_scores.exists()


def test_results_import_lists_every_bad_row_with_line_field_and_value(
    make_cycle, write_file: WriteFile
) -> None:
    cycle = make_cycle(2030)
    path = write_file(
        "r.csv",
        "region,track,baseline,output\n"
        "KAB. BADUNG,REGULER,3.56,2.73\n"
        "Bandunk,REGULER,3,3\n"
        "Bandung,REGULER,3,3\n"
        "KOTA BANDUNG,REGULAR,3,3\n"
        "KAB. BANDUNG,REGULER,4.5,abc\n"
        "KAB. BADUNG,REGULER,3.56,2.73\n"
        "KAB. BANYUMAS,REGULER,3,3\n",
    )
    lines = _rejected(lambda: import_results(path, cycle, actor=CLI))
    text = "\n".join(lines)
    assert f"{path}:3: region='Bandunk' Daerah 'Bandunk' tidak dikenal" in text
    assert "Kabupaten Bandung (32.04)" in text
    assert f"{path}:4: region='Bandung' Nama daerah 'Bandung' ambigu" in text
    assert f"{path}:5: track='REGULAR' expected REGULER or KPPN IKN" in text
    assert f"{path}:6: baseline='4.5' outside the scale 0–4" in text
    assert f"{path}:6: output='abc' not a number" in text
    assert f"{path}:7: region='Kabupaten Badung' already given on line 2" in text
    assert f"{path}:8: region='KAB. BANYUMAS' Kabupaten Banyumas (33.02) does not take part in 2030" in text


def test_results_import_names_missing_and_unknown_columns(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030)
    path = write_file("r.csv", "region,baseline,smartness\nKAB. BADUNG,3,4\n")
    lines = _rejected(lambda: import_results(path, cycle, actor=CLI))
    assert f"{path}:1: header='track' required column is missing" in lines
    assert any("header='smartness' unknown column" in line for line in lines)


def test_results_import_twice_changes_nothing(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030)
    path = write_file(
        "r.csv",
        "region,track,baseline,output,outcome,impact,quick_wins,final,improvement\n"
        "KAB. BADUNG,REGULER,3.56,2.73,3.27,3.18,2.80,3.08,0.11\n",
    )
    import_results(path, cycle, actor=CLI)
    computed_at = live_result_set(cycle).computed_at
    before = _counts()
    again = import_results(path, cycle, actor=CLI)
    assert (again.scores_changed, again.tracks_changed, again.previous_finals_derived) == (0, 0, 0)
    assert _counts() == before
    assert live_result_set(cycle).computed_at == computed_at


# --- import-question-scores and import-scores -----------------------------------------------------


def test_agreed_question_scores_make_the_dimension_raw(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030)
    rows = "".join(f"KAB. BADUNG,{q},{s}\n" for q, s in [(1, 4), (2, 3), (3, '"3,6"'), (4, 3.8), (5, 3.4)])
    import_question_scores(write_file("q.csv", "region,question,score\n" + rows), cycle, actor=CLI)
    baseline = _live(cycle, "51.03").dimensions["baseline"]
    assert (baseline["score"], baseline["source"]) == ("3.56", "raw")


def test_question_scores_out_of_scale_or_conflicting_are_refused(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030)
    path = write_file(
        "q.csv",
        "region,question,score\nKAB. BADUNG,1,4.2\nKAB. BADUNG,2,3\nKAB. BADUNG,2,2\n"
        "KAB. BADUNG,999,3\nKAB. BADUNG,3,\n",
    )
    lines = _rejected(lambda: import_question_scores(path, cycle, actor=CLI))
    assert lines == [
        f"{path}:2: score='4.2' outside question 1's scale 1–4",
        f"{path}:4: score='2' conflicts with line 3 (3) for the same region and question",
        f"{path}:5: question='999' the 2030 instrument has no question 999",
        f"{path}:6: score='' an agreed score cannot be empty",
    ]


ASSESSOR_HEADER = "region,assessor,institution,question,score,note\n"


def test_assessor_scores_average_per_question_and_skip_blanks(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030)
    rows = "".join(
        f"KAB. BADUNG,Asesor {a},Universitas {a},1,{s},\n" for a, s in enumerate([4, 4, 3, 4, ""], start=1)
    )
    import_assessor_scores(write_file("s.csv", ASSESSOR_HEADER + rows), cycle, actor=CLI)
    baseline = _live(cycle, "51.03").dimensions["baseline"]
    q1 = baseline["questions"][0]
    assert (q1["score"], q1["source"], q1["count"]) == ("3.75", "raw", 4)
    # Questions 2–5 have no input: they count as 0 and are reported missing.
    assert baseline["score"] == "0.75"
    assert _live(cycle, "51.03").missing_questions[:4] == [2, 3, 4, 5]


def test_agreed_score_stands_over_assessor_scores(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030)
    import_assessor_scores(
        write_file("s.csv", ASSESSOR_HEADER + "KAB. BADUNG,A,U,1,2,\nKAB. BADUNG,B,U,1,2,\n"),
        cycle,
        actor=CLI,
    )
    import_question_scores(
        write_file("q.csv", "region,question,score\nKAB. BADUNG,1,3.4\n"), cycle, actor=CLI
    )
    q1 = _live(cycle, "51.03").dimensions["baseline"]["questions"][0]
    assert (q1["score"], q1["source"]) == ("3.40", "agreed")


def test_assessor_scores_refuse_survey_questions_fractions_and_conflicts(
    make_cycle, write_file: WriteFile
) -> None:
    cycle = make_cycle(2030)
    path = write_file(
        "s.csv",
        ASSESSOR_HEADER + "KAB. BADUNG,A,U,50,3,\nKAB. BADUNG,A,U,1,3.5,\n"
        "KAB. BADUNG,A,U,2,5,\nKAB. BADUNG,A,U,3,2,\nKAB. BADUNG,A,U,3,3,\n"
        "KAB. BADUNG,,U,4,3,\n",
    )
    lines = _rejected(lambda: import_assessor_scores(path, cycle, actor=CLI))
    assert lines == [
        f"{path}:2: question='50' is answered by the citizen survey, not scored by assessors",
        f"{path}:3: score='3.5' not a whole number",
        f"{path}:4: score='5' outside question 2's scale 1–4",
        f"{path}:6: score='3' conflicts with line 5 for the same region, assessor and question",
        f"{path}:7: assessor='' the assessor's name is empty",
    ]


def test_assessor_scores_twice_change_nothing_and_a_change_is_audited(
    make_cycle, write_file: WriteFile
) -> None:
    from kotacerdas.audit.models import AuditEvent

    cycle = make_cycle(2030)
    path = write_file("s.csv", ASSESSOR_HEADER + "KAB. BADUNG,A,U,1,2,ok\n")
    import_assessor_scores(path, cycle, actor=CLI)
    assert import_assessor_scores(path, cycle, actor=CLI).unchanged == 1
    assert AssessorScore.objects.filter(assignment__participation__cycle=cycle).count() == 1
    import_assessor_scores(
        write_file("s2.csv", ASSESSOR_HEADER + "KAB. BADUNG,A,U,1,3,revised\n"), cycle, actor=CLI
    )
    event = AuditEvent.objects.filter(action="score.assessor.changed").latest("id")
    assert (event.old, event.new) == ({"score": 2, "note": "ok"}, {"score": 3, "note": "revised"})


# --- import-survey ---------------------------------------------------------------------------------

SURVEY_HEADER = "response_id,region,dimension,respondent,submitted_at,question,score\n"


def _response(
    rid: str,
    scores: list[int],
    region: str = "KAB. BADUNG",
    start: int = 50,
    dimension: str = "smart_governance",
    when: str = "2030-10-01T09:00:00+07:00",
) -> str:
    return "".join(
        f"{rid},{region},{dimension},R-{rid},{when},{start + i},{s}\n" for i, s in enumerate(scores)
    )


def test_survey_answers_feed_impact_with_their_distribution(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030)
    body = (
        _response("a", [4] * 9) + _response("b", [3] * 9) + _response("b", [3] * 9)
    )  # b retried identically
    summary = import_survey(write_file("v.csv", SURVEY_HEADER + body), cycle, actor=CLI)
    assert (summary.responses, summary.created, summary.answers) == (2, 2, 18)
    impact = _live(cycle, "51.03").dimensions["impact"]
    q50 = impact["questions"][0]
    assert (q50["score"], q50["count"], q50["source"]) == ("3.50", 2, "raw")
    # 9 of 54 impact questions answered: (9 × 3.5) / 54 = 0.583… → 0.58
    assert impact["score"] == "0.58"


def test_survey_import_twice_changes_nothing(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030)
    path = write_file("v.csv", SURVEY_HEADER + _response("a", [4] * 9))
    import_survey(path, cycle, actor=CLI)
    before = _counts()
    assert import_survey(path, cycle, actor=CLI).unchanged == 1
    assert _counts() == before


def test_survey_conflicting_replay_is_refused_in_the_file_and_against_the_database(
    make_cycle, write_file: WriteFile
) -> None:
    cycle = make_cycle(2030)
    import_survey(write_file("v1.csv", SURVEY_HEADER + _response("a", [4] * 9)), cycle, actor=CLI)
    path = write_file(
        "v2.csv",
        SURVEY_HEADER
        + _response("a", [3] * 9)
        + _response("c", [1, 2])
        + "c,KAB. BADUNG,smart_governance,R-c,2030-10-01T09:00:00+07:00,50,4\n",
    )
    lines = _rejected(lambda: import_survey(path, cycle, actor=CLI))
    assert f"{path}:2: response_id='a' already stored with different content (a conflicting replay)" in lines
    assert any(
        line.startswith(f"{path}:13: score='4' conflicts with an earlier row of response c") for line in lines
    )


def test_survey_rows_are_checked_field_by_field(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030)
    path = write_file(
        "v.csv",
        SURVEY_HEADER
        + "x,KAB. BADUNG,smart_governance,R,2030-10-01T09:00:00,50,4\n"
        + "y,KAB. BADUNG,smart_branding,R,2030-10-01T09:00:00+07:00,50,4\n"
        + "z,KAB. BADUNG,smart_mood,R,2030-10-01T09:00:00+07:00,50,4\n"
        + "w,KAB. BADUNG,smart_governance,R,2030-10-01T09:00:00+07:00,51,0\n",
    )
    lines = _rejected(lambda: import_survey(path, cycle, actor=CLI))
    assert lines == [
        f"{path}:2: submitted_at='2030-10-01T09:00:00' needs a UTC offset, e.g. +07:00",
        f"{path}:3: question='50' is not a smart_branding survey question",
        f"{path}:4: dimension='smart_mood' expected one of smart_governance, smart_branding, smart_economy, "
        "smart_living, smart_society, smart_environment",
        f"{path}:5: score='0' expected a whole number 1–4",
    ]


def test_the_later_rows_of_a_response_are_checked_answer_by_answer(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030)
    rows = _response("a", [4, 3, 2, 1, 4, 3, 2, 1, 4]).splitlines(keepends=True)
    rows[3] = rows[3].replace(",53,1", ",53,9")  # out of the scale
    rows[4] = rows[4].replace(",54,4", ",54,x")  # not a number
    rows[5] = rows[5].replace(",55,3", ",60,3")  # a smart_branding question
    rows[6] = rows[6].replace(",56,2", ",999,2")  # no such question
    rows[7] = rows[7].replace(",57,1", ",50,2")  # question 50 again, another score
    path = write_file("v.csv", SURVEY_HEADER + "".join(rows) + rows[8].replace(",R-a,", ",R-b,"))
    lines = _rejected(lambda: import_survey(path, cycle, actor=CLI))
    assert lines == [
        f"{path}:5: score='9' expected a whole number 1–4",
        f"{path}:6: score='x' not a number",
        f"{path}:7: question='60' is not a smart_governance survey question",
        f"{path}:8: question='999' the 2030 instrument has no question 999",
        f"{path}:9: score='2' conflicts with an earlier row of response a for question 50 (score 4)",
        f"{path}:11: response_id='a' conflicts with line 2: same id, other region, dimension, respondent "
        "or time",
    ]


def test_survey_import_of_many_rows_stores_them_all(make_cycle, write_file: WriteFile) -> None:
    cycle = make_cycle(2030, regions=("51.03",), track=Track.KPPN_IKN)
    body = "".join(
        _response(
            f"r{i}",
            [1 + (i + k) % 4 for k in range(9)],
            start=50 + 9 * (i % 6),
            dimension=[
                "smart_governance",
                "smart_branding",
                "smart_economy",
                "smart_living",
                "smart_society",
                "smart_environment",
            ][i % 6],
        )
        for i in range(600)
    )
    summary = import_survey(write_file("v.csv", SURVEY_HEADER + body), cycle, actor=CLI)
    assert (summary.created, summary.answers) == (600, 5400)
    assert SurveyAnswer.objects.filter(response__participation__cycle=cycle).count() == 5400


# --- the commands ----------------------------------------------------------------------------------


def test_import_command_prints_every_problem_and_exits_non_zero(make_cycle, write_file: WriteFile) -> None:
    make_cycle(2030)
    path = write_file("q.csv", "region,question,score\nKAB. BADUNG,1,9\nNowhere,2,3\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="rejected with 2 problem"):
        call_command("import_question_scores", str(path), "--year", "2030", stderr=err)
    assert err.getvalue().splitlines()[0] == f"{path}:2: score='9' outside question 1's scale 1–4"
    second = err.getvalue().splitlines()[1]
    assert second.startswith(f"{path}:3: region='Nowhere' Daerah 'Nowhere' tidak dikenal")


def test_import_command_for_an_unknown_year_says_which_cycles_exist(db: None, write_file: WriteFile) -> None:
    with pytest.raises(CommandError, match=r"no evaluation cycle for 1999 \(known cycles: 2024\)"):
        call_command("import_scores", str(write_file("s.csv", ASSESSOR_HEADER)), "--year", "1999")
