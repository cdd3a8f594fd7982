"""Fixed-window rate limits counted in the database every app server already shares.

A hit costs one statement (``services.count_rate_hit``: an upsert of the scope's row in ``RateCounter``
that returns the window's count). The database applies it atomically, so the hits of concurrent app
servers are all counted. Rows of ended windows are deleted now and then (``PRUNE_EVERY``); a scope that
comes back after its window ended starts a new one in its old row anyway.
"""

import random
import time

from kotacerdas.survey import services
from kotacerdas.survey.rates import Rate, Window

# About one hit in this many also deletes the counters whose window has ended.
PRUNE_EVERY = 2000


def windows(
    first: str, first_rate: Rate | None, then: str, then_rate: Rate | None
) -> tuple[Window, Window] | None:
    """A hit now of ``first`` and then of ``then``, in the windows they count in; None when either rate
    is off (``hit_both`` then counts the other alone). A public submission hands them to
    ``services.submit_response``, which counts them in the statement that locks its link, and calls
    ``prune_now_and_then``."""
    if first_rate is None or then_rate is None:
        return None
    now = int(time.time())
    return Window(first, first_rate, now), Window(then, then_rate, now)


def hit_both(first: str, first_rate: Rate | None, then: str, then_rate: Rate | None) -> int | None:
    """``hit(first, first_rate)``, then, when that is not over its rate, ``hit(then, then_rate)``: the
    seconds to wait for the first that is over, else None. One statement on PostgreSQL."""
    pair = windows(first, first_rate, then, then_rate)
    if pair is None:
        wait = hit(first, first_rate)
        return wait if wait is not None else hit(then, then_rate)
    one, two = pair
    first_hits, then_hits = services.count_rate_hits(
        one.scope, one.expires, one.rate.count, two.scope, two.expires
    )
    prune_now_and_then()
    wait = one.wait(first_hits)
    return wait if wait is not None else two.wait(then_hits)


def prune_now_and_then() -> None:
    """About one call in ``PRUNE_EVERY`` deletes the counters whose window has ended."""
    if random.randrange(PRUNE_EVERY) == 0:
        services.prune_rate_counters(int(time.time()))


def hit(scope: str, rate: Rate | None) -> int | None:
    """Count one request against ``scope``; the seconds to wait when it is over ``rate``, else None."""
    if rate is None:
        return None
    window = Window(scope, rate, int(time.time()))
    count = services.count_rate_hit(scope, window.expires)
    prune_now_and_then()
    return window.wait(count)
