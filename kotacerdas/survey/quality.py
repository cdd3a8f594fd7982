"""Quality flags of an online response (speeders, straight-lining, one device or one person answering
again, bursts).

Pure functions over plain values: the service gathers the earlier responses that matter (the link's
latest, the region's last two hours, the link's responses with the same contact), this module decides.
A flag never deletes anything: a flagged response is stored and waits for an admin to include or
exclude it (``services.review_responses``). A decision may also send earlier responses to review (the
other half of a pair, every response of a burst): ``Verdict.earlier``.

Fraud that changes a region's result comes in volume (one response moves a 50-response mean by a
fiftieth), and volume leaves traces: one device, one person behind several spellings of a contact,
near-identical answers, more traffic than the programme's users make. The rules look for those traces
rather than judging a single response's answers, so that a satisfied citizen who answers *Sangat setuju*
nine times at a reading pace passes. How well they do is measured on a labelled simulation
(``kotacerdas.survey.simulation``, ``bench/survey_quality.py``, docs/survey.md).
"""

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

# Faster than this many milliseconds per question is faster than one can read it.
MIN_MS_PER_ITEM = 1000
# Faster than this share of the typical (median) completion time of the same questions. Completion times
# spread widely (log-normal, σ about 0.45): half the median would flag 6 % of genuine respondents, a
# third of it about 1 %; survey research draws the line at 30–40 % of the median.
SPEED_SHARE = 0.35
# The link's own median is used once it has this many earlier timed responses; before that the median of
# the same smart dimension across the cycle stands in.
MEDIAN_SAMPLE = 10
# Nine answers with at most this many differing from the most common one are (near) straight-lining...
STRAIGHT_LINE_OFF = 1
# ...which is flagged when answered faster than this share of the median (not read), or from a device
# that already answered the link. At a reading pace from a new device it is a satisfied (or unhappy)
# citizen's answer and passes.
STRAIGHT_LINE_SHARE = 0.75
# Before any median is known (a cycle's first responses), a reading pace of this many milliseconds per
# question stands in for it.
READING_MS_PER_ITEM = 15_000
# Answers differing in at most this many questions are a near-duplicate, from one device...
SAME_DEVICE_DISTANCE = 1
# ...or under one contact (one person with a changed mind, or a copy with an answer or two changed).
SAME_CONTACT_DISTANCE = 2
# A contact may answer a link this many times with different answers (two members of one household on
# one phone) before every response under it goes to review.
HOUSEHOLD = 2
# This many responses on one link within the window make a burst; every response in it is flagged. A
# wave of a programme's users after a message to them, or a town-hall meeting, rarely brings twelve
# within ten minutes; a script does.
BURST_SIZE = 12
BURST_WINDOW = timedelta(minutes=10)
# Across the region's links: this many responses within the window, at least two on each of
# REGION_BURST_LINKS of its links, is a burst too (a slow script going round the six links stays under
# the link rule). A programme's users arrive on their own programme's link, a wave after a message to
# them included.
REGION_BURST_SIZE = 18
REGION_BURST_LINKS = 4
REGION_BURST_WINDOW = timedelta(hours=2)

FLAG_NAMES = ("speeder", "straight_line", "same_client", "repeat_contact", "burst")


# --- contacts ----------------------------------------------------------------------------------------

_PHONE_NOISE = re.compile(r"[\s\-().]")
# Providers that ignore dots in the local part (gmail.com and its old name are one mailbox).
_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def normalise_contact(text: str) -> str:
    """One spelling per person, to compare (and hash) contacts.

    E-mail: lower-cased, a ``+tag`` dropped (sub-addressing: ``budi+survei@x.id`` is ``budi@x.id``), and
    for Gmail the dots of the local part too (``b.u.d.i@gmail.com`` is ``budi@gmail.com``). Phone: an
    Indonesian number in the international form ``+62…`` whatever the spelling (``0812-3456-789``,
    ``62 812 3456 789``, ``0062812…``, ``+62 (0)812…``, ``812 3456 789``); another country's number
    written with ``+`` or ``00`` keeps its own code. Anything else is lower-cased with its spaces
    collapsed. Hash what this returns (``submission.keyed_hash``), never the raw text."""
    text = " ".join(text.split())
    if not text:
        return ""
    if "@" in text:
        local, _at, domain = text.lower().rpartition("@")
        local = local.split("+", 1)[0] or local
        domain = domain.strip()
        if domain in _DOTLESS_DOMAINS:
            local, domain = local.replace(".", ""), _DOTLESS_DOMAINS[domain]
        return f"{local.strip()}@{domain}"
    digits = _PHONE_NOISE.sub("", text)
    international = digits.startswith(("+", "00"))
    digits = digits.removeprefix("+") if digits.startswith("+") else digits.removeprefix("00")
    if not digits.isascii() or not digits.isdigit():
        return text.lower()
    if digits.startswith("62"):
        return "+62" + digits[2:].lstrip("0")
    if international:
        return "+" + digits
    if digits.startswith("0"):
        return "+62" + digits.lstrip("0")
    if digits.startswith("8") and 9 <= len(digits) <= 12:  # a mobile number without its leading 0
        return "+62" + digits
    return digits


# --- inputs and verdict ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Earlier:
    """A response already stored: on the same link, or on another link of the region."""

    duration_ms: int | None
    pattern: str
    client_hash: str
    submitted_at: datetime
    burst: bool = False  # already flagged as part of a burst
    key: int = 0  # the response's id, to flag it as well
    link: int = 0
    contact_hash: str = ""
    started_at: datetime | None = None


@dataclass(frozen=True)
class Candidate:
    duration_ms: int | None
    pattern: str
    client_hash: str
    submitted_at: datetime
    contact_seen: bool = False  # its contact hash is already on the link (when no ``same_contact`` given)
    contact_hash: str = ""
    started_at: datetime | None = None  # as the client states it
    link: int = 0


@dataclass(frozen=True)
class Flags:
    speeder: bool = False
    straight_line: bool = False
    same_client: bool = False
    repeat_contact: bool = False
    burst: bool = False

    def __bool__(self) -> bool:
        return any(self.as_fields().values())

    def __or__(self, other: "Flags") -> "Flags":
        return Flags(*(a or b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[bool, ...]:
        return tuple(getattr(self, name) for name in FLAG_NAMES)

    def as_fields(self) -> dict[str, bool]:
        return {f"flag_{name}": getattr(self, name) for name in FLAG_NAMES}

    def names(self) -> list[str]:
        return [name for name in FLAG_NAMES if getattr(self, name)]


@dataclass(frozen=True)
class Verdict:
    flags: Flags
    # Earlier responses (by ``Earlier.key``) this one shows to be suspect too, with the flags they get.
    earlier: dict[int, Flags] = field(default_factory=dict)


# --- rules -------------------------------------------------------------------------------------------


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
    """Every question given the same answer, or all but ``STRAIGHT_LINE_OFF`` of them (five or more)."""
    if len(pattern) < 5:
        return len(pattern) > 1 and len(set(pattern)) == 1
    most = Counter(pattern).most_common(1)[0][1]
    return len(pattern) - most <= STRAIGHT_LINE_OFF


def distance(a: str, b: str) -> int:
    """In how many questions two answer patterns differ (all of them when the questions differ)."""
    if len(a) != len(b):
        return max(len(a), len(b))
    return sum(x != y for x, y in zip(a, b, strict=True))


def in_burst(submitted_at: datetime, earlier: Sequence[Earlier]) -> bool:
    recent = sum(1 for e in earlier if timedelta(0) <= submitted_at - e.submitted_at < BURST_WINDOW)
    return recent + 1 >= BURST_SIZE


def overlapping(candidate: Candidate, region: Sequence[Earlier]) -> list[Earlier]:
    """The same device's responses that the server received after the moment the candidate says it
    started: one device does not fill two forms at once, so the start was moved back (or two forms were
    filled side by side). Two people on one phone answer one after the other and do not overlap."""
    if not candidate.client_hash or candidate.started_at is None:
        return []
    return [
        e
        for e in region
        if e.client_hash == candidate.client_hash
        and candidate.started_at < e.submitted_at <= candidate.submitted_at
    ]


def region_burst(candidate: Candidate, region: Sequence[Earlier]) -> list[Earlier]:
    """The region's responses that, with the candidate, make a burst across its links: the candidate and
    the ``REGION_BURST_SIZE - 1`` responses before it arrived within ``REGION_BURST_WINDOW``, on at least
    ``REGION_BURST_LINKS`` links with two or more each (a wave of one programme's users after a message
    fills its own link, with a stray response or two on others). Only those are flagged, not everything
    else the window held."""
    window = sorted(
        (e for e in region if timedelta(0) <= candidate.submitted_at - e.submitted_at < REGION_BURST_WINDOW),
        key=lambda e: e.submitted_at,
        reverse=True,
    )[: REGION_BURST_SIZE - 1]
    per_link = Counter(e.link for e in window)
    per_link[candidate.link] += 1
    spread = sum(1 for count in per_link.values() if count >= 2)
    if len(window) + 1 >= REGION_BURST_SIZE and spread >= REGION_BURST_LINKS:
        return window
    return []


def assess(
    candidate: Candidate,
    earlier: Sequence[Earlier],
    fallback_median: float | None,
    *,
    region: Sequence[Earlier] = (),
    same_contact: Sequence[Earlier] | None = None,
) -> Verdict:
    """The flags of ``candidate`` given the link's ``earlier`` responses (latest first or any order), the
    region's responses of the last ``REGION_BURST_WINDOW`` on all its links (``region``, the link's
    included) and the link's responses with the candidate's contact (``same_contact``; when None, only
    ``candidate.contact_seen`` is known and any repeat is flagged)."""
    median = median_ms(e.duration_ms for e in earlier)
    if median is None:
        median = fallback_median
    items = len(candidate.pattern)
    pushed_back = overlapping(candidate, region)
    duration = candidate.duration_ms
    if pushed_back and candidate.duration_ms is not None:
        # The time the device can have spent on this form: since its last response arrived.
        since = max(e.submitted_at for e in pushed_back)
        duration = min(duration or 0, int((candidate.submitted_at - since).total_seconds() * 1000))
    speeder = is_speeder(duration, items, median)

    device = [e for e in earlier if candidate.client_hash and e.client_hash == candidate.client_hash]
    copies = [e for e in device if distance(e.pattern, candidate.pattern) <= SAME_DEVICE_DISTANCE]
    reading = median if median is not None else items * READING_MS_PER_ITEM
    straight = is_straight_line(candidate.pattern) and (
        bool(device) or (duration is not None and duration < STRAIGHT_LINE_SHARE * reading)
    )

    repeats: list[Earlier] = []
    if same_contact is None:
        repeat = candidate.contact_seen
    else:
        close = [e for e in same_contact if distance(e.pattern, candidate.pattern) <= SAME_CONTACT_DISTANCE]
        repeat = bool(close) or len(same_contact) >= HOUSEHOLD
        repeats = list(same_contact) if len(same_contact) >= HOUSEHOLD else []

    burst_link = in_burst(candidate.submitted_at, earlier)
    burst_region = region_burst(candidate, region)
    flags = Flags(
        speeder=speeder,
        straight_line=straight,
        same_client=bool(copies or pushed_back),
        repeat_contact=repeat,
        burst=burst_link or bool(burst_region),
    )
    also: dict[int, Flags] = {}

    def mark(rows: Iterable[Earlier], flag: Flags) -> None:
        for e in rows:
            if e.key:
                also[e.key] = also.get(e.key, Flags()) | flag

    # The first of two near-identical answers stays counted and the repeat waits; an overlap makes both
    # sessions implausible, and a contact's third response sends all of its responses to review.
    mark(pushed_back, Flags(same_client=True))
    mark(repeats, Flags(repeat_contact=True))
    if burst_link:
        window = [
            e for e in earlier if timedelta(0) <= candidate.submitted_at - e.submitted_at < BURST_WINDOW
        ]
        mark((e for e in window if not e.burst), Flags(burst=True))
    mark((e for e in burst_region if not e.burst), Flags(burst=True))
    return Verdict(flags, also)


def with_flags(earlier: Earlier, flags: Flags) -> Earlier:
    """``earlier`` as it is after ``flags`` were added to it (for callers that keep their own store)."""
    return replace(earlier, burst=earlier.burst or flags.burst)
