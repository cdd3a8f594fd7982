"""The public pages, open data and results API served from a cache keyed by what the public can see.

A cached response is kept under ``(view, revision stamp, language, full path)``. The full path carries the
year, the region, the format and every filter, sort and page of the query string, so two different queries
never share an entry. The *revision stamp* is read from the database in one query: the published result
sets (how many, the newest), their robustness runs, the issued reports and the cycles. Publishing a
revision, recording a robustness run, issuing a report (the profile then shows its verification code) or
adding a cycle therefore changes the stamp, and the next request of every app server, in every process,
misses and renders afresh: there is no message to send between servers. A recompute changes only the live
result set, which the public never sees (the publication boundary); it reaches these pages when it is
published. Edits that do not change the stamp (a region's name, a finding's text) show after at most
``TTL`` seconds.

Each process reads the stamp at most once every ``STAMP_TTL`` seconds (one second) and not on every
request: a cached page then costs no database round trip at all, which on PostgreSQL is most of what it
costs beyond the bare middleware (issue 11: a cached page at half the rate of a trivial view). The price
is that a publication made by *another* process reaches this one's visitors up to a second later; a change
made in this process (the signals below) is seen at once, as before.

Only anonymous GET requests are cached and served from the cache: a signed-in user's page carries their
name and menu, and an admin may ask for live numbers. Only 200 responses are kept. The CSRF token of the
language form is stored as a placeholder and filled in with the visitor's own token on the way out.

Signals: a published result set, a robustness run or an issued report saved in this process empties this
process's entries at once (``dashboard.apps``); other processes need no signal, their stamp changes.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.db import connections, router, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

from kotacerdas.core.cache import ProcessCache
from kotacerdas.cycles.models import Cycle
from kotacerdas.reports.models import ReportVersion
from kotacerdas.results.models import ResultSet, ResultSetStatus, RobustnessRun

TTL = 300.0
# How long a process trusts the revision stamp it read (seconds).
STAMP_TTL = 1.0
# Entries of one process (a page of the national table is ~100 kB: 2,000 entries stay under ~200 MB even
# at worst; most are a few kB). When full, the cache starts afresh.
MAXSIZE = 2000
CSRF_PLACEHOLDER = b"__kotacerdas_csrf_token__"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# The headers a cached response keeps; the middleware adds the rest (security, CSP, language) on each request.
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "X-Verification-Code")


@dataclass(frozen=True)
class CachedResponse:
    content: bytes
    headers: tuple[tuple[str, str], ...]
    has_csrf: bool


PAGES: ProcessCache[CachedResponse] = ProcessCache("dashboard.public_pages", maxsize=MAXSIZE, ttl=TTL)
# The revision stamp by database alias, read at most once a ``STAMP_TTL``.
STAMPS: ProcessCache[tuple[Any, ...]] = ProcessCache("dashboard.revision_stamps", maxsize=8, ttl=STAMP_TTL)


def revision_stamp() -> tuple[Any, ...]:
    """What the public sees changes only when this changes: one query over the published result sets, their
    robustness runs, the issued reports and the cycles (on the connection the public pages read from, the
    replica if any)."""
    result_sets = ResultSet._meta.db_table
    runs = RobustnessRun._meta.db_table
    reports = ReportVersion._meta.db_table
    cycles = Cycle._meta.db_table
    published = ResultSetStatus.PUBLISHED.value
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {result_sets} WHERE status = %s),"
        f" (SELECT MAX(id) FROM {result_sets} WHERE status = %s),"
        f" (SELECT COUNT(*) FROM {runs}), (SELECT MAX(id) FROM {runs}),"
        f" (SELECT COUNT(*) FROM {reports}), (SELECT MAX(id) FROM {reports}),"
        f" (SELECT COUNT(*) FROM {cycles}), (SELECT MAX(id) FROM {cycles})"
    )
    with connections[router.db_for_read(ResultSet)].cursor() as cursor:
        cursor.execute(sql, [published, published])
        row = cursor.fetchone()
    return tuple(row) if row is not None else ()


def current_stamp() -> tuple[Any, ...]:
    """The revision stamp as this process last read it, read again when it is ``STAMP_TTL`` old."""
    return STAMPS.get_or_set(router.db_for_read(ResultSet), revision_stamp)


def cacheable(request: HttpRequest) -> bool:
    """Anonymous GETs only (never a page made for a signed-in user, never served to one)."""
    if request.method != "GET":
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _store(response: HttpResponse) -> CachedResponse:
    content = response.content
    stored, replaced = _CSRF_INPUT.subn(rb"\1" + CSRF_PLACEHOLDER + rb"\2", content)
    headers = tuple((name, response[name]) for name in _KEPT_HEADERS if name in response)
    return CachedResponse(content=stored, headers=headers, has_csrf=replaced > 0)


def _serve(request: HttpRequest, cached: CachedResponse) -> HttpResponse:
    content = cached.content
    if cached.has_csrf:
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content)
    for name, value in cached.headers:
        response[name] = value
    response["X-Kotacerdas-Cache"] = "hit"
    patch_vary_headers(response, ("Cookie",))  # the language (and the CSRF token) come from cookies
    return response


def public_cache[**P](name: str) -> Callable[[Callable[P, HttpResponse]], Callable[P, HttpResponse]]:
    """Serve the decorated view's 200 responses to anonymous visitors from the revision-keyed cache."""

    def decorate(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            request = args[0]
            assert isinstance(request, HttpRequest)
            if not cacheable(request):
                return view(*args, **kwargs)
            language = getattr(request, "LANGUAGE_CODE", "")
            key = (name, current_stamp(), language, request.get_full_path())
            cached = PAGES.get(key)
            if cached is not None:
                return _serve(request, cached)
            response = view(*args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                PAGES.set(key, _store(response))
                response["X-Kotacerdas-Cache"] = "miss"
            return response

        return wrapper

    return decorate


def forget_public_pages(**kwargs: Any) -> None:
    """Signal receiver: a publication, a robustness run or an issued report in this process; drop this
    process's entries."""
    instance = kwargs.get("instance")
    if isinstance(instance, ResultSet) and instance.is_live:
        return  # a recompute of live results: nothing public changed
    STAMPS.clear()
    PAGES.clear()
    # And once more when the change commits: a request served meanwhile (another thread) may have read and
    # kept the stamp from before it.
    transaction.on_commit(_forget_now, robust=True)


def _forget_now() -> None:
    STAMPS.clear()
    PAGES.clear()
