"""The public JSON endpoint (CONTRACT.md, "Web"): 201, 200, 409, 422, 410, 429, and what is stored."""

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from kotacerdas.results.models import RegionResult, ResultSetStatus
from kotacerdas.survey import quality, services
from kotacerdas.survey.models import Review, SurveyAnswer, SurveyLink, SurveyResponse
from kotacerdas.survey.rates import Rate
from kotacerdas.survey.views import link_path
from tests.survey.conftest import make_body


def test_a_submission_is_stored_once_and_an_identical_replay_gets_200(
    governance: SurveyLink, post: Any
) -> None:
    body = make_body()
    first = post(governance, body)
    again = post(governance, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["submission_id"] == body["submission_id"]
    response = SurveyResponse.objects.get(response_id=body["submission_id"])
    assert response.included and response.review == Review.AUTO and response.channel == "online"
    assert response.pattern == "343243342"
    assert SurveyAnswer.objects.filter(response=response).count() == 9


def test_the_same_id_with_other_answers_is_a_conflict(governance: SurveyLink, post: Any) -> None:
    body = make_body()
    post(governance, body)
    changed = {**body, "answers": {**body["answers"], "50": 1}}
    reply = post(governance, changed)
    assert reply.status_code == 409
    assert reply.json()["error"] == "conflict"
    assert SurveyResponse.objects.filter(response_id=body["submission_id"]).count() == 1


def test_the_same_id_on_another_link_is_a_conflict(links: dict[str, SurveyLink], post: Any) -> None:
    body = make_body()
    assert post(links["smart_governance"], body).status_code == 201
    other = make_body(numbers=list(range(59, 68)))
    other["submission_id"] = body["submission_id"]
    assert post(links["smart_branding"], other).status_code == 409


def test_invalid_bodies_name_their_fields(governance: SurveyLink, post: Any) -> None:
    body = make_body()
    del body["answers"]["53"]
    body["answers"]["54"] = 5
    body["answers"]["77"] = 3
    body["started_at"] = "yesterday"
    reply = post(governance, body)
    assert reply.status_code == 422
    assert set(reply.json()["fields"]) == {"answers.53", "answers.54", "answers.77", "started_at"}
    assert post(governance, {"answers": {}}).json()["fields"].keys() >= {"submission_id"}
    assert not SurveyResponse.objects.filter(link=governance).exists()


def test_a_body_that_is_not_json_is_invalid(governance: SurveyLink, client: Any) -> None:
    reply = client.post(link_path(governance), data="{not json", content_type="application/json")
    assert reply.status_code == 422 and "body" in reply.json()["fields"]


def test_a_closed_link_refuses_new_answers_but_acknowledges_a_replay(
    governance: SurveyLink, post: Any, admin_user: Any
) -> None:
    stored = make_body()
    post(governance, stored)
    services.close_link(governance, actor=admin_user)
    assert post(governance, make_body()).status_code == 410
    assert post(governance, stored).status_code == 200


def test_an_unknown_or_tampered_token_is_not_found(governance: SurveyLink, client: Any) -> None:
    path = link_path(governance)
    assert client.get(path.replace(".", ".x")).status_code == 404
    assert client.get("/s/AAAAAAAAAAAAAAAA.AAAAAAAAAAAA/").status_code == 404


def test_no_cookie_session_or_csrf_token_is_needed(governance: SurveyLink) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    reply = strict.post(link_path(governance), data=json.dumps(make_body()), content_type="application/json")
    assert reply.status_code == 201
    assert not reply.cookies


@override_settings(SURVEY_RATE_LIMIT=Rate(2, 3600))
def test_a_client_over_its_rate_limit_gets_429_with_retry_after(governance: SurveyLink, post: Any) -> None:
    first = make_body()
    assert post(governance, first).status_code == 201
    assert post(governance, make_body([1, 2, 3, 4, 1, 2, 3, 4, 1])).status_code == 201
    limited = post(governance, make_body([2, 2, 3, 4, 1, 2, 3, 4, 1]))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    # A replay of what was stored is still acknowledged: the client must learn that it arrived.
    assert post(governance, first).status_code == 200
    # Another client is not limited by this one.
    other = post(governance, make_body([3, 2, 3, 4, 1, 2, 3, 4, 1]), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 201


@override_settings(SURVEY_RATE_LIMIT=None, SURVEY_LINK_RATE_LIMIT=Rate(1, 60))
def test_a_link_over_its_rate_limit_gets_429(governance: SurveyLink, post: Any) -> None:
    assert post(governance, make_body()).status_code == 201
    assert post(governance, make_body([1, 2, 3, 4, 1, 2, 3, 4, 1]), REMOTE_ADDR="10.9.9.9").status_code == 429


def test_an_invitation_takes_one_response(governance: SurveyLink, client: Any, admin_user: Any) -> None:
    invitation = services.create_invitations(governance, 1, actor=admin_user)[0]
    path = link_path(governance, invitation)
    first = make_body()
    send = lambda body: client.post(path, data=json.dumps(body), content_type="application/json")  # noqa: E731
    assert send(first).status_code == 201
    assert send(first).status_code == 200
    assert send(make_body([1, 2, 3, 4, 1, 2, 3, 4, 1])).status_code == 410
    stored = SurveyResponse.objects.get(invitation=invitation)
    assert stored.respondent == "undangan 1"
    assert client.get(path).status_code == 410


def test_the_contact_is_kept_only_as_a_keyed_hash_and_a_repeat_is_flagged(
    governance: SurveyLink, post: Any
) -> None:
    # Two people of one household with one number (each on their own phone here) both count, until the
    # number comes a third time in yet another spelling.
    post(governance, make_body(contact="0812-3456-789", consent=True), REMOTE_ADDR="10.0.0.1")
    post(
        governance, make_body([1, 2, 3, 4, 1, 2, 3, 4, 1], contact="+62 812 3456 789", consent=True),
        REMOTE_ADDR="10.0.0.2",
    )  # fmt: skip
    post(
        governance, make_body([3, 4, 3, 2, 4, 3, 3, 4, 3], contact="628123456789", consent=True),
        REMOTE_ADDR="10.0.0.3",
    )  # fmt: skip
    first, second, third = SurveyResponse.objects.filter(link=governance).order_by("id")
    assert first.contact_hash == second.contact_hash == third.contact_hash and len(first.contact_hash) == 64
    stored = json.dumps(list(SurveyResponse.objects.filter(link=governance).values()), default=str)
    # The number in any spelling (a bare "3456" could occur by chance inside a stored hex digest).
    assert not any(spelling in stored for spelling in ("0812-3456-789", "812 3456 789", "8123456789"))
    # A third answer under one contact is more than a household pair: all three wait for an admin.
    assert [r.flag_repeat_contact for r in (first, second, third)] == [True, True, True]
    assert all(not r.included and r.review == Review.PENDING for r in (first, second, third))
    governance.refresh_from_db()
    assert governance.quota_used == 0


def test_over_quota_responses_are_kept_marked_and_not_included(governance: SurveyLink, post: Any) -> None:
    SurveyLink.objects.filter(pk=governance.pk).update(quota=2)
    codes = [
        post(
            governance, make_body([i % 4 + 1, 2, 3, 4, 1, 2, 3, 4, 2]), REMOTE_ADDR=f"10.0.0.{i}"
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 201]
    responses = list(SurveyResponse.objects.filter(link=governance).order_by("id"))
    assert [r.over_quota for r in responses] == [False, False, True]
    assert [r.included for r in responses] == [True, True, False]
    governance.refresh_from_db()
    assert governance.quota_used == 2


def test_quality_flags_speeder_straight_line_and_same_client(governance: SurveyLink, post: Any) -> None:
    post(governance, make_body(seconds=4), REMOTE_ADDR="10.0.0.1")
    post(governance, make_body([4] * 8 + [3], seconds=60), REMOTE_ADDR="10.0.0.2")  # not read
    post(governance, make_body([4] * 9, seconds=150), REMOTE_ADDR="10.0.0.3")  # a satisfied citizen
    post(governance, make_body([2, 3, 3, 2, 4, 3, 3, 4, 2]), REMOTE_ADDR="10.0.0.4")
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        # The same device later, one answer changed.
        post(governance, make_body([2, 3, 3, 2, 4, 3, 3, 4, 3]), REMOTE_ADDR="10.0.0.4")
    speeder, straight, satisfied, original, copy = SurveyResponse.objects.filter(link=governance).order_by(
        "id"
    )
    assert speeder.flags == ["speeder"]
    assert straight.flags == ["straight_line"]
    assert satisfied.flags == [] and satisfied.included
    assert original.flags == [] and original.included
    assert copy.flags == ["same_client"] and not copy.included


def test_a_start_moved_back_is_measured_from_the_devices_previous_response(
    governance: SurveyLink, post: Any
) -> None:
    post(governance, make_body([2, 3, 3, 2, 4, 3, 3, 4, 2]), REMOTE_ADDR="10.0.0.9")
    # Seconds later the same device claims to have spent two minutes on another form.
    post(governance, make_body([4, 3, 4, 4, 3, 4, 3, 4, 4], seconds=120), REMOTE_ADDR="10.0.0.9")
    first, second = SurveyResponse.objects.filter(link=governance).order_by("id")
    assert second.flags == ["speeder", "same_client"]
    assert first.flags == ["same_client"] and not first.included
    governance.refresh_from_db()
    assert governance.quota_used == 0


def test_a_burst_flags_every_response_in_it(governance: SurveyLink, post: Any) -> None:
    for i in range(quality.BURST_SIZE):
        post(governance, make_body([1 + i % 4, 2, 3, 4, 1, 2, 3, 4, 2]), REMOTE_ADDR=f"10.0.0.{i}")
    responses = SurveyResponse.objects.filter(link=governance)
    assert responses.filter(flag_burst=True).count() == quality.BURST_SIZE
    assert not responses.filter(included=True).exists()
    governance.refresh_from_db()
    assert governance.quota_used == 0


def test_a_form_posted_without_javascript_is_stored(governance: SurveyLink, client: Any) -> None:
    page = client.get(link_path(governance))
    assert page.status_code == 200
    data = {f"q{n}": "3" for n in range(50, 59)} | {
        "submission_id": page.context["submission_id"],
        "started_at": page.context["started_at"],
    }
    reply = client.post(link_path(governance), data=data)
    assert reply.status_code == 201
    assert b"Terima kasih" in reply.content


@override_settings(SURVEY_RECOMPUTE_EVERY="0")
def test_an_included_response_reaches_the_live_results(governance: SurveyLink, post: Any) -> None:
    post(governance, make_body([4] * 8 + [3]))
    result = RegionResult.objects.get(
        result_set__cycle=governance.participation.cycle,
        result_set__status=ResultSetStatus.LIVE,
        participation=governance.participation,
    )
    questions = {q["number"]: q for q in result.dimensions["impact"]["questions"]}
    assert questions[50]["score"] == "4.00" and questions[50]["count"] == 1


@override_settings(SURVEY_RECOMPUTE_EVERY="off")
def test_responses_wait_for_a_recompute_when_submissions_do_not_recompute(
    governance: SurveyLink, post: Any
) -> None:
    post(governance, make_body())
    cycle = governance.participation.cycle
    assert not RegionResult.objects.filter(
        result_set__cycle=cycle, participation=governance.participation
    ).exists()
    assert services.flush_pending_recomputes(cycle) == 1
    assert RegionResult.objects.filter(
        result_set__cycle=cycle, participation=governance.participation
    ).exists()
    assert services.flush_pending_recomputes(cycle) == 0


@pytest.mark.parametrize(
    "language, text",
    [
        ("id", "Kirim jawaban"),
        ("en", "Send answers"),
        ("id", "Layanan/program dapat diakses"),
        ("en", "can be used online"),
    ],
)
def test_the_form_speaks_indonesian_and_english(
    governance: SurveyLink, client: Any, language: str, text: str
) -> None:
    page = client.get(link_path(governance) + f"?lang={language}")
    assert text in page.content.decode()
    assert f'lang="{language}"' in page.content.decode()


def test_a_deeply_nested_body_is_refused_not_a_server_error(governance: SurveyLink) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = Client().post(link_path(governance), data=body, content_type="application/json")
    assert response.status_code == 422 and response.json()["fields"]["body"]


def test_an_answer_key_of_other_digits_is_a_field_problem(governance: SurveyLink, post: Any) -> None:
    body = make_body()
    body["answers"]["²"] = 4
    response = post(governance, body)
    assert response.status_code == 422 and "answers.²" in response.json()["fields"]
