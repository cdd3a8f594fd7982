"""Who acts when no person does: loaders, commands and background work act as a named system actor.

Every service takes ``actor`` as a required keyword argument: a user, or one of these. The audit records a
system actor under its name (``actor_label``) with no user, and the policy says, per action, whether a
system actor may do it at all (``cycles.policy.POLICY``).
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SystemActor:
    """A non-person actor. ``name`` is what the audit shows (``cli``, ``demo``, ``worker``, …)."""

    name: str

    # The attributes the policy and templates read of a user: a system actor is never a logged-in person.
    is_authenticated = False
    is_active = False
    pk = None

    def __str__(self) -> str:
        return self.name


CLI = SystemActor("cli")  # a management command run by an operator of the platform
DEMO = SystemActor("demo")  # the demo loader
WORKER = SystemActor("worker")  # background tasks (batch reports) and scheduled jobs
PUBLIC = SystemActor("public")  # an anonymous citizen through a signed survey link
