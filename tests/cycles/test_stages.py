"""A region's stage moves only through cycles.stages.move_stage: listed moves, audited, compare-and-set."""

from collections.abc import Callable

import pytest

from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, FillingRecord, Participation, Stage
from kotacerdas.cycles.stages import TRANSITIONS, InvalidTransition, move_stage, move_stages


@pytest.fixture
def badung(make_cycle: Callable[..., Cycle]) -> Participation:
    return make_cycle(2030).participations.select_related("cycle", "region").get(region__code="51.03")


def test_a_listed_move_is_made_and_audited(badung: Participation) -> None:
    assert move_stage(badung, Stage.DRAFT, actor=CLI, reason="first answer")
    badung.refresh_from_db()
    assert badung.stage == Stage.DRAFT
    event = AuditEvent.objects.filter(object_type="participation", object_id=str(badung.pk)).latest("id")
    assert (event.action, event.old, event.new, event.reason) == (
        TRANSITIONS[(Stage.NOT_STARTED, Stage.DRAFT)],
        {"stage": "not_started"},
        {"stage": "draft"},
        "first answer",
    )
    assert (event.actor_label, event.region_code, event.cycle_year) == ("cli", "51.03", 2030)


def test_moving_to_the_current_stage_changes_nothing(badung: Participation) -> None:
    before = AuditEvent.objects.count()
    assert not move_stage(badung, Stage.NOT_STARTED, actor=CLI)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("start", "to"),
    [(a, b) for a in Stage for b in Stage if a != b and (a, b) not in TRANSITIONS],
)
def test_every_move_not_in_the_table_raises(badung: Participation, start: Stage, to: Stage) -> None:
    Participation.objects.filter(pk=badung.pk).update(stage=start)
    badung.refresh_from_db()
    with pytest.raises(InvalidTransition):
        move_stage(badung, to, actor=CLI)
    badung.refresh_from_db()
    assert badung.stage == start


def test_submitting_records_the_region_as_having_filled(badung: Participation) -> None:
    move_stage(badung, Stage.DRAFT, actor=CLI)
    move_stage(badung, Stage.SUBMITTED, actor=CLI)
    badung.refresh_from_db()
    assert (badung.stage, badung.self_assessment) == (Stage.SUBMITTED, FillingRecord.FILLED)


def test_a_stale_copy_moves_from_the_stored_stage(badung: Participation) -> None:
    """Two requests both saw "submitted"; the second finds the region already under review."""
    Participation.objects.filter(pk=badung.pk).update(stage=Stage.SUBMITTED)
    first = Participation.objects.select_related("cycle", "region").get(pk=badung.pk)
    second = Participation.objects.select_related("cycle", "region").get(pk=badung.pk)
    assert move_stage(first, Stage.UNDER_REVIEW, actor=CLI)
    assert not move_stage(second, Stage.UNDER_REVIEW, actor=CLI)
    assert AuditEvent.objects.filter(action="stage.review_started", object_id=str(badung.pk)).count() == 1


def test_a_bulk_move_skips_regions_that_cannot_move(make_cycle: Callable[..., Cycle]) -> None:
    cycle = make_cycle(2031)
    stages = [Stage.SCORED, Stage.REPLIED, Stage.DRAFT]
    for participation, stage in zip(cycle.participations.order_by("pk"), stages, strict=True):
        Participation.objects.filter(pk=participation.pk).update(stage=stage)
    moved = move_stages(cycle.participations.select_related("cycle", "region"), Stage.FINAL, actor=CLI)
    assert moved == 2
    assert sorted(cycle.participations.values_list("stage", flat=True)) == ["draft", "final", "final"]
