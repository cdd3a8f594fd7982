"""One helper for the per-process memos the hot paths keep (survey links and questions, report parts).

Each memo is a :class:`ProcessCache`: a bounded dict with an optional time to live, whose keys carry the
*version* of what they were computed from (an instrument's load time, a result set's computation time, the
report prose's edit time). Invalidation therefore needs no messages between app servers: a change makes a
new version, so the next lookup misses; the old entry ages out or is dropped when the cache is full.
What a memo may hold, and which version it keys on, is documented where it is declared.

Every ProcessCache registers itself; :func:`reset_all` empties them all. Tests call it between tests (an
autouse fixture in ``tests/conftest.py``), so no test sees another's memo.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

_registry: list["ProcessCache[Any]"] = []


class ProcessCache[V]:
    """A memo local to one process. ``ttl`` (seconds) bounds how stale an entry may be; ``None`` keeps it
    until its version changes or the cache fills (``maxsize`` entries: then it starts afresh)."""

    def __init__(self, name: str, *, maxsize: int = 256, ttl: float | None = None):
        self.name = name
        self.maxsize = maxsize
        self.ttl = ttl
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()
        _registry.append(self)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        if self.ttl is not None and time.monotonic() - entry[0] >= self.ttl:
            return None
        return entry[1]

    def set(self, key: Hashable, value: V) -> V:
        with self._lock:
            if key not in self._entries and len(self._entries) >= self.maxsize:
                self._entries.clear()
            self._entries[key] = (time.monotonic(), value)
        return value

    def get_or_set(self, key: Hashable, make: Callable[[], V]) -> V:
        """The cached value, or ``make()`` stored under ``key``. ``make`` runs outside the lock (two
        threads may both compute a missing value; the later one is kept)."""
        value = self.get(key)
        return value if value is not None else self.set(key, make())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def reset_all() -> None:
    """Empty every process cache (between tests, or after a bulk change made outside the services)."""
    for cache in _registry:
        cache.clear()
