"""Behind nginx every request comes from 127.0.0.1: the client's own address is taken from the proxy's
X-Forwarded-For, and only when the request came from a trusted proxy."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.ops.proxy import client_address
from kotacerdas.survey import services
from kotacerdas.survey.models import SurveyLink
from kotacerdas.survey.rates import Rate
from kotacerdas.survey.views import link_path
from tests.survey.conftest import make_body

PROXY = frozenset({"127.0.0.1", "::1"})
ANSWERS = [[3, 4, 3, 2, 4, 3, 3, 4, 2], [1, 2, 3, 4, 1, 2, 3, 4, 1], [2, 2, 3, 4, 1, 2, 3, 4, 1]]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
        ("::1", "2001:db8::5", "2001:db8::5"),
        # What the client sent before the proxy's own entry is not believed.
        ("127.0.0.1", "10.0.0.1, 203.0.113.7", "203.0.113.7"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        # A client that reaches an app server directly cannot claim another address.
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),
    ],
)
def test_the_clients_address(remote: str, forwarded: str, expected: str) -> None:
    assert client_address(remote, forwarded, PROXY) == expected


@pytest.fixture
def governance(make_cycle: Callable[..., Cycle]) -> SurveyLink:
    participation = Participation.objects.get(cycle=make_cycle(2031), region__code="51.03")
    return {link.smart_dimension: link for link in services.ensure_links(participation, actor=CLI)}[
        "smart_governance"
    ]


def _post(link: SurveyLink, answers: list[int], **meta: Any) -> int:
    body = json.dumps(make_body(answers))
    return Client().post(link_path(link), data=body, content_type="application/json", **meta).status_code


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "::1"], SURVEY_RATE_LIMIT=Rate(1, 3600))
def test_citizens_behind_the_proxy_each_have_their_own_survey_limit(governance: SurveyLink) -> None:
    proxied = {"REMOTE_ADDR": "127.0.0.1"}
    assert _post(governance, ANSWERS[0], HTTP_X_FORWARDED_FOR="203.0.113.7", **proxied) == 201
    assert _post(governance, ANSWERS[1], HTTP_X_FORWARDED_FOR="203.0.113.7", **proxied) == 429
    # Another citizen, through the same proxy: not limited by the first one.
    assert _post(governance, ANSWERS[2], HTTP_X_FORWARDED_FOR="203.0.113.8", **proxied) == 201


@override_settings(TRUSTED_PROXIES=["127.0.0.1", "::1"], SURVEY_RATE_LIMIT=Rate(1, 3600))
def test_a_direct_client_cannot_escape_its_limit_with_a_header(governance: SurveyLink) -> None:
    direct = {"REMOTE_ADDR": "198.51.100.9"}
    assert _post(governance, ANSWERS[0], HTTP_X_FORWARDED_FOR="203.0.113.7", **direct) == 201
    assert _post(governance, ANSWERS[1], HTTP_X_FORWARDED_FOR="203.0.113.8", **direct) == 429


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["127.0.0.1", "::1"])
def test_the_login_lockout_locks_the_client_not_the_proxy(admin_user) -> None:  # type: ignore[no-untyped-def]
    def login(address: str) -> int:
        return (
            Client()
            .post(
                "/accounts/login/",
                {"username": admin_user.email, "password": "wrong-password-0"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR=address,
            )
            .status_code
        )

    for _ in range(5):
        login("203.0.113.66")
    assert login("203.0.113.66") == 429  # locked out (django-axes)
    # The same proxy, another person's address: not locked out by the attacker's failures.
    assert login("203.0.113.67") == 200
