"""The 2024 instrument as loaded matches the seed; invalid or frozen instruments are refused."""

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
import yaml
from django.contrib.admin.sites import site
from django.test import RequestFactory

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle
from kotacerdas.instrument.models import Dimension, DimensionKind, Instrument, Question
from kotacerdas.instrument.services import InstrumentError, load_instrument, track_weights
from tests.conftest import INSTRUMENT_2024

RANGES = {
    "baseline": (1, 5),
    "output": (6, 16),
    "outcome": (17, 49),
    "impact": (50, 103),
    "quick_wins": (104, 115),
}


def test_loaded_instrument_matches_the_seed(cycle_2024: Cycle) -> None:
    instrument = cycle_2024.instrument
    assert instrument.questions.count() == 115
    assert sorted(instrument.questions.values_list("number", flat=True)) == list(range(1, 116))
    for code, (first, last) in RANGES.items():
        numbers = list(
            Question.objects.filter(dimension__instrument=instrument, dimension__code=code).values_list(
                "number", flat=True
            )
        )
        assert (min(numbers), max(numbers), len(numbers)) == (first, last, last - first + 1), code
    assert track_weights(instrument) == {
        "REGULER": {
            "baseline": Decimal("0.10"),
            "output": Decimal("0.20"),
            "outcome": Decimal("0.30"),
            "impact": Decimal("0.20"),
            "quick_wins": Decimal("0.20"),
        },
        "KPPN IKN": {
            "baseline": Decimal("0.10"),
            "output": Decimal("0.20"),
            "outcome": Decimal("0.20"),
            "impact": Decimal("0.20"),
            "quick_wins": Decimal("0.20"),
            "collaboration": Decimal("0.10"),
        },
    }
    q1 = instrument.questions.get(number=1)
    assert (q1.indicator.name, q1.scale_min, q1.scale_max) == ("Perencanaan", 1, 4)
    assert q1.text == "Apakah Master Plan Smart City Daerah Anda sudah memiliki payung hukum?"


def test_impact_is_six_smart_dimensions_of_three_sub_dimensions_of_three_questions(cycle_2024: Cycle) -> None:
    impact = Dimension.objects.get(instrument__cycle=cycle_2024, code="impact")
    assert impact.kind == DimensionKind.SURVEY
    by_smart: dict[str, set[str]] = {}
    for q in impact.questions.all():
        by_smart.setdefault(q.smart_dimension, set()).add(q.sub_dimension)
    assert sorted(by_smart) == [
        "smart_branding",
        "smart_economy",
        "smart_environment",
        "smart_governance",
        "smart_living",
        "smart_society",
    ]
    assert all(len(subs) == 3 for subs in by_smart.values())
    assert all(impact.questions.filter(smart_dimension=s).count() == 9 for s in by_smart)


def test_collaboration_has_a_weight_but_no_published_questions(cycle_2024: Cycle) -> None:
    collaboration = Dimension.objects.get(instrument__cycle=cycle_2024, code="collaboration")
    assert collaboration.kind == DimensionKind.COLLABORATION
    assert not collaboration.questions.exists()


def _variant(tmp_path: Path, change: Callable[[dict], None], year: int = 2031) -> Path:
    document = yaml.safe_load(INSTRUMENT_2024.read_text(encoding="utf-8"))
    document["year"] = year
    change(document)
    path = tmp_path / "instrument.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _reguler(document: dict) -> dict:
    return next(t for t in document["tracks"] if t["code"] == "REGULER")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: _reguler(d)["weights"].update(outcome="0.25"),
            "track REGULER: weights sum to 0.95, not exactly 1",
        ),
        (
            lambda d: _reguler(d)["weights"].update(outcome=None),
            "weights.outcome='null' is not a weight",
        ),
        (
            lambda d: _reguler(d)["weights"].update(outcome=0.3),
            "weights.outcome='0.3' is not a weight: write a decimal string such as \"0.10\"",
        ),
        (
            lambda d: _reguler(d)["weights"].update(smartness="0.1"),
            "weight for unknown dimension 'smartness'",
        ),
        (lambda d: d["tracks"].append({"code": "EXTRA", "weights": {}}), "code='EXTRA' is not one of"),
        (
            lambda d: d["dimensions"][0]["indicators"][0]["questions"][1].update(number=1),
            "questions[1].number='1' is also the number of dimensions[0].indicators[0].questions[0]",
        ),
        (lambda d: d.update(year=1999), "year='1999' is not the cycle's year 2031"),
    ],
)
def test_invalid_instruments_are_refused_with_their_place_in_the_file(
    db: None, tmp_path: Path, change: Callable[[dict], None], message: str
) -> None:
    cycle = Cycle.objects.create(year=2031, name="2031")
    path = _variant(tmp_path, change)
    with pytest.raises(InstrumentError) as info:
        load_instrument(cycle, path, actor=CLI)
    assert any(message in line for line in info.value.lines()), info.value.lines()
    assert all(line.startswith(f"{path}:") for line in info.value.lines())
    assert not Instrument.objects.filter(cycle=cycle).exists()


def test_a_dimension_without_weight_in_any_track_is_refused(db: None, tmp_path: Path) -> None:
    cycle = Cycle.objects.create(year=2031, name="2031")

    def drop(d: dict) -> None:
        for track in d["tracks"]:
            track["weights"].pop("collaboration", None)
            if track["code"] == "KPPN IKN":
                track["weights"]["outcome"] = "0.30"

    with pytest.raises(InstrumentError, match="code='collaboration' has no weight in any track"):
        load_instrument(cycle, _variant(tmp_path, drop), actor=CLI)


def test_loading_the_same_instrument_again_changes_nothing(cycle_2024: Cycle) -> None:
    before = cycle_2024.instrument.pk
    summary = load_instrument(cycle_2024, INSTRUMENT_2024, actor=CLI)
    assert (summary.created, summary.instrument.pk) == (False, before)


def test_an_instrument_is_frozen_once_the_cycle_is_opened_not_by_the_clock(db: None, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    cycle = Cycle.objects.create(
        year=2031, name="2031", self_assessment_opens=datetime(2031, 3, 1, tzinfo=UTC)
    )
    with time_machine.travel(datetime(2031, 3, 2, tzinfo=UTC), tick=False):
        load_instrument(cycle, _variant(tmp_path, lambda d: None), actor=CLI)
        # In preparation, whatever the windows say: a corrected file replaces the instrument.
        load_instrument(cycle, _variant(tmp_path, lambda d: d.update(version="2031.2")), actor=CLI)
        assert Instrument.objects.get(cycle=cycle).version == "2031.2"
        cycle.opened_at = datetime(2031, 3, 2, tzinfo=UTC)
        cycle.save(update_fields=["opened_at"])
        with pytest.raises(InstrumentError, match="frozen"):
            load_instrument(cycle, _variant(tmp_path, lambda d: d.update(version="2031.3")), actor=CLI)
        instrument = Instrument.objects.get(cycle=cycle)
        request = RequestFactory().get("/")
        request.user = type("Admin", (), {"is_active": True, "is_staff": True, "has_perm": lambda *a: True})()
        question_admin = site._registry[Question]
        assert not question_admin.has_change_permission(request, instrument.questions.first())
        assert not question_admin.has_delete_permission(request, instrument.questions.first())


def test_the_2024_instrument_is_frozen_because_its_window_has_opened(cycle_2024: Cycle) -> None:
    assert cycle_2024.self_assessment_opens is not None
    assert cycle_2024.instrument.is_frozen
