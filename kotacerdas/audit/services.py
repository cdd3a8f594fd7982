"""Writing audit events. Every service that changes something that matters calls `record_event`."""

from typing import Any

from kotacerdas.audit.models import AuditEvent


def record_event(
    action: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    object_type: str = "",
    object_id: object = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
    participation: Any = None,
    question_number: int | None = None,
) -> AuditEvent:
    """Append an audit event. ``participation`` (a cycle's region) and ``question_number`` file the event
    under that region's and question's history."""
    user = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        cycle_year=participation.cycle.year if participation is not None else None,
        region_code=participation.region.code if participation is not None else "",
        question_number=question_number,
        action=action,
        actor=user,
        actor_label=actor_label or (str(actor) if actor is not None else "system"),
        object_type=object_type,
        object_id=str(object_id),
        old=old,
        new=new,
        reason=reason,
    )
