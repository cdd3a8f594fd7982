"""Fixed-window rate limits counted in the database every app server already shares.

A hit costs one statement (``services.count_rate_hit``: an upsert of the scope's row in ``RateCounter``
that returns the window's count). The database applies it atomically, so the hits of concurrent app
servers are all counted. Rows of ended windows are deleted now and then (``PRUNE_EVERY``); a scope that
comes back after its window ended starts a new one in its old row anyway.
"""

import random
import time

from kotacerdas.survey import services
from kotacerdas.survey.rates import Rate

# About one hit in this many also deletes the counters whose window has ended.
PRUNE_EVERY = 2000


def hit_both(first: str, first_rate: Rate | None, then: str, then_rate: Rate | None) -> int | None:
    """``hit(first, first_rate)``, then, when that is not over its rate, ``hit(then, then_rate)``: the
    seconds to wait for the first that is over, else None. One statement on PostgreSQL."""
    if first_rate is None or then_rate is None:
        wait = hit(first, first_rate)
        return wait if wait is not None else hit(then, then_rate)
    now = int(time.time())
    first_expires = (now // first_rate.seconds + 1) * first_rate.seconds
    then_expires = (now // then_rate.seconds + 1) * then_rate.seconds
    first_hits, then_hits = services.count_rate_hits(
        first, first_expires, first_rate.count, then, then_expires
    )
    if random.randrange(PRUNE_EVERY) == 0:
        services.prune_rate_counters(now)
    if first_hits > first_rate.count:
        return first_expires - now
    if then_hits is not None and then_hits > then_rate.count:
        return then_expires - now
    return None


def hit(scope: str, rate: Rate | None) -> int | None:
    """Count one request against ``scope``; the seconds to wait when it is over ``rate``, else None."""
    if rate is None:
        return None
    now = int(time.time())
    expires = (now // rate.seconds + 1) * rate.seconds
    count = services.count_rate_hit(scope, expires)
    if random.randrange(PRUNE_EVERY) == 0:
        services.prune_rate_counters(now)
    if count > rate.count:
        return expires - now
    return None
