"""Is this app server fit to serve? The database answers, the background workers keep up with their queue,
and the media folder has room for evidence and reports. ``GET /kesehatan/`` answers 200 when every check
passes and 503 otherwise, with the figures as JSON (for the reverse proxy, systemd and monitoring)."""

import shutil
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)


def check_database() -> Check:
    started = time.perf_counter()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return Check(False, {"error": type(exc).__name__})
    return Check(True, {"ms": round((time.perf_counter() - started) * 1000, 1)})


def check_queue() -> Check:
    """The oldest task that is ready to run and not yet taken by a worker: when it has waited longer than
    ``HEALTH_QUEUE_MAX_AGE`` seconds, no worker is running or they cannot keep up."""
    from django_tasks_db.models import DBTaskResult

    limit = settings.HEALTH_QUEUE_MAX_AGE
    try:
        ready = DBTaskResult.objects.ready()
        count = ready.count()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except DatabaseError as exc:
        return Check(False, {"error": type(exc).__name__, "max_age_seconds": limit})
    age = 0 if oldest is None else max(0, int((timezone.now() - oldest).total_seconds()))
    return Check(age <= limit, {"ready": count, "oldest_ready_seconds": age, "max_age_seconds": limit})


def check_media_disk() -> Check:
    root = settings.MEDIA_ROOT
    minimum = settings.HEALTH_MEDIA_MIN_FREE_BYTES
    try:
        free = shutil.disk_usage(root).free
    except FileNotFoundError:
        # Not created, or its volume not mounted: uploads would fail, or fill the wrong disk.
        return Check(False, {"error": "missing", "min_free_bytes": minimum})
    except OSError as exc:
        return Check(False, {"error": exc.strerror or type(exc).__name__, "min_free_bytes": minimum})
    return Check(free >= minimum, {"free_bytes": free, "min_free_bytes": minimum})


def run_checks() -> dict[str, Check]:
    return {"database": check_database(), "queue": check_queue(), "media_disk": check_media_disk()}


@require_safe
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(check.ok for check in checks.values())
    body = {
        "status": "ok" if healthy else "fail",
        "checks": {name: {"ok": check.ok, **check.detail} for name, check in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


__all__ = ["Check", "health", "run_checks"]
