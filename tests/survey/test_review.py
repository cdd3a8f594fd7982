"""Admins include or exclude flagged responses with a reason; audited; only included ones count."""

from typing import Any

import pytest
from django.test import Client, override_settings

from kotacerdas.audit.models import AuditEvent
from kotacerdas.results.models import RegionResult, ResultSetStatus
from kotacerdas.survey import services
from kotacerdas.survey.models import Review, SurveyLink, SurveyResponse
from tests.survey.conftest import make_body


@override_settings(SURVEY_RECOMPUTE_EVERY="off")
def test_including_a_flagged_response_is_audited_and_recomputes(
    governance: SurveyLink, post: Any, admin_user: Any
) -> None:
    body = make_body([4] * 9, seconds=30)  # nine times the same answer, not read
    post(governance, body)
    response = SurveyResponse.objects.get(response_id=body["submission_id"])
    assert response.review == Review.PENDING and not response.included

    client = Client()
    client.force_login(admin_user)
    reply = client.post(
        f"/survei/{governance.participation.cycle.year}/tinjau/",
        {"response": [response.response_id], "decision": "include", "reason": "Dicek lewat telepon."},
    )
    assert reply.status_code == 302
    response.refresh_from_db()
    assert (response.review, response.included, response.reviewed_by) == (Review.INCLUDED, True, admin_user)
    event = AuditEvent.objects.get(action="survey.response_reviewed", object_id=response.response_id)
    assert event.reason == "Dicek lewat telepon." and event.old == {"review": "pending", "included": False}
    governance.refresh_from_db()
    assert governance.quota_used == 1
    live = RegionResult.objects.get(
        result_set__cycle=governance.participation.cycle,
        result_set__status=ResultSetStatus.LIVE,
        participation=governance.participation,
    )
    assert {q["number"]: q["count"] for q in live.dimensions["impact"]["questions"]}[50] == 1

    services.review_responses(
        governance.participation.cycle,
        SurveyResponse.objects.filter(pk=response.pk),
        include=False,
        reason="Ternyata pegawai.",
        actor=admin_user,
    )
    response.refresh_from_db()
    governance.refresh_from_db()
    assert (response.review, response.included, governance.quota_used) == (Review.EXCLUDED, False, 0)


def test_a_decision_needs_a_reason(governance: SurveyLink, admin_user: Any) -> None:
    with pytest.raises(services.ReviewError):
        services.review_responses(
            governance.participation.cycle,
            SurveyResponse.objects.none(),
            include=True,
            reason=" ",
            actor=admin_user,
        )


def test_closing_a_link_is_audited_and_recomputes_waiting_responses(
    governance: SurveyLink, post: Any, operator_a: Any
) -> None:
    with override_settings(SURVEY_RECOMPUTE_EVERY="off"):
        post(governance, make_body())
    client = Client()
    client.force_login(operator_a)
    year = governance.participation.cycle.year
    assert client.post(f"/survei/{year}/51.03/smart_governance/tutup/", {"confirm": "yes"}).status_code == 302
    governance.refresh_from_db()
    assert governance.closed_at is not None and governance.closed_by == operator_a
    assert AuditEvent.objects.filter(action="survey.link_closed", object_id=str(governance.pk)).exists()
    assert RegionResult.objects.filter(participation=governance.participation).exists()
