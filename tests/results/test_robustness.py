"""`kotacerdas robustness` on the 2024 demo: pinned intervals, determinism, the CSV and the API, the audit;
and the gathering of a panel's and a survey's inputs from a published revision."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kotacerdas.audit.models import AuditEvent
from kotacerdas.cycles.models import Cycle
from kotacerdas.results.models import RegionResult, ResultSet, ResultSetStatus, RobustnessRun
from kotacerdas.results.robustness import _panel_variants, _survey
from kotacerdas.scoring import survey_score

pytestmark = pytest.mark.django_db

DRAWS, SEED = "500", "7"


def _run(*extra: str) -> str:
    out = io.StringIO()
    call_command("robustness", "--year", "2024", *extra, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _intervals() -> dict[str, tuple[int | None, int | None, int | None]]:
    published = ResultSet.objects.get(cycle__year=2024, status=ResultSetStatus.PUBLISHED)
    return {
        row.participation.region.code: (row.rank_median, row.rank_low, row.rank_high)
        for row in RegionResult.objects.filter(result_set=published).select_related("participation__region")
    }


def test_the_command_stores_pinned_intervals_for_a_fixed_seed() -> None:
    printed = _run("--draws", DRAWS, "--seed", SEED)
    stored = _intervals()
    assert stored["51.03"] == (59, 57, 61)  # KAB. BADUNG, rank 59
    assert stored["32.73"] == (1, 1, 1)  # KOTA BANDUNG, first by 0.12
    assert stored["35.10"] == (9, 7, 17)  # KAB. BANYUWANGI, rank 9 in a crowd
    assert all(low is not None and low <= median <= high for median, low, high in stored.values())  # type: ignore[operator]
    assert "   59      59      57–61  51.03     REGULER   KAB. BADUNG" in printed
    assert "500 draws, seed 7, Dirichlet concentration 100; 140 regions" in printed
    assert "REGULER: baseline " in printed  # the sensitivity indices

    run = RobustnessRun.objects.get()
    assert (run.draws, run.seed, run.result_set.revision) == (500, 7, 1)
    assert set(run.sensitivity) == {"REGULER", "KPPN IKN"}
    assert set(run.sensitivity["KPPN IKN"]) == {
        "baseline",
        "output",
        "outcome",
        "impact",
        "quick_wins",
        "collaboration",
    }
    assert run.parameters["concentration"] == 100.0
    event = AuditEvent.objects.filter(action="results.robustness").get()
    assert event.new["draws"] == 500 and event.new["regions"] == 140


def test_the_same_seed_gives_the_same_intervals_and_another_seed_may_not() -> None:
    _run("--draws", DRAWS, "--seed", SEED)
    first = _intervals()
    _run("--draws", DRAWS, "--seed", SEED)
    assert _intervals() == first
    _run("--draws", DRAWS, "--seed", "8")
    assert _intervals() != first
    assert RobustnessRun.objects.count() == 3


def _csv() -> dict[str, dict[str, str]]:
    out = io.StringIO()
    call_command("results", "--year", "2024", "--format", "csv", stdout=out, stderr=io.StringIO())
    return {row["region_code"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}


def test_the_results_csv_fills_rank_low_and_rank_high_after_the_command() -> None:
    before = _csv()
    assert (before["51.03"]["rank_low"], before["51.03"]["rank_high"]) == ("", "")
    _run("--draws", DRAWS, "--seed", SEED)
    after = _csv()
    assert (after["51.03"]["rank"], after["51.03"]["rank_low"], after["51.03"]["rank_high"]) == (
        "59",
        "57",
        "61",
    )
    assert all(row["rank_low"] and row["rank_high"] for row in after.values())


def test_the_api_exposes_the_interval(client: Client) -> None:
    badung = next(r for r in client.get("/api/v1/cycles/2024/results").json() if r["region_code"] == "51.03")
    assert (badung["rank_median"], badung["rank_low"], badung["rank_high"]) == (None, None, None)
    _run("--draws", DRAWS, "--seed", SEED)
    badung = next(r for r in client.get("/api/v1/cycles/2024/results").json() if r["region_code"] == "51.03")
    assert (badung["rank"], badung["rank_median"], badung["rank_low"], badung["rank_high"]) == (
        59,
        59,
        57,
        61,
    )
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ResultRow"]["properties"]
    assert {"rank_median", "rank_low", "rank_high"} <= schema.keys()


def test_a_cycle_without_a_published_revision_is_an_error_and_nothing_is_stored(
    make_cycle,  # type: ignore[no-untyped-def]
) -> None:
    cycle: Cycle = make_cycle(year=2030)
    with pytest.raises(CommandError, match="2030 has no published results"):
        call_command("robustness", "--year", str(cycle.year), stdout=io.StringIO())
    assert not RobustnessRun.objects.exists()


def test_bad_draws_are_refused() -> None:
    with pytest.raises(CommandError, match="must be at least 1"):
        call_command(
            "robustness", "--year", "2024", "--draws", "0", stdout=io.StringIO(), stderr=io.StringIO()
        )


def _row(dimensions: dict[str, object], inputs: dict[str, object]) -> RegionResult:
    return RegionResult(track="REGULER", final=Decimal(0), rank=1, dimensions=dimensions, inputs=inputs)


def _question(number: int, score: str, source: str = "raw") -> dict[str, object]:
    return {"number": number, "score": score, "source": source, "count": 0}


def test_the_panel_variants_leave_each_frozen_assessor_out_in_turn() -> None:
    # Q1: assessors A, B, C scored 4, 2, 3 (mean 3.00); Q2 is agreed at 1.00 and stands; Q3: A 4, B 4.
    scores = {
        "1": [{"assessor": n, "institution": "U", "score": s} for n, s in (("A", 4), ("B", 2), ("C", 3))],
        "2": [{"assessor": "A", "institution": "U", "score": 4}],
        "3": [
            {"assessor": "A", "institution": "U", "score": 4},
            {"assessor": "B", "institution": "U", "score": 4},
        ],
    }
    dimensions = {
        "baseline": {
            "score": "2.67",
            "source": "raw",
            "questions": [_question(1, "3.00"), _question(2, "1.00", "agreed"), _question(3, "4.00")],
        },
        "impact": {"score": "3.00", "source": "published", "questions": []},
    }
    notes: list[str] = []
    variants = _panel_variants(
        _row(dimensions, {"assessor_scores": scores}), {"baseline": Decimal("0.1")}, notes
    )
    # Without A: Q1 2.50, Q3 4.00 → 2.50; without B: 3.50, 4.00 → 2.83; without C: 3.00, 4.00 → 2.67.
    assert variants == (
        {"baseline": Decimal("2.50")},
        {"baseline": Decimal("2.83")},
        {"baseline": Decimal("2.67")},
    )
    assert notes == []
    # Frozen scores that no longer give the published score are not used, and the region is noted.
    dimensions["baseline"]["score"] = "2.70"  # type: ignore[index]
    assert _panel_variants(_row(dimensions, {"assessor_scores": scores}), {}, notes) == ()
    assert notes and "panel" in notes[0]


def test_the_survey_is_gathered_per_smart_dimension_and_checked_against_the_published_score() -> None:
    answers = {
        "smart_governance": {1: {50: 4, 51: 3}, 2: {50: 2, 51: 3}, 3: {50: 3}},
        "smart_branding": {4: {52: 1}, 5: {52: 2}},
    }
    surveyed = {50: "smart_governance", 51: "smart_governance", 52: "smart_branding", 53: "smart_branding"}
    # Q50 3.00, Q51 3.00, Q52 1.50, Q53 no answer (0.00) → 7.50 / 4 = 1.875 → 1.88.
    questions = [
        _question(50, "3.00"),
        _question(51, "3.00"),
        _question(52, "1.50"),
        _question(53, "0.00", "missing"),
    ]
    row = _row({"impact": {"score": "1.88", "source": "raw", "questions": questions}}, {})
    notes: list[str] = []
    survey = _survey(row, surveyed, answers, notes)
    assert survey is not None and survey.code == "impact" and survey.questions == 4
    # Smart dimensions in name order; a respondent's missing answer is 0; Q53 nobody answered.
    assert [g.tolist() for g in survey.groups] == [[[1, 0], [2, 0]], [[4, 3], [2, 3], [3, 0]]]
    assert survey_score(survey) == Decimal("1.88")
    row.dimensions["impact"]["score"] = "2.00"
    assert _survey(row, surveyed, answers, notes) is None
    assert notes and "survey" in notes[0]


def test_only_an_admin_or_a_command_may_store_an_analysis(operator_a) -> None:  # type: ignore[no-untyped-def]
    from kotacerdas.cycles.policy import NotAllowed
    from kotacerdas.results.robustness import run_robustness

    with pytest.raises(NotAllowed):
        run_robustness(Cycle.objects.get(year=2024), actor=operator_a, draws=10, seed=1)
    assert not RobustnessRun.objects.exists()
    assert _intervals()["51.03"] == (None, None, None)
