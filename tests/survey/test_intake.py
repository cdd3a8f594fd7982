"""The submission hot path (issue 11): kept link copies that stay valid, one-statement rate counters, a
few plain statements per stored response."""

from dataclasses import replace
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kotacerdas.cycles.models import Cycle
from kotacerdas.survey import quality, ratelimit, services, views
from kotacerdas.survey.models import RateCounter, SurveyAnswer, SurveyLink, SurveyResponse
from kotacerdas.survey.rates import Rate
from tests.survey.conftest import make_body


def test_a_link_closed_after_it_was_kept_refuses_and_reopened_it_takes_answers(
    governance: SurveyLink, post: Any, admin_user: Any
) -> None:
    assert post(governance, make_body()).status_code == 201  # the link is now kept by this process
    services.close_link(governance, actor=admin_user)
    closed = make_body([1, 2, 3, 4, 1, 2, 3, 4, 1])
    assert post(governance, closed).status_code == 410
    assert not SurveyResponse.objects.filter(response_id=closed["submission_id"]).exists()
    # An invalid body to a closed link is refused as closed, as before the copy was kept.
    assert post(governance, {**make_body(), "started_at": "no"}).status_code == 410
    governance.refresh_from_db()
    services.reopen_link(governance, actor=admin_user)
    assert post(governance, closed).status_code == 201


@override_settings(SURVEY_RATE_LIMIT=Rate(1, 3600))
def test_a_kept_link_closed_meanwhile_answers_410_not_429(
    governance: SurveyLink, post: Any, admin_user: Any
) -> None:
    assert post(governance, make_body()).status_code == 201
    SurveyLink.objects.filter(pk=governance.pk).update(closed_at=timezone.now())  # another process
    assert post(governance, make_body([1, 2, 3, 4, 1, 2, 3, 4, 1])).status_code == 410


def test_a_survey_window_that_ended_after_the_link_was_kept_is_read_under_the_lock(
    governance: SurveyLink, post: Any
) -> None:
    assert post(governance, make_body()).status_code == 201
    Cycle.objects.filter(pk=governance.participation.cycle_id).update(
        survey_closes=timezone.now() - timedelta(minutes=1)
    )
    late = make_body([1, 2, 3, 4, 1, 2, 3, 4, 1])
    assert post(governance, late).status_code == 410
    assert not SurveyResponse.objects.filter(response_id=late["submission_id"]).exists()


def test_a_kept_link_whose_instrument_was_replaced_is_looked_up_again(
    governance: SurveyLink, post: Any
) -> None:
    assert post(governance, make_body()).status_code == 201
    kept = views.INTAKE_LINKS.get(governance.token)
    assert kept is not None
    # As after a reload of the instrument: the kept copy's load time is no longer the cycle's.
    kept.participation.cycle.instrument.loaded_at -= timedelta(days=1)
    with pytest.raises(services.StaleLink):
        services.submit_response(kept, services_submission(), questions=services.survey_questions(governance))
    body = make_body([1, 2, 3, 4, 1, 2, 3, 4, 1])
    assert post(governance, body).status_code == 201
    fresh = views.INTAKE_LINKS.get(governance.token)
    assert fresh is not None and fresh is not kept
    stored = SurveyResponse.objects.get(response_id=body["submission_id"])
    assert SurveyAnswer.objects.filter(response=stored).count() == 9


def services_submission() -> Any:
    from kotacerdas.survey.submission import parse_submission

    body = make_body()
    scales = {int(n): (1, 4) for n in body["answers"]}
    return parse_submission(body, scales, timezone.now())


def test_a_rate_limit_hit_is_one_statement_and_a_new_window_starts_afresh(governance: SurveyLink) -> None:
    rate = Rate(2, 60)
    with mock.patch("kotacerdas.survey.ratelimit.random.randrange", return_value=1):
        with CaptureQueriesContext(connection) as queries:
            assert ratelimit.hit("c:test", rate) is None
        assert len(queries) == 1
        with mock.patch("kotacerdas.survey.ratelimit.time.time", return_value=6000.0):
            assert ratelimit.hit("c:test", rate) is None
            assert ratelimit.hit("c:test", rate) is None
            assert ratelimit.hit("c:test", rate) == 60
        with mock.patch("kotacerdas.survey.ratelimit.time.time", return_value=6061.0):
            assert ratelimit.hit("c:test", rate) is None  # the next window
    assert RateCounter.objects.get(scope="c:test").hits == 1


def test_ended_rate_windows_are_pruned(governance: SurveyLink) -> None:
    with mock.patch("kotacerdas.survey.ratelimit.random.randrange", return_value=1):
        with mock.patch("kotacerdas.survey.ratelimit.time.time", return_value=6000.0):
            ratelimit.hit("old", Rate(5, 60))
        ratelimit.hit("new", Rate(5, 60))
    with mock.patch("kotacerdas.survey.ratelimit.random.randrange", return_value=0):
        ratelimit.hit("new", Rate(5, 60))
    assert list(RateCounter.objects.values_list("scope", "hits")) == [("new", 2)]


@override_settings(SURVEY_RATE_LIMIT=Rate(20, 3600), SURVEY_LINK_RATE_LIMIT=Rate(300, 3600))
def test_a_clean_submission_through_a_kept_link_costs_few_statements(
    links: dict[str, SurveyLink], post: Any
) -> None:
    governance = links["smart_governance"]
    # The link is kept, and has the earlier timed responses its own median needs (``MEDIAN_SAMPLE``).
    for i in range(quality.MEDIAN_SAMPLE):
        answers = [1 + (i + k) % 4 for k in range(9)]
        assert post(governance, make_body(answers), REMOTE_ADDR=f"10.0.0.{i + 1}").status_code == 201
    services.flush_pending_recomputes(governance.participation.cycle)
    with (
        mock.patch("kotacerdas.survey.ratelimit.random.randrange", return_value=1),
        CaptureQueriesContext(connection) as queries,
    ):
        reply = post(governance, make_body([1, 2, 3, 4, 1, 2, 3, 4, 1]), REMOTE_ADDR="10.0.1.1")
    assert reply.status_code == 201 and "repeat" not in reply.json()
    statements = _statements(queries)
    # PostgreSQL: the lock with both rate counters and the stored digest; the earlier responses; the
    # quota's place with the response and its answers. SQLite: two rate counters, the lock, the earlier
    # responses, the quota, the response, its answers. Nothing else.
    assert len(statements) <= (3 if connection.vendor == "postgresql" else 7), "\n".join(statements)


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))]


def test_a_replay_is_answered_from_the_lock_statement(governance: SurveyLink, post: Any) -> None:
    body = make_body()
    assert post(governance, body).status_code == 201
    with (
        mock.patch("kotacerdas.survey.ratelimit.random.randrange", return_value=1),
        CaptureQueriesContext(connection) as queries,
    ):
        assert post(governance, body).status_code == 200
    # PostgreSQL: the lock (which reads the stored digest) and the earlier responses, in one round trip.
    assert len(_statements(queries)) == (2 if connection.vendor == "postgresql" else 3)
    assert post(governance, {**body, "answers": {**body["answers"], "1": 4}}).status_code == 409


def test_an_id_stored_while_the_lock_was_awaited_inserts_nothing_and_gives_the_place_back(
    governance: SurveyLink, post: Any
) -> None:
    body = make_body()
    assert post(governance, body).status_code == 201
    governance.refresh_from_db()
    used = governance.quota_used
    # As when the same id went through another link meanwhile: the lock's read does not see it stored.
    locked = services._lock_link

    def unseen(*args: Any) -> Any:
        found, gathered = locked(*args)
        return found and replace(found, stored_digest=None), gathered

    with mock.patch.object(services, "_lock_link", unseen):
        assert post(governance, body).status_code == 200  # the INSERT found it: a replay
        changed = {**body, "answers": {**body["answers"], "1": 4}}
        assert post(governance, changed).status_code == 409
    governance.refresh_from_db()
    assert governance.quota_used == used
    assert SurveyResponse.objects.filter(response_id=body["submission_id"]).count() == 1
    stored = SurveyResponse.objects.get(response_id=body["submission_id"])
    assert SurveyAnswer.objects.filter(response=stored).count() == 9


@override_settings(SURVEY_RATE_LIMIT=Rate(5, 60), SURVEY_LINK_RATE_LIMIT=Rate(2, 60))
def test_the_link_limit_counted_with_the_lock_refuses_the_third(governance: SurveyLink, post: Any) -> None:
    bodies = [make_body([1 + (i + k) % 4 for k in range(9)]) for i in range(3)]
    assert [post(governance, b, REMOTE_ADDR=f"10.0.3.{i}").status_code for i, b in enumerate(bodies)] == [
        201,
        201,
        429,
    ]
    limited = post(governance, bodies[2], REMOTE_ADDR="10.0.3.9")
    assert limited.status_code == 429 and 0 < int(limited["Retry-After"]) <= 60
    assert limited.json() == {"error": "rate_limited", "retry_after": int(limited["Retry-After"])}
    assert not SurveyResponse.objects.filter(response_id=bodies[2]["submission_id"]).exists()
    assert post(governance, bodies[0], REMOTE_ADDR="10.0.3.0").status_code == 200  # stored: acknowledged
    # Every request is counted, the refused ones and the replay too.
    assert dict(RateCounter.objects.values_list("scope", "hits"))[f"l:{governance.pk}"] == 5


def test_the_same_device_again_is_told_it_is_a_repeat(governance: SurveyLink, post: Any) -> None:
    assert "repeat" not in post(governance, make_body(), REMOTE_ADDR="10.0.0.7").json()
    again = post(governance, make_body([1, 2, 3, 4, 1, 2, 3, 4, 1]), REMOTE_ADDR="10.0.0.7")
    assert again.status_code == 201 and again.json()["repeat"] is True


def test_the_repeat_is_still_found_beyond_what_the_quality_rules_read(
    governance: SurveyLink, post: Any
) -> None:
    assert post(governance, make_body(), REMOTE_ADDR="10.0.0.8").status_code == 201
    with mock.patch.object(services, "RECENT", 1):
        post(governance, make_body([2, 2, 3, 4, 1, 2, 3, 4, 1]), REMOTE_ADDR="10.0.0.9")
        again = post(governance, make_body([1, 2, 3, 4, 1, 2, 3, 4, 1]), REMOTE_ADDR="10.0.0.8")
    assert again.status_code == 201 and again.json()["repeat"] is True


def test_both_limits_count_the_link_only_while_the_client_is_within_its_own(governance: SurveyLink) -> None:
    client, link = Rate(1, 60), Rate(5, 60)
    with (
        mock.patch("kotacerdas.survey.ratelimit.random.randrange", return_value=1),
        mock.patch("kotacerdas.survey.ratelimit.time.time", return_value=6000.0),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert ratelimit.hit_both("c:a", client, "l:1", link) is None
        assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
        assert (
            ratelimit.hit_both("c:a", client, "l:1", link) == 60
        )  # the client is over: the link not counted
        assert ratelimit.hit_both("c:b", client, "l:1", link) is None
        for _ in range(3):
            ratelimit.hit_both(f"c:{_}", client, "l:1", link)
        assert ratelimit.hit_both("c:z", client, "l:1", link) == 60  # the sixth counted on the link
    assert dict(RateCounter.objects.values_list("scope", "hits"))["l:1"] == 6
