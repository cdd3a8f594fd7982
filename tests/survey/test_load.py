"""A short version of bench/survey_load.py: concurrent clients over loopback, some submissions sent twice
at once and some re-sent after their acknowledgement; nothing lost, nothing stored twice.

The full run (10,000 submissions, the app server killed twice, PostgreSQL) is `python bench/survey_load.py`.
"""

import http.client
import json
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db.models import Count, Q
from django.test import override_settings
from django.utils import timezone

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Participation
from kotacerdas.survey import services
from kotacerdas.survey.models import SurveyLink, SurveyResponse
from kotacerdas.survey.views import link_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("demo_around_module"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
        reason="concurrent transactions need a connection per thread, and the SQLite test database is one "
        "in-memory connection shared by the live server's threads; runs on PostgreSQL (DATABASE_URL)",
    ),
]

SUBMISSIONS = 240


def _post(base: str, path: str, body: dict[str, Any]) -> int:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        return connection.getresponse().status
    finally:
        connection.close()


@override_settings(SURVEY_RATE_LIMIT=None, SURVEY_LINK_RATE_LIMIT=None, SURVEY_RECOMPUTE_EVERY="60")
def test_concurrent_submissions_with_replays_lose_nothing_and_store_nothing_twice(live_server: Any) -> None:
    participations = (
        Participation.objects.filter(cycle__year=2024).exclude(track="").order_by("region__code")[:4]
    )
    links = [link for p in participations for link in services.ensure_links(p, actor=CLI)]
    numbers = {link.pk: [q.number for q in services.survey_questions(link)] for link in links}
    rng = random.Random(7)
    bodies = []
    for i in range(SUBMISSIONS):
        link = links[i % len(links)]
        start = timezone.now() - timedelta(seconds=rng.randint(60, 400))
        answers = {str(n): rng.randint(1, 4) for n in numbers[link.pk]}
        bodies.append((link_path(link), {"submission_id": str(uuid.uuid4()), "answers": answers,
                                         "started_at": start.isoformat()}))  # fmt: skip
    twice_at_once = set(rng.sample(range(SUBMISSIONS), SUBMISSIONS // 20))
    again_after = set(rng.sample(range(SUBMISSIONS), SUBMISSIONS // 20))

    def client(i: int) -> list[int]:
        path, body = bodies[i]
        if i in twice_at_once:
            with ThreadPoolExecutor(2) as pair:
                codes = list(pair.map(lambda _: _post(live_server.url, path, body), range(2)))
        else:
            codes = [_post(live_server.url, path, body)]
        if i in again_after:
            codes.append(_post(live_server.url, path, body))
        return codes

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(client, range(SUBMISSIONS)))

    for i, codes in enumerate(results):
        if i in twice_at_once:
            assert sorted(codes[:2]) == [200, 201], (i, codes)
        else:
            assert codes[0] == 201, (i, codes)
        if i in again_after:
            assert codes[-1] == 200
    ids = [body["submission_id"] for _, body in bodies]
    stored = SurveyResponse.objects.filter(response_id__in=ids).annotate(n=Count("answers"))
    assert stored.count() == SUBMISSIONS  # none lost, none twice (response_id is unique)
    assert all(r.n == 9 for r in stored)
    for link in SurveyLink.objects.filter(pk__in=[link.pk for link in links]).annotate(
        included=Count("responses", filter=Q(responses__included=True))
    ):
        assert link.quota_used == link.included
