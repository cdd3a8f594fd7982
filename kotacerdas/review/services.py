"""Writes of the review: panels (assignments) and assessors' findings."""

from collections.abc import Sequence

from django.db import transaction

from kotacerdas.audit.services import record_event
from kotacerdas.cycles.models import Participation
from kotacerdas.review.models import Assessor, Assignment, Finding, FindingKind


@transaction.atomic
def assign_assessor(
    participation: Participation, assessor: Assessor, *, actor: object = None
) -> tuple[Assignment, bool]:
    """Put ``assessor`` on the region's panel (idempotent); the position follows the panel's size."""
    assignment = Assignment.objects.filter(participation=participation, assessor=assessor).first()
    if assignment is not None:
        return assignment, False
    position = participation.assignments.count() + 1
    assignment = Assignment.objects.create(participation=participation, assessor=assessor, position=position)
    record_event(
        "assignment.created",
        actor=actor,
        object_type="assignment",
        object_id=assignment.pk,
        new={
            "region": participation.region.code,
            "year": participation.cycle.year,
            "assessor": str(assessor),
        },
    )
    return assignment, True


@transaction.atomic
def record_findings(
    assignment: Assignment, kind: FindingKind, items: Sequence[str], *, actor: object = None
) -> bool:
    """Set an assessor's list of strengths, weaknesses or recommendations; returns whether it changed."""
    items = [" ".join(item.split()) for item in items if item.strip()]
    current = list(assignment.findings.filter(kind=kind).order_by("position").values_list("text", flat=True))
    if current == items:
        return False
    assignment.findings.filter(kind=kind).delete()
    Finding.objects.bulk_create(
        Finding(assignment=assignment, kind=kind, position=position, text=text)
        for position, text in enumerate(items, start=1)
    )
    record_event(
        "findings.recorded",
        actor=actor,
        object_type="assignment",
        object_id=assignment.pk,
        old=current,
        new=items,
        reason=str(kind.label),
    )
    return True
