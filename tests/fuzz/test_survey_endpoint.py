"""Hypothesis against the public survey endpoint (``POST /s/<token>/``, issue 12 item 8): arbitrary JSON
bodies, deep nesting, answer keys of other scripts' digits, huge numbers and wrong types, plus near-valid
bodies with one field spoiled. Every answer must be one the contract documents (CONTRACT.md, "Web": 201,
200, 409, 410, 422, 429), as JSON, and never a 500."""

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.survey import services
from kotacerdas.survey.models import SurveyLink
from kotacerdas.survey.views import link_path

DOCUMENTED = {200, 201, 409, 410, 422, 429}
GOVERNANCE = list(range(50, 59))
FUZZ = settings(
    max_examples=80,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

huge = st.integers(min_value=-(10**40), max_value=10**40)
scalars = st.none() | st.booleans() | huge | st.floats(allow_nan=False) | st.text(max_size=20)
any_json = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
# Keys that look like question numbers to str.isdigit() or a careless parser: superscripts, Arabic-Indic and
# Devanagari digits, full-width digits, signs, spaces and exponents.
odd_keys = st.sampled_from(
    ["²", "٥٠", "५०", "５０", "+50", " 50", "50 ", "5e1", "050", "50.0", "-50", "", "1" * 400]
)
question_keys = st.sampled_from([str(n) for n in GOVERNANCE]) | odd_keys | st.text(max_size=6)
answer_values = (
    st.integers(1, 4) | huge | st.sampled_from([True, False, None, "4", 4.0, 4.5, [4], {"v": 4}]) | any_json
)
moments = (
    st.sampled_from(
        [
            "2031-03-01T09:30:00+07:00",
            "2031-03-01T09:30:00",
            "9999-12-31T23:59:59+14:00",
            "0001-01-01T00:00:00+00:00",
            "2031-02-30T09:30:00+07:00",
            "yesterday",
            "",
        ]
    )
    | st.text(max_size=30)
    | any_json
)


def _valid_body() -> dict[str, Any]:
    start = timezone.now() - timedelta(seconds=150)
    return {
        "submission_id": str(uuid.uuid4()),
        "answers": {str(n): v for n, v in zip(GOVERNANCE, [3, 4, 3, 2, 4, 3, 3, 4, 2], strict=True)},
        "started_at": start.isoformat(),
        "completed_at": (start + timedelta(seconds=150)).isoformat(),
        "contact": "0812-3456-789",
        "consent": True,
    }


@st.composite
def spoiled_bodies(draw: Callable[..., Any]) -> dict[str, Any]:
    """A valid body with some fields replaced, removed or added."""
    body = _valid_body()
    answers = dict(body["answers"])
    for key in draw(st.lists(question_keys, max_size=4)):
        answers[key] = draw(answer_values)
    for key in draw(st.lists(st.sampled_from(list(answers)), max_size=2, unique=True)):
        answers.pop(key, None)
    body["answers"] = answers if draw(st.booleans()) else draw(any_json)
    for field in draw(st.lists(st.sampled_from(list(body)), max_size=3, unique=True)):
        body[field] = draw(
            moments if field.endswith("_at") else st.uuids().map(str) | any_json if field == "submission_id"
            else any_json
        )  # fmt: skip
    return body


@pytest.fixture
def link(make_cycle: Callable[..., Cycle], settings: Any) -> Iterator[SurveyLink]:
    # The rate limits would answer 429 to most of the examples and so hide what the parser does.
    settings.SURVEY_RATE_LIMIT = None
    settings.SURVEY_LINK_RATE_LIMIT = None
    settings.SURVEY_RECOMPUTE_EVERY = "off"
    cycle = make_cycle(2031)
    participation = Participation.objects.get(cycle=cycle, region__code="51.03")
    yield services.ensure_links(participation, actor=CLI)[0]


def _check(response: Any) -> None:
    assert response.status_code in DOCUMENTED, (response.status_code, response.content[:300])
    body = response.json()
    assert isinstance(body, dict) and ("error" in body or "status" in body)


def _post_raw(link: SurveyLink, raw: bytes | str) -> Any:
    return Client().post(link_path(link), data=raw, content_type="application/json")


def test_arbitrary_json_bodies_get_a_documented_answer(link: SurveyLink) -> None:
    @FUZZ
    @given(body=any_json)
    def run(body: Any) -> None:
        _check(_post_raw(link, json.dumps(body)))

    run()


def test_spoiled_bodies_get_a_documented_answer(link: SurveyLink) -> None:
    @FUZZ
    @given(body=spoiled_bodies())
    def run(body: dict[str, Any]) -> None:
        response = _post_raw(link, json.dumps(body))
        _check(response)
        if response.status_code == 422:
            assert response.json()["fields"], response.content

    run()


def test_bytes_that_are_not_json_get_a_documented_answer(link: SurveyLink) -> None:
    nested = st.integers(1, 200_000).map(lambda depth: "[" * depth + "]" * depth) | st.integers(
        1, 200_000
    ).map(lambda depth: '{"a":' * depth + "1" + "}" * depth)

    @FUZZ
    @given(raw=st.binary(max_size=200) | nested | st.text(max_size=200))
    def run(raw: bytes | str) -> None:
        _check(_post_raw(link, raw))

    run()


def test_a_form_posted_without_javascript_gets_a_page_never_a_server_error(link: SurveyLink) -> None:
    """The no-JavaScript form posts the same fields as form data and gets a page back."""
    values = st.sampled_from(["3", "²", "٣", "４", "", "-1", "1" * 50, "3.0"]) | st.text(max_size=8)

    @settings(FUZZ, max_examples=40)  # each answer renders a page: fewer, slower examples
    @given(
        fields=st.fixed_dictionaries(
            {f"q{n}": values for n in GOVERNANCE},
            optional={
                "submission_id": st.uuids().map(str) | st.text(max_size=40),
                "started_at": moments.filter(lambda m: isinstance(m, str)),
                "contact": st.text(max_size=250),
                "consent": st.sampled_from(["on", "off", ""]),
            },
        )
    )
    def run(fields: dict[str, str]) -> None:
        response = Client().post(link_path(link), data=fields)
        assert response.status_code in DOCUMENTED, (response.status_code, response.content[:300])
        assert response["Content-Type"].startswith("text/html")

    run()
