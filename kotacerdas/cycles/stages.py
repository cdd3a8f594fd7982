"""The stage machine of a region's evaluation: the one function that moves ``Participation.stage``.

``TRANSITIONS`` lists every move that exists and the audit action it records. A move not in the table
raises :class:`InvalidTransition`; moving to the stage a region is already in changes nothing. The move is a
compare-and-set UPDATE (``WHERE stage = <from>``), so two requests that both see "submitted" and both move
to "under review" leave one move and one audit event, never a lost or doubled one.
"""

from collections.abc import Iterable

from django.db import transaction

from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import FillingRecord, Participation, Stage

# (from, to) → the audit action of the move.
TRANSITIONS: dict[tuple[Stage, Stage], str] = {
    (Stage.NOT_STARTED, Stage.DRAFT): "self_assessment.started",
    (Stage.NOT_STARTED, Stage.SUBMITTED): "self_assessment.submitted",
    (Stage.DRAFT, Stage.SUBMITTED): "self_assessment.submitted",
    (Stage.SUBMITTED, Stage.DRAFT): "self_assessment.returned",
    (Stage.SUBMITTED, Stage.UNDER_REVIEW): "stage.review_started",
    (Stage.SUBMITTED, Stage.SCORED): "stage.review_completed",
    (Stage.UNDER_REVIEW, Stage.SCORED): "stage.review_completed",
    (Stage.SCORED, Stage.REPLIED): "stage.reply_received",
    # A region known only from imported records (a cycle loaded as published history) is final once published.
    (Stage.NOT_STARTED, Stage.FINAL): "stage.published",
    (Stage.SCORED, Stage.FINAL): "stage.published",
    (Stage.REPLIED, Stage.FINAL): "stage.published",
}

# What a move also records on the participation.
_ALSO: dict[Stage, dict[str, str]] = {Stage.SUBMITTED: {"self_assessment": FillingRecord.FILLED}}


class InvalidTransition(ValueError):
    def __init__(self, participation: Participation, to: Stage):
        super().__init__(f"{participation}: no move from stage {participation.stage!r} to {to!r}")


def move_stage(
    participation: Participation, to: Stage, *, actor: User | SystemActor, reason: str = ""
) -> bool:
    """Move the region's evaluation to stage ``to``; returns whether it moved. Audited."""
    with transaction.atomic():
        for _attempt in range(2):
            current = Stage(participation.stage)
            if current == to:
                return False
            event = TRANSITIONS.get((current, to))
            if event is None:
                raise InvalidTransition(participation, to)
            also = _ALSO.get(to, {})
            moved = Participation.objects.filter(pk=participation.pk, stage=current).update(stage=to, **also)
            if moved:
                participation.stage = to
                for name, value in also.items():
                    setattr(participation, name, value)
                record_event(
                    event,
                    actor=actor,
                    object_type="participation",
                    object_id=participation.pk,
                    old={"stage": current},
                    new={"stage": to},
                    reason=reason,
                    participation=participation,
                )
                return True
            # Another transaction moved it meanwhile: decide again from the stage it has now.
            participation.refresh_from_db(fields=["stage", "self_assessment"])
    raise InvalidTransition(participation, to)


def move_stages(
    participations: Iterable[Participation], to: Stage, *, actor: User | SystemActor, reason: str = ""
) -> int:
    """Move each region that can move to ``to`` (those already there, or with no such move, stay);
    returns how many moved. For bulk moves such as publication."""
    moved = 0
    for participation in participations:
        if (Stage(participation.stage), to) in TRANSITIONS:
            moved += move_stage(participation, to, actor=actor, reason=reason)
    return moved
