"""Writing audit events. Every service that changes something that matters calls `record_event`."""

from typing import TYPE_CHECKING, Any

from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import SystemActor

if TYPE_CHECKING:  # the user model is settings.AUTH_USER_MODEL; audit needs no import of accounts at run time
    from kotacerdas.accounts.models import User


def record_event(
    action: str,
    *,
    actor: "User | SystemActor",
    object_type: str = "",
    object_id: object = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
    participation: Any = None,
    question_number: int | None = None,
) -> AuditEvent:
    """Append an audit event. A person is recorded as the user (and their e-mail as the label), a system
    actor by its name with no user. ``participation`` (a cycle's region) and ``question_number`` file the
    event under that region's and question's history."""
    if isinstance(actor, SystemActor):
        user, label = None, actor.name
    else:
        user, label = actor, str(actor)
    return AuditEvent.objects.create(
        cycle_year=participation.cycle.year if participation is not None else None,
        region_code=participation.region.code if participation is not None else "",
        question_number=question_number,
        action=action,
        actor=user,
        actor_label=label,
        object_type=object_type,
        object_id=str(object_id),
        old=old,
        new=new,
        reason=reason,
    )
