"""Quality flags of an online response (issue: speeders, straight-lining, duplicates, bursts).

Pure functions over plain values: the service gathers the link's earlier responses, this module decides.
A flag never deletes anything: a flagged response is stored and waits for an admin to include or
exclude it (``services.review_responses``).
"""

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Faster than this many milliseconds per question is faster than one can read it.
MIN_MS_PER_ITEM = 1000
# Faster than this share of the typical (median) completion time of the same questions.
SPEED_SHARE = 0.5
# The link's own median is used once it has this many earlier timed responses; before that the median of
# the same smart dimension across the cycle stands in.
MEDIAN_SAMPLE = 10
# This many responses on one link within the window make a burst; every response in it is flagged.
BURST_SIZE = 10
BURST_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Earlier:
    """A response already stored on the same link."""

    duration_ms: int | None
    pattern: str
    client_hash: str
    submitted_at: datetime
    burst: bool = False  # already flagged as part of a burst


@dataclass(frozen=True)
class Candidate:
    duration_ms: int | None
    pattern: str
    client_hash: str
    submitted_at: datetime
    contact_seen: bool = False  # its contact hash is already on the link


@dataclass(frozen=True)
class Flags:
    speeder: bool = False
    straight_line: bool = False
    same_client: bool = False
    repeat_contact: bool = False
    burst: bool = False

    def __bool__(self) -> bool:
        return any(self.as_fields().values())

    def as_fields(self) -> dict[str, bool]:
        return {
            "flag_speeder": self.speeder,
            "flag_straight_line": self.straight_line,
            "flag_same_client": self.same_client,
            "flag_repeat_contact": self.repeat_contact,
            "flag_burst": self.burst,
        }


def median_ms(durations: Iterable[int | None]) -> float | None:
    """The median of the known durations, or None below ``MEDIAN_SAMPLE`` of them."""
    known = [d for d in durations if d is not None]
    return statistics.median(known) if len(known) >= MEDIAN_SAMPLE else None


def is_speeder(duration_ms: int | None, items: int, median: float | None) -> bool:
    if duration_ms is None:
        return False
    if duration_ms < items * MIN_MS_PER_ITEM:
        return True
    return median is not None and duration_ms < SPEED_SHARE * median


def is_straight_line(pattern: str) -> bool:
    """Every question given the same answer (nine or more items)."""
    return len(pattern) > 1 and len(set(pattern)) == 1


def in_burst(submitted_at: datetime, earlier: Sequence[Earlier]) -> bool:
    recent = sum(1 for e in earlier if timedelta(0) <= submitted_at - e.submitted_at < BURST_WINDOW)
    return recent + 1 >= BURST_SIZE


def assess(candidate: Candidate, earlier: Sequence[Earlier], fallback_median: float | None) -> Flags:
    """The flags of ``candidate`` given the link's ``earlier`` responses (newest first or any order)."""
    median = median_ms(e.duration_ms for e in earlier)
    return Flags(
        speeder=is_speeder(
            candidate.duration_ms, len(candidate.pattern), median if median is not None else fallback_median
        ),
        straight_line=is_straight_line(candidate.pattern),
        same_client=bool(candidate.client_hash)
        and any(e.client_hash == candidate.client_hash and e.pattern == candidate.pattern for e in earlier),
        repeat_contact=candidate.contact_seen,
        burst=in_burst(candidate.submitted_at, earlier),
    )
