"""Panels: assessor profiles, conflicts of interest, assignments (the one place a panel grows)."""

from django.db import transaction
from django.utils.translation import gettext as _

from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Participation
from kotacerdas.cycles.policy import Action, require
from kotacerdas.regions.models import Region
from kotacerdas.review.models import (
    Assessor,
    Assignment,
    ConflictOfInterest,
)


class ConflictOfInterestError(ValueError):
    pass


def ensure_assessor_profile(user: User) -> Assessor:
    """The assessor record of an assessor account (created on first need, kept in step with the account)."""
    name = user.get_full_name() or user.email
    assessor = Assessor.objects.filter(user=user).first()
    if assessor is None:
        return Assessor.objects.create(user=user, name=name, institution=user.institution)
    if (assessor.name, assessor.institution) != (name, user.institution):
        assessor.name, assessor.institution = name, user.institution
        assessor.save(update_fields=["name", "institution"])
    return assessor


def conflict_of_interest(assessor: Assessor, participation: Participation) -> str:
    """Why ``assessor`` may not assess the region, or "" when nothing is known against it.

    A declared conflict, an account that is the region's operator, or an institution that is the region's
    own government ("Pemerintah Kabupaten Badung", "Pemkab Badung", "Diskominfo Kabupaten Badung", …).
    """
    declared = (
        ConflictOfInterest.objects.filter(assessor=assessor, region=participation.region).first()
        if assessor.pk is not None
        else None
    )
    return _conflict_reason(assessor, participation.region, declared.reason if declared else None)


_GOVERNMENT_WORDS = (
    "pemerintah",
    "pemkab",
    "pemkot",
    "dinas",
    "diskominfo",
    "bappeda",
    "sekretariat daerah",
    "bupati",
    "walikota",
    "wali kota",
    "dprd",
)


def _conflict_reason(assessor: Assessor, region: Region, declared: str | None) -> str:
    """The rule of :func:`conflict_of_interest`, given the declared conflict's reason (None: none)."""
    if declared is not None:
        return _("Konflik kepentingan yang dinyatakan: %(reason)s") % {"reason": declared}
    if assessor.user is not None and assessor.user.region_id == region.pk:
        return _("Asesor adalah operator daerah ini.")
    institution = " ".join(assessor.institution.lower().replace(".", " ").split())
    bare = region.naming.bare.lower()
    if bare in institution and any(word in institution for word in _GOVERNMENT_WORDS):
        return _("Institusi asesor adalah bagian dari pemerintah daerah ini.")
    return ""


@transaction.atomic
def assign_assessor(
    participation: Participation,
    assessor: Assessor,
    *,
    actor: User | SystemActor,
    conflict_override: str = "",
) -> tuple[Assignment, bool]:
    """Put ``assessor`` on the region's panel (idempotent), if the policy allows it. Refused on a conflict of
    interest, unless ``conflict_override`` gives the reason to accept it anyway (a historic panel imported
    as it was): the reason and the conflict are then recorded in the audit."""
    require(actor, Action.ASSIGN, participation)
    assignment = Assignment.objects.filter(participation=participation, assessor=assessor).first()
    if assignment is not None:
        return assignment, False
    return _add_to_panel(participation, assessor, actor, conflict_override), True


def _add_to_panel(
    participation: Participation, assessor: Assessor, actor: User | SystemActor, conflict_override: str
) -> Assignment:
    """The one place a panel grows: the conflict-of-interest rule, the position, the audit event."""
    conflict = conflict_of_interest(assessor, participation)
    if conflict and not conflict_override.strip():
        raise ConflictOfInterestError(conflict)
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
            **({"conflict_of_interest": conflict} if conflict else {}),
        },
        reason=conflict_override.strip() if conflict else "",
        participation=participation,
    )
    return assignment


@transaction.atomic
def declare_conflict(
    assessor: Assessor, participation: Participation, reason: str, *, actor: User | SystemActor
) -> None:
    """Record that ``assessor`` may not assess the region (no later assignment to it is accepted)."""
    require(actor, Action.DECLARE_CONFLICT, participation)
    ConflictOfInterest.objects.get_or_create(
        assessor=assessor, region=participation.region, defaults={"reason": reason}
    )
    record_event(
        "conflict.declared",
        actor=actor,
        object_type="assessor",
        object_id=assessor.pk,
        new={"region": participation.region.code, "reason": reason},
        participation=participation,
    )
