"""A labelled simulation of a survey cycle, to judge the quality flags (``quality``) by numbers.

Genuine respondents, honest patterns that look odd, and the frauds issue 12's probe tried, each response
labelled with what it is; ``evaluate`` runs them through ``quality.assess`` in arrival order exactly as
the service does (the same earlier responses, the same verdicts on earlier ones) and ``score`` reports
precision and recall per flag and the share flagged per kind. Pure Python: the bench
(``bench/survey_quality.py``) and a test run it in a second; ``tests/survey/test_quality.py`` also sends
the same events through the real service and finds the same flags.

The models are assumptions, stated here so that they can be argued with:

- Genuine: 50 users of a programme per link over three weeks, most in the day and evening, 40 % of them
  in one or two waves of three hours after the programme messages its users. Completion time log-normal,
  median 150 s for nine questions, σ 0.45. Each has an opinion (normal, mean 2.9, sd 0.6) and answers
  around it (sd 0.7). 15 % share a device fingerprint with others (a carrier's shared address and a
  common phone). Half leave a phone number or e-mail address, spelled as people spell them.
- Honest patterns: a satisfied user answering 4 to everything at a reading pace; two members of one
  household on one phone with one contact, one after the other; twelve people at a town-hall meeting
  answering one link within twenty minutes on the venue's network (three with the same phone model).
- Frauds, each worth doing only in volume: near-straight-lining (eight answers of 4 and one 3) by an
  insider from two devices, quicker than reading; one device sending responses with a start time moved
  back so each looks 2–3 minutes long while they arrive 20–45 s apart; a genuine response sent again
  from the same device with one answer changed; a slow burst going round the region's six links for two
  hours from a new device fingerprint each time; one person answering five times under e-mail aliases
  (dots, ``+tags``, googlemail) or under spellings of one phone number without ``+62``.
"""

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from kotacerdas.survey import quality

ITEMS = 9
MEDIAN_S = 150.0
GENUINE_KINDS = ("genuine", "satisfied_all_4", "household", "town_hall")
FRAUD_KINDS = (
    "near_straight_line",
    "backdated_start",
    "duplicate_changed",
    "slow_burst",
    "email_alias",
    "phone_spelling",
)
START = datetime(2031, 3, 2, tzinfo=UTC)


@dataclass
class Event:
    """One response as it reaches the server."""

    kind: str
    region: int
    link: int  # 0..5 within the region
    at: datetime  # received by the server (whole seconds)
    seconds: float  # the form time the client claims (completed_at - started_at)
    answers: list[int]
    client: str
    contact: str = ""  # as typed
    key: int = 0  # set in arrival order by ``evaluate``

    @property
    def started_at(self) -> datetime:
        return self.at - timedelta(seconds=self.seconds)

    @property
    def duration_ms(self) -> int:
        """As the service computes it from the body's two times."""
        return int((self.at - self.started_at).total_seconds() * 1000)

    @property
    def pattern(self) -> str:
        return "".join(map(str, self.answers))

    @property
    def fraud(self) -> bool:
        return self.kind in FRAUD_KINDS


@dataclass
class Config:
    regions: int = 6
    per_link: int = 50
    days: int = 21
    seed: int = 20261202


def _clip(x: float) -> int:
    return min(4, max(1, round(x)))


def _answers(rng: random.Random, mean: float = 2.9, sd: float = 0.6) -> list[int]:
    opinion = rng.gauss(mean, sd)
    return [_clip(rng.gauss(opinion, 0.7)) for _ in range(ITEMS)]


def _seconds(rng: random.Random, median: float = MEDIAN_S, sigma: float = 0.45) -> float:
    return rng.lognormvariate(math.log(median), sigma)


def _daytime(rng: random.Random, day: int) -> datetime:
    hour = rng.choices(
        range(24), weights=[1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 6, 6, 7, 6, 6, 6, 6, 7, 8, 9, 9, 8, 5, 2]
    )[0]
    return START + timedelta(days=day, hours=hour, seconds=rng.uniform(0, 3600))


def _whole(at: datetime) -> datetime:
    return at.replace(microsecond=0)


def _phone(rng: random.Random) -> str:
    return "8" + "".join(str(rng.randrange(10)) for _ in range(rng.choice((9, 10))))


def _spell_phone(rng: random.Random, digits: str) -> str:
    """One of the ways people write an Indonesian mobile number."""
    a, b, c = digits[:3], digits[3:7], digits[7:]
    return rng.choice(
        [f"0{digits}", f"0{a}-{b}-{c}", f"+62 {a} {b} {c}", f"62{digits}", f"+62{digits}", f"{a} {b} {c}",
         f"(0{a}) {b}{c}", f"0062{digits}", f"+62 (0){a}-{b}-{c}"]
    )  # fmt: skip


def _email(rng: random.Random) -> str:
    first = rng.choice(["budi", "siti", "agus", "dewi", "made", "putu", "rina", "andi", "wayan", "ketut"])
    last = rng.choice(["santoso", "rahayu", "wijaya", "pratama", "lestari", "saputra", "hidayat", "yuliani"])
    return f"{first}{last}{rng.randrange(100)}"


def _alias(rng: random.Random, local: str, i: int) -> str:
    """The same Gmail mailbox written another way: dots, a +tag, capitals, the old domain."""
    dotted = "".join(
        ch + ("." if rng.random() < 0.25 and j < len(local) - 1 else "") for j, ch in enumerate(local)
    )
    tag = rng.choice(["", f"+{i}", "+survei", f"+kc{i}"])
    domain = rng.choice(["gmail.com", "gmail.com", "googlemail.com", "GMAIL.COM"])
    text = f"{dotted}{tag}@{domain}"
    return text.upper() if rng.random() < 0.1 else text


def simulate(config: Config | None = None) -> list[Event]:
    """The labelled events of one cycle, in arrival order."""
    config = config or Config()
    rng = random.Random(config.seed)
    events: list[Event] = []
    serial = iter(range(10**9))

    def device() -> str:
        return f"d{next(serial)}"

    for region in range(config.regions):
        shared = [f"shared-{region}-{i}" for i in range(8)]
        for link in range(6):
            waves = [rng.randrange(config.days) for _ in range(rng.choice((1, 2)))]
            wave_starts = [_daytime(rng, day) for day in waves]
            for _ in range(config.per_link):
                if rng.random() < 0.4:
                    at = rng.choice(wave_starts) + timedelta(seconds=rng.expovariate(1 / 2400))
                else:
                    at = _daytime(rng, rng.randrange(config.days))
                contact = ""
                if rng.random() < 0.5:
                    contact = (
                        _spell_phone(rng, _phone(rng)) if rng.random() < 0.7 else _email(rng) + "@gmail.com"
                    )
                client = rng.choice(shared) if rng.random() < 0.15 else device()
                events.append(
                    Event("genuine", region, link, _whole(at), _seconds(rng), _answers(rng), client, contact)
                )
        _honest(rng, region, config, events, device)
        _frauds(rng, region, config, events, device)
    events.sort(key=lambda e: e.at)
    return events


def _honest(
    rng: random.Random, region: int, config: Config, events: list[Event], device: Callable[[], str]
) -> None:
    for _ in range(4):  # satisfied users answering 4 to everything, reading the questions
        at = _daytime(rng, rng.randrange(config.days))
        events.append(
            Event(
                "satisfied_all_4", region, rng.randrange(6), _whole(at), _seconds(rng), [4] * ITEMS, device()
            )
        )
    for _ in range(2):  # two members of one household, one phone, one contact, one after the other
        phone, client, link = _phone(rng), device(), rng.randrange(6)
        first = _daytime(rng, rng.randrange(config.days))
        seconds = _seconds(rng)
        events.append(
            Event(
                "household",
                region,
                link,
                _whole(first),
                seconds,
                _answers(rng),
                client,
                _spell_phone(rng, phone),
            )
        )
        second_s = _seconds(rng)
        second = first + timedelta(seconds=rng.uniform(60, 900) + second_s)
        events.append(
            Event(
                "household",
                region,
                link,
                _whole(second),
                second_s,
                _answers(rng),
                client,
                _spell_phone(rng, phone),
            )
        )
    meeting = _daytime(rng, rng.randrange(config.days))
    link, same_model = rng.randrange(6), device()
    for i in range(12):  # a town-hall meeting: one link, twenty minutes, the venue's network
        seconds = _seconds(rng)
        at = meeting + timedelta(seconds=rng.uniform(0, 1200) + seconds)
        client = same_model if i < 3 else device()
        events.append(Event("town_hall", region, link, _whole(at), seconds, _answers(rng, 3.1), client))


def _frauds(
    rng: random.Random, region: int, config: Config, events: list[Event], device: Callable[[], str]
) -> None:
    link = rng.randrange(6)
    devices = [device(), device()]
    day = rng.randrange(config.days)
    for i in range(8):  # an insider: eight 4s and one 3, from two devices, quicker than reading
        answers = [4] * ITEMS
        answers[rng.randrange(ITEMS)] = 3
        at = _daytime(rng, day)
        events.append(
            Event(
                "near_straight_line",
                region,
                link,
                _whole(at),
                _seconds(rng, 0.6 * MEDIAN_S, 0.15),
                answers,
                devices[i % 2],
            )
        )

    client, at = device(), _daytime(rng, rng.randrange(config.days))
    links = rng.sample(range(6), 2)
    for _ in range(
        8
    ):  # one device, start times moved back: each claims 2–3 minutes, they arrive 20–45 s apart
        at += timedelta(seconds=rng.uniform(20, 45))
        events.append(
            Event(
                "backdated_start",
                region,
                rng.choice(links),
                _whole(at),
                rng.uniform(120, 200),
                _answers(rng, 3.6, 0.3),
                client,
            )
        )

    genuine = [e for e in events if e.region == region and e.kind == "genuine"]
    for original in rng.sample(genuine, 4):  # sent again from the same device with one answer changed
        answers = list(original.answers)
        i = rng.randrange(ITEMS)
        answers[i] = answers[i] % 4 + 1
        at = original.at + timedelta(seconds=rng.uniform(600, 2 * 86400))
        events.append(
            Event(
                "duplicate_changed",
                region,
                original.link,
                _whole(at),
                _seconds(rng),
                answers,
                original.client,
                original.contact,
            )
        )

    at = _daytime(rng, rng.randrange(config.days))
    for i in range(36):  # a slow burst round the six links for two hours, a new fingerprint each time
        at += timedelta(seconds=rng.uniform(150, 250))
        events.append(
            Event("slow_burst", region, i % 6, _whole(at), _seconds(rng), _answers(rng, 3.6, 0.3), device())
        )

    local, link, devices = _email(rng), rng.randrange(6), [device(), device()]
    at = _daytime(rng, rng.randrange(config.days))
    for i in range(5):  # one person, five e-mail aliases
        at += timedelta(seconds=rng.uniform(600, 20000))
        events.append(
            Event(
                "email_alias",
                region,
                link,
                _whole(at),
                _seconds(rng),
                _answers(rng, 3.6, 0.3),
                rng.choice(devices),
                _alias(rng, local, i),
            )
        )

    phone, link, devices = _phone(rng), rng.randrange(6), [device(), device()]
    at = _daytime(rng, rng.randrange(config.days))
    for _ in range(5):  # one person, one number written five ways
        at += timedelta(seconds=rng.uniform(600, 20000))
        events.append(
            Event(
                "phone_spelling",
                region,
                link,
                _whole(at),
                _seconds(rng),
                _answers(rng, 3.6, 0.3),
                rng.choice(devices),
                _spell_phone(rng, phone),
            )
        )


# --- evaluation --------------------------------------------------------------------------------------


@dataclass
class Stored:
    event: Event
    earlier: quality.Earlier
    flags: quality.Flags = field(default_factory=quality.Flags)


def evaluate(events: Iterable[Event], recent: int = 200) -> dict[int, quality.Flags]:
    """Each event's flags (by ``Event.key``, numbered here in arrival order) after all have arrived, given
    by ``quality.assess`` with what the service would pass it."""
    stored: dict[int, Stored] = {}
    by_link: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_region: dict[int, list[int]] = defaultdict(list)
    by_dimension: dict[int, list[int]] = defaultdict(list)
    for key, event in enumerate(events, start=1):
        event.key = key
        link_id = event.region * 6 + event.link + 1
        contact = quality.normalise_contact(event.contact)
        on_link = [stored[k].earlier for k in reversed(by_link[(event.region, event.link)][-recent:])]
        region = [
            stored[k].earlier
            for k in reversed(by_region[event.region][-recent * 6 :])
            if timedelta(0) <= event.at - stored[k].event.at < quality.REGION_BURST_WINDOW
        ][:recent]
        same_contact = [
            stored[k].earlier
            for k in by_link[(event.region, event.link)]
            if contact and stored[k].earlier.contact_hash == contact
        ][:recent]
        fallback = None
        if quality.median_ms(e.duration_ms for e in on_link) is None:
            fallback = quality.median_ms(
                stored[k].earlier.duration_ms for k in by_dimension[event.link][-recent:]
            )
        duration = event.duration_ms
        candidate = quality.Candidate(
            duration, event.pattern, event.client, event.at,
            contact_hash=contact, started_at=event.started_at, link=link_id,
        )  # fmt: skip
        verdict = quality.assess(candidate, on_link, fallback, region=region, same_contact=same_contact)
        earlier = quality.Earlier(
            duration,
            event.pattern,
            event.client,
            event.at,
            verdict.flags.burst,
            key,
            link_id,
            contact,
            event.started_at,
        )
        stored[key] = Stored(event, earlier, verdict.flags)
        for other, flags in verdict.earlier.items():
            row = stored[other]
            row.flags = row.flags | flags
            row.earlier = quality.with_flags(row.earlier, flags)
        by_link[(event.region, event.link)].append(key)
        by_region[event.region].append(key)
        by_dimension[event.link].append(key)
    return {key: row.flags for key, row in stored.items()}


@dataclass(frozen=True)
class Score:
    total: int
    frauds: int
    genuine: int
    fraud_recall: float  # share of fraudulent responses with any flag
    genuine_flagged: float  # share of genuine responses (honest patterns included) with any flag
    by_kind: dict[str, tuple[int, int]]  # kind -> (flagged, all)
    by_flag: dict[str, tuple[float, float, int]]  # flag -> (precision, recall, flagged)

    def lines(self) -> list[str]:
        out = [
            f"{self.total} responses: {self.genuine} genuine (honest patterns included), "
            f"{self.frauds} fraudulent",
            f"frauds flagged (recall): {self.fraud_recall:.1%}; genuine flagged: {self.genuine_flagged:.1%}",
            "",
            f"{'flag':<16}{'flagged':>8}{'precision':>11}{'recall':>9}",
        ]
        for name, (precision, recall, count) in self.by_flag.items():
            out.append(f"{name:<16}{count:>8}{precision:>11.1%}{recall:>9.1%}")
        out += ["", f"{'kind':<20}{'flagged':>8}{'of':>6}{'share':>9}"]
        for kind, (flagged, count) in self.by_kind.items():
            out.append(f"{kind:<20}{flagged:>8}{count:>6}{flagged / count if count else 0:>9.1%}")
        return out


def score(events: list[Event], flags: dict[int, quality.Flags]) -> Score:
    frauds = [e for e in events if e.fraud]
    genuine = [e for e in events if not e.fraud]
    by_kind = {
        kind: (
            sum(1 for e in events if e.kind == kind and flags[e.key]),
            sum(1 for e in events if e.kind == kind),
        )
        for kind in GENUINE_KINDS + FRAUD_KINDS
    }
    by_flag = {}
    for name in quality.FLAG_NAMES:
        marked = [e for e in events if getattr(flags[e.key], name)]
        true = sum(1 for e in marked if e.fraud)
        by_flag[name] = (
            true / len(marked) if marked else 0.0,
            true / len(frauds) if frauds else 0.0,
            len(marked),
        )
    return Score(
        total=len(events),
        frauds=len(frauds),
        genuine=len(genuine),
        fraud_recall=sum(1 for e in frauds if flags[e.key]) / len(frauds),
        genuine_flagged=sum(1 for e in genuine if flags[e.key]) / len(genuine),
        by_kind=by_kind,
        by_flag=by_flag,
    )
