"""Public pages from a read replica (``DATABASE_REPLICA_URL``; docs/operations.md, "Read replica").

The public results pages, the open data and the API's reads show published revisions only: they change when
an admin publishes, so a replica a few seconds behind shows the same thing. Anonymous GET and HEAD requests
to those addresses read from the ``replica`` connection; everything else (a signed-in user, who must see
their own writes at once; the survey; any write) uses the primary. The choice is made per request by
``PublicReadsMiddleware`` and applied to every query by ``ReplicaRouter``.
"""

import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# The read-only public addresses (CONTRACT.md, "Public web"; the API's GETs). A report PDF is not among
# them: it may be issued on first request, which writes.
PUBLIC_READS = re.compile(r"^/(?:$|hasil/(?!.*\.pdf$)|metodologi/|data/|api/v1/)")

_use_replica: ContextVar[bool] = ContextVar("kotacerdas_use_replica", default=False)


def serves_from_replica(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or not PUBLIC_READS.match(request.path):
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


class PublicReadsMiddleware:
    """After authentication (it asks whether the user is signed in, on the primary)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _use_replica.set(serves_from_replica(request))
        try:
            return self.get_response(request)
        finally:
            _use_replica.reset(token)


class ReplicaRouter:
    """Reads of a public request go to the replica; writes, migrations and every other read to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return REPLICA if _use_replica.get() else None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA
