"""The bulk SQL writers: what they store is what the ORM would have stored."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kotacerdas.core.bulk import fetch_rows, insert_objects, update_values
from kotacerdas.cycles.models import Participation
from kotacerdas.results.models import RegionResult
from kotacerdas.survey.models import SurveyResponse

pytestmark = pytest.mark.django_db

WIB = timezone(timedelta(hours=7))


def test_insert_objects_stores_what_bulk_create_would_and_returns_the_new_ids(badung: Participation) -> None:
    when = [datetime(2030, 10, 1, 8, minute, tzinfo=WIB) for minute in range(3)]
    ids = insert_objects(
        SurveyResponse,
        [
            SurveyResponse(
                participation=badung,
                smart_dimension="smart_living",
                response_id=f"bulk-{i}",
                respondent=f"R{i}",
                submitted_at=when[i],
                channel="import",
                content_digest=f"d{i}",
            )
            for i in range(3)
        ],
        key="response_id",
    )
    stored = {r.response_id: r for r in SurveyResponse.objects.filter(response_id__startswith="bulk-")}
    assert ids == {rid: r.pk for rid, r in stored.items()} and len(ids) == 3
    for i in range(3):
        r = stored[f"bulk-{i}"]
        assert r.submitted_at == when[i]  # the same instant, whatever the backend's storage
        assert (r.respondent, r.content_digest, r.participation_id) == (f"R{i}", f"d{i}", badung.pk)
        assert r.included is SurveyResponse._meta.get_field("included").get_default()
    assert insert_objects(SurveyResponse, [], key="response_id") == {}


def test_update_values_writes_the_given_columns_of_the_given_rows(cycle_2024: object) -> None:
    rows = list(RegionResult.objects.order_by("pk")[:3])
    assert len(rows) == 3
    update_values(
        RegionResult,
        ("final", "dimensions", "improvement"),
        [(rows[0].pk, [Decimal("1.23"), {"x": {"score": "1.00"}}, None])],
    )
    after = {r.pk: r for r in RegionResult.objects.filter(pk__in=[r.pk for r in rows])}
    assert (after[rows[0].pk].final, after[rows[0].pk].dimensions) == (
        Decimal("1.23"),
        {"x": {"score": "1.00"}},
    )
    assert after[rows[0].pk].improvement is None
    for untouched in rows[1:]:
        assert (after[untouched.pk].final, after[untouched.pk].dimensions) == (
            untouched.final,
            untouched.dimensions,
        )
    update_values(RegionResult, ("final",), [])  # nothing to write: no statement


def test_fetch_rows_returns_the_rows_of_a_values_list_query(cycle_2024: object) -> None:
    query = RegionResult.objects.order_by("pk").values_list("pk", "rank")[:5]
    assert [tuple(r) for r in fetch_rows(query)] == list(query)
