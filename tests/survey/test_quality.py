"""Synthetic survey with planted bad responses: the share caught and the share of genuine ones flagged.

Genuine respondents arrive over 30 days, take a log-normal time (median 150 s, σ 0.3) and answer around
their own opinion with item-to-item spread; 10 % of the responses are planted: speeders, straight-liners
and duplicates (the same answers again from the same client, or the same contact again). Everything goes
through the service that the public endpoint calls, in arrival order.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Participation
from kotacerdas.survey import services
from kotacerdas.survey.models import SurveyResponse
from kotacerdas.survey.submission import Submission, keyed_hash

PER_LINK = 60
PLANTED_SHARE = 0.10


@dataclass
class Planned:
    link: Any
    at: Any
    seconds: float
    answers: list[int]
    client: str
    contact: str
    kind: str  # genuine, speeder, straight_line, duplicate


def _genuine_answers(rng: random.Random) -> list[int]:
    opinion = rng.gauss(2.9, 0.5)
    return [min(4, max(1, round(rng.gauss(opinion, 0.75)))) for _ in range(9)]


def _plan(links: list[Any], rng: random.Random) -> list[Planned]:
    start = timezone.now() - timedelta(days=40)
    plan: list[Planned] = []
    for link in links:
        genuine = []
        for _ in range(PER_LINK):
            at = start + timedelta(seconds=rng.uniform(0, 30 * 86400))
            shared_client = rng.random() < 0.2  # behind a carrier's shared address, or a family phone
            genuine.append(
                Planned(
                    link, at, rng.lognormvariate(5.01, 0.3), _genuine_answers(rng),
                    f"shared-{rng.randrange(5)}" if shared_client else uuid.uuid4().hex,
                    uuid.uuid4().hex if rng.random() < 0.5 else "", "genuine",
                )
            )  # fmt: skip
        plan.extend(genuine)
        for i in range(round(PER_LINK * PLANTED_SHARE / (1 - PLANTED_SHARE))):
            kind = ("speeder", "straight_line", "duplicate")[i % 3]
            original = rng.choice(genuine)
            at = original.at + timedelta(minutes=rng.uniform(30, 3 * 86400 / 60))
            if kind == "speeder":
                item = Planned(
                    link, at, rng.uniform(3, 60), _genuine_answers(rng), uuid.uuid4().hex, "", kind
                )
            elif kind == "straight_line":
                item = Planned(link, at, rng.lognormvariate(5.01, 0.3), [rng.randint(1, 4)] * 9,
                               uuid.uuid4().hex, "", kind)  # fmt: skip
            elif rng.random() < 0.5 or not original.contact:  # the same phone sends the same answers again
                item = Planned(
                    link, at, rng.lognormvariate(5.01, 0.3), original.answers, original.client, "", kind
                )
            else:  # the same person again, with other answers, from another device
                item = Planned(link, at, rng.lognormvariate(5.01, 0.3), _genuine_answers(rng),
                               uuid.uuid4().hex, original.contact, kind)  # fmt: skip
            plan.append(item)
    return sorted(plan, key=lambda p: p.at)


@pytest.mark.slow
@override_settings(SURVEY_RECOMPUTE_EVERY="off")
def test_planted_speeders_straight_liners_and_duplicates_are_caught(make_cycle: Any, capsys: Any) -> None:
    cycle = make_cycle(2032)
    links = [
        link
        for participation in Participation.objects.filter(cycle=cycle)
        for link in services.ensure_links(participation, actor=CLI)
    ]
    questions = {link.pk: services.survey_questions(link) for link in links}
    rng = random.Random(20241125)
    plan = _plan(links, rng)
    for item in plan:
        numbers = [q.number for q in questions[item.link.pk]]
        started = item.at - timedelta(seconds=item.seconds)
        submission = Submission(
            submission_id=str(uuid.uuid4()),
            answers=dict(zip(numbers, item.answers, strict=True)),
            started_at=started,
            completed_at=item.at,
            contact_hash=keyed_hash("contact", item.contact) if item.contact else "",
            consent=bool(item.contact),
        )
        outcome = services.submit_response(
            item.link, submission, questions=questions[item.link.pk], client_hash=item.client, now=item.at
        )
        assert outcome == services.Outcome.STORED
        item.kind += f"|{submission.submission_id}"

    flagged = {r.response_id for r in SurveyResponse.objects.filter(participation__cycle=cycle) if r.flags}
    planted = [p for p in plan if not p.kind.startswith("genuine")]
    genuine = [p for p in plan if p.kind.startswith("genuine")]
    caught = [p for p in planted if p.kind.split("|")[1] in flagged]
    false = [p for p in genuine if p.kind.split("|")[1] in flagged]
    by_kind = {
        kind: (
            sum(1 for p in caught if p.kind.startswith(kind)),
            sum(1 for p in planted if p.kind.startswith(kind)),
        )
        for kind in ("speeder", "straight_line", "duplicate")
    }
    caught_share, false_share = len(caught) / len(planted), len(false) / len(genuine)
    with capsys.disabled():
        print(
            f"\nquality flags: {len(plan)} responses on {len(links)} links, {len(planted)} planted "
            f"({', '.join(f'{k} {c}/{n}' for k, (c, n) in by_kind.items())}): "
            f"caught {len(caught)}/{len(planted)} = {caught_share:.1%}; "
            f"genuine flagged {len(false)}/{len(genuine)} = {false_share:.1%}"
        )
    assert caught_share >= 0.95
    assert false_share <= 0.02
