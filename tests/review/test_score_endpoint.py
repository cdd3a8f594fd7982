"""The assessor's score autosave endpoint takes a JSON integer within the question's scale, or null to
clear, and nothing else: issue 12 found ``"4"``, ``4.0`` and ``4.5`` stored as 4 and ``true`` as 1."""

import json
from typing import Any

import pytest
from django.test import Client

from kotacerdas.review.models import AssessorScore
from tests.workflow import submitted

URL = "/penilaian/2030/51.03/skor/1/"


def _post(client: Client, body: Any) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, raw, content_type="application/json")


@pytest.fixture
def scoring(client: Client, operator_a: Any, badung: Any, panel: Any) -> Client:
    submitted(operator_a, badung)
    client.force_login(panel[0])
    return client


def _stored(badung: Any) -> list[int | None]:
    return list(
        AssessorScore.objects.filter(assignment__participation=badung, question__number=1).values_list(
            "score", flat=True
        )
    )


@pytest.mark.parametrize("score", ["4", 4.0, 4.5, True, False, "", [4], {"v": 4}, 0, 5, -1, 10**30])
def test_a_score_that_is_not_an_integer_on_the_scale_is_refused_naming_the_field(
    scoring: Client, badung: Any, score: Any
) -> None:
    response = _post(scoring, {"score": score, "note": ""})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert "score" in response.json()["fields"]
    assert _stored(badung) == []


@pytest.mark.parametrize("note", [4, ["a"], {"a": 1}, True])
def test_a_note_that_is_not_text_is_refused(scoring: Client, badung: Any, note: Any) -> None:
    response = _post(scoring, {"score": 3, "note": note})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["note"]
    assert _stored(badung) == []


@pytest.mark.parametrize("raw", ["[4]", '"4"', "4", "null", "{", "[" * 100_000])
def test_a_body_that_is_not_a_json_object_is_refused(scoring: Client, badung: Any, raw: str) -> None:
    response = _post(scoring, raw)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["body"]
    assert _stored(badung) == []


def test_an_integer_is_stored_and_null_clears_it(scoring: Client, badung: Any) -> None:
    response = _post(scoring, {"score": 4, "note": "Perbup ada"})
    assert response.status_code == 200
    assert response.json()["score"] == 4
    assert _stored(badung) == [4]
    response = _post(scoring, {"score": None, "note": "Perbup ada"})
    assert response.status_code == 200
    assert _stored(badung) == [None]
