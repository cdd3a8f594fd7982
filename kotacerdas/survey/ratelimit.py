"""Fixed-window rate limits over Django's cache framework.

The counters live in the ``survey`` cache, a table of the database every app server already shares
(settings: CACHES["survey"]), so limits hold across processes without another service. The database
cache's ``incr`` is a read and a write, not one atomic step: under heavy concurrency a few hits may go
uncounted, which a rate limit tolerates (it bounds abuse, it is not an exact quota; the quota of 50 is
kept by the database itself, see ``services._store``).
"""

import time

from django.core.cache import caches

from kotacerdas.survey.rates import Rate


def hit(scope: str, rate: Rate | None) -> int | None:
    """Count one request against ``scope``; the seconds to wait when it is over ``rate``, else None."""
    if rate is None:
        return None
    cache = caches["survey"]
    now = int(time.time())
    window = now // rate.seconds
    key = f"survey:rate:{scope}:{window}"
    if cache.add(key, 1, timeout=rate.seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=rate.seconds + 5)
            count = 1
    if count > rate.count:
        return (window + 1) * rate.seconds - now
    return None
