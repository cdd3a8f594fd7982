"""Writing audit events. Every service that changes something that matters calls `record_event`."""

from typing import TYPE_CHECKING, Any

from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import SystemActor

if TYPE_CHECKING:  # the user model is settings.AUTH_USER_MODEL; audit needs no import of accounts at run time
    from kotacerdas.accounts.models import User


def actor_pseudonym(user_id: int) -> str:
    """The label of a person in the audit: their account's number, which only the user table links to a
    name (and, once the person is erased, to nothing)."""
    return f"user:{user_id}"


def audit_chain_digest() -> str:
    """A SHA-256 chained over every event in the order written (each link hashes the previous digest and
    the event's fields). Two installations with the same digest hold the same history: the backup drill
    compares it before and after a restore, and any changed, dropped or reordered event changes it."""
    import hashlib
    import json

    digest = hashlib.sha256(b"kotacerdas.audit").hexdigest()
    fields = ("id", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "old", "new")
    rest = ("reason", "cycle_year", "region_code", "question_number")
    for row in AuditEvent.objects.order_by("id").values_list(*fields, *rest).iterator(chunk_size=2000):
        record = dict(zip((*fields, *rest), row, strict=True))
        record["at"] = record["at"].isoformat()
        line = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.sha256(f"{digest}\n{line}".encode()).hexdigest()
    return digest


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
    """Append an audit event. A person is recorded as the user and a pseudonymous label (``user:<id>``,
    never their e-mail: an event cannot be changed, so it must hold nothing an erasure would have to
    remove); a system actor by its name with no user. ``participation`` (a cycle's region) and
    ``question_number`` file the event under that region's and question's history."""
    if isinstance(actor, SystemActor):
        user, label = None, actor.name
    else:
        user, label = actor, actor_pseudonym(actor.pk)
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
