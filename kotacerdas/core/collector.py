"""Python's cycle collector paused around bulk work.

Reading a file of 100,000 rows allocates millions of short-lived containers, and every 700 allocations
the collector walks the young ones again: a third of the time it takes to parse and validate an import.
What such work allocates is freed by reference counting anyway (it builds no cycles worth collecting), so
the collector is paused while it runs and runs again afterwards as usual.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector inside the block; re-enabled after it only when it was enabled before
    (blocks nest)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
