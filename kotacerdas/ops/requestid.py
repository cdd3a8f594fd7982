"""The request id: taken from ``X-Request-ID`` (set by the reverse proxy) or made here, kept in a context
variable for every log line written while the request is served, and echoed in the response header."""

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# A proxy's id (nginx's $request_id is 32 hex digits) or a client's; anything else is replaced, so that a
# crafted header cannot forge log lines or grow them without bound.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,128}")

current_request_id: ContextVar[str] = ContextVar("kotacerdas_request_id", default="")
request_log = logging.getLogger("kotacerdas.request")


def request_id_from(header: str | None) -> str:
    if header and _ACCEPTED.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in the chain: every later middleware, view and log line sees the id; one log line per request
    (method, path, status, duration, user) at INFO on ``kotacerdas.request``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        # Kept until the response is closed (request_finished): Django logs a 4xx/5xx response on
        # `django.request` after the middleware chain has returned, and that line needs the id too.
        current_request_id.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response.headers[HEADER] = request_id
        user = getattr(request, "user", None)
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs: object) -> None:
    current_request_id.set("")
