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
) -> AuditEvent:
    user = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        action=action,
        actor=user,
        actor_label=actor_label or (str(actor) if actor is not None else "system"),
        object_type=object_type,
        object_id=str(object_id),
        old=old,
        new=new,
        reason=reason,
    )
