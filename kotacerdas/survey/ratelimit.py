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
