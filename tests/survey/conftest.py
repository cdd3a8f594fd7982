"""Survey fixtures: links of a fresh cycle (no agreed scores in the way), bodies and posting."""

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.survey import services
from kotacerdas.survey.models import SurveyLink
from kotacerdas.survey.views import link_path

GOVERNANCE = list(range(50, 59))


@pytest.fixture
def survey_cycle(make_cycle: Callable[..., Cycle]) -> Cycle:
    return make_cycle(2031)


@pytest.fixture
def links(survey_cycle: Cycle) -> dict[str, SurveyLink]:
    """Badung's six links in the fresh cycle, by smart dimension."""
    participation = Participation.objects.get(cycle=survey_cycle, region__code="51.03")
    return {link.smart_dimension: link for link in services.ensure_links(participation, actor=CLI)}


@pytest.fixture
def governance(links: dict[str, SurveyLink]) -> SurveyLink:
    return links["smart_governance"]


def make_body(
    answers: list[int] | None = None, *, seconds: int = 120, numbers: list[int] = GOVERNANCE, **extra: Any
) -> dict[str, Any]:
    """A valid body: varied answers, started ``seconds`` before it completes."""
    values = answers or [3, 4, 3, 2, 4, 3, 3, 4, 2]
    start = timezone.now() - timedelta(seconds=seconds)
    body = {
        "submission_id": str(uuid.uuid4()),
        "answers": {str(n): v for n, v in zip(numbers, values, strict=True)},
        "started_at": start.isoformat(),
        "completed_at": (start + timedelta(seconds=seconds)).isoformat(),
    }
    body.update(extra)
    return body


@pytest.fixture
def post() -> Callable[..., Any]:
    client = Client()

    def send(link: SurveyLink, body: Any, **headers: Any) -> Any:
        return client.post(link_path(link), data=json.dumps(body), content_type="application/json", **headers)

    return send


@pytest.fixture(scope="module")
def demo_around_module(django_db_blocker: Any) -> Iterator[None]:
    """For modules of transactional tests. The flush after a transactional test empties the database the
    session filled with the demo, and pytest-django runs all transactional tests after the others, so
    another app's may have run first: load the demo before (idempotent, instant when present) and after."""
    from kotacerdas.results.demo import load_demo

    with django_db_blocker.unblock():
        load_demo(say=lambda _: None)
    yield
    with django_db_blocker.unblock():
        load_demo(say=lambda _: None)
