"""Who acts in a service: a signed-in person, or a named system actor (``kotacerdas.core.actors``)."""

from kotacerdas.accounts.models import User
from kotacerdas.core.actors import SystemActor

type Actor = User | SystemActor


def person(actor: Actor) -> User | None:
    """The user behind ``actor`` for a ``…_by`` column: the person, or None for a system actor (the audit
    records the system actor by name)."""
    return actor if isinstance(actor, User) else None
