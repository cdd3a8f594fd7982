"""The demo reproduces the seed's published 2024 numbers exactly, through the CLI users script against."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from kotacerdas.audit.models import AuditEvent
from kotacerdas.cycles.models import FillingRecord, Participation
from kotacerdas.regions.services import resolve_region
from kotacerdas.results.demo import load_demo
from kotacerdas.results.models import HistoricalFinal, Provenance

SEED_TABLE = settings.DATA_DIR / "demo" / "2024" / "national_results.csv"
HEADER = (
    "region_code,region,track,baseline,output,outcome,impact,quick_wins,collaboration,final,improvement,rank,"
    "rank_track,rank_low,rank_high,improvement_comparable"
)


def _seed_rows() -> list[dict[str, str]]:
    with SEED_TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> Decimal | None:
    return None if text in {"", "-"} else Decimal(text.replace(",", "."))


def _results_csv(*args: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("results", "--year", "2024", "--format", "csv", *args, stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert text.splitlines()[0] == HEADER
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_results_reproduce_every_published_row_of_the_seed() -> None:
    printed = {row["region_code"]: row for row in _results_csv()}
    seed = _seed_rows()
    assert len(printed) == len(seed) == 140
    for row in seed:
        out = printed[resolve_region(row["region"]).code]
        assert out["track"] == row["track"]
        for column in (
            "baseline",
            "output",
            "outcome",
            "impact",
            "quick_wins",
            "collaboration",
            "final",
            "improvement",
        ):
            assert _number(out[column]) == _number(row[column]), (row["region"], column)


@pytest.mark.django_db
def test_results_print_two_decimals_and_empty_for_absent() -> None:
    badung = _results_csv("--region", "KAB. BADUNG")
    assert badung == [
        {
            "region_code": "51.03",
            "region": "KAB. BADUNG",
            "track": "REGULER",
            "baseline": "3.56",
            "output": "2.73",
            "outcome": "3.27",
            "impact": "3.18",
            "quick_wins": "2.80",
            "collaboration": "",
            "final": "3.08",
            "improvement": "0.11",
            "rank": "59",
            "rank_track": "41",  # among the REGULER regions
            "rank_low": "",  # the robustness analysis has not run
            "rank_high": "",
            "improvement_comparable": "",  # 2023 has no question-level scores
        }
    ]


@pytest.mark.django_db
def test_equal_finals_share_a_rank_and_the_next_rank_skips() -> None:
    rows = _results_csv()
    ranks = [int(r["rank"]) for r in rows]
    finals = [Decimal(r["final"]) for r in rows]
    for i, (final, rank) in enumerate(zip(finals, ranks, strict=True)):
        assert rank == 1 + sum(1 for other in finals if other > final)
        if i and finals[i - 1] == final:
            assert ranks[i - 1] == rank
    # 3,80 is shared by KAB. DEMAK and KOTA MADIUN in the seed.
    assert ranks[:4] == [1, 2, 3, 3] and ranks[4] == 5


@pytest.mark.django_db
def test_region_json_traces_badung_to_its_question_scores_and_findings() -> None:
    out = io.StringIO()
    call_command("results", "--year", "2024", "--format", "json", "--region", "Bupati Badung", stdout=out)
    detail = json.loads(out.getvalue())
    dims = {d["code"]: d for d in detail["dimensions"]}
    assert [dims[c]["score"] for c in ("baseline", "output", "outcome", "impact", "quick_wins")] == [
        "3.56",
        "2.73",
        "3.27",
        "3.18",
        "2.80",
    ]
    assert "collaboration" not in dims  # REGULER has no collaboration dimension
    assert dims["baseline"]["source"] == "raw"
    q3 = dims["baseline"]["questions"][2]
    assert (q3["number"], q3["score"], q3["source"]) == (3, "3.60", "agreed")
    assert sum(len(d["questions"]) for d in detail["dimensions"]) == 115
    assert detail["final"] == "3.08" and detail["previous_final"] == "2.97"
    assert len(detail["assessors"]) == 5
    assert detail["assessors"][0]["institution"] == "Universitas Pasundan"
    assert "Memiliki potensi SDA dan pariwisata" in detail["assessors"][0]["strength"]


@pytest.mark.django_db
def test_previous_finals_are_derived_from_the_published_improvement_and_marked_so() -> None:
    badung = HistoricalFinal.objects.get(region__code="51.03", year=2023)
    assert badung.final == Decimal("2.97")
    assert badung.provenance == Provenance.DERIVED
    assert HistoricalFinal.objects.filter(year=2023).count() == 140


@pytest.mark.django_db
def test_participation_keeps_the_letters_191_and_marks_unknown_self_assessment() -> None:
    participations = Participation.objects.filter(cycle__year=2024)
    assert participations.count() == 191
    assert participations.filter(self_assessment=FillingRecord.FILLED).count() == 140
    assert participations.filter(self_assessment=FillingRecord.UNKNOWN).count() == 51
    pemalang = participations.get(region__code="33.27")
    assert (pemalang.addressee_no, pemalang.addressee) == (91, "Bupati Pematang")
    facts = participations.first().cycle.facts  # type: ignore[union-attr]
    assert (facts["participants"], facts["filled_self_assessment"], facts["did_not_fill"]) == (191, 165, 26)


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing() -> None:
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label
        in {"regions", "cycles", "instrument", "review", "survey", "results", "audit", "accounts"}
    ]
    before = {m.__name__: m.objects.count() for m in models}
    events = AuditEvent.objects.count()
    load_demo(say=lambda _: None)
    assert {m.__name__: m.objects.count() for m in models} == before
    assert AuditEvent.objects.count() == events
