"""Who may see and change what on the survey pages and the public citizen endpoint: route × role × method
→ status (the shape of tests/permissions.py; tests/test_url_permissions.py checks every URL is listed)."""

import json
from typing import Any

import pytest
from django.test import Client

from kotacerdas.accounts.models import User
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Participation
from kotacerdas.survey import services
from kotacerdas.survey.models import SurveyLink, SurveyResponse
from kotacerdas.survey.tokens import sign
from kotacerdas.survey.views import link_path
from tests.permissions import LOGIN, expected_by_role, row_ids, statuses

from .conftest import make_body

A = "/survei/2024/51.03"
G = f"{A}/smart_governance"
EVERYONE = (200,) * 6

# (name, method, url template, body kind, expected status per role in ROLES order). Region A is Badung
# (51.03), whose pages the assigned assessor may read; 404 = a region the user may not see, 403 = a change
# only the region's operator or an admin may make. The citizen endpoint has no login: the token is all.
TABLE: list[Any] = [
    ("survey:index", "GET", "/survei/", "", (LOGIN, 302, 302, 200, 200, 200)),
    ("survey:region", "GET", f"{A}/", "", (LOGIN, 200, 404, 200, 404, 200)),
    ("survey:region", "GET", "/survei/2024/32.73/", "", (LOGIN, 404, 200, 404, 404, 200)),
    ("survey:create_links", "POST", f"{A}/buat-tautan/", "", (LOGIN, 302, 404, 403, 404, 302)),
    ("survey:create_links", "GET", f"{A}/buat-tautan/", "", (LOGIN, 405, 405, 405, 405, 405)),
    ("survey:programme", "POST", f"{G}/program/", "programme", (LOGIN, 302, 404, 403, 404, 302)),
    ("survey:programme", "GET", f"{G}/program/", "", (LOGIN, 405, 405, 405, 405, 405)),
    ("survey:invite", "POST", f"{G}/undang/", "invite", (LOGIN, 302, 404, 403, 404, 302)),
    ("survey:invite", "GET", f"{G}/undang/", "", (LOGIN, 405, 405, 405, 405, 405)),
    # An assessor must not get the single-use links (and so answer as a citizen): 403.
    ("survey:invitations", "GET", f"{G}/undangan/", "", (LOGIN, 200, 404, 403, 404, 200)),
    ("survey:poster", "GET", f"{G}/poster/", "", (LOGIN, 200, 404, 200, 404, 200)),
    ("survey:qr", "GET", f"{G}/qr.svg", "", (LOGIN, 200, 404, 200, 404, 200)),
    ("survey:close", "POST", f"{G}/tutup/", "", (LOGIN, 302, 404, 403, 404, 302)),
    ("survey:close", "GET", f"{G}/tutup/", "", (LOGIN, 405, 405, 405, 405, 405)),
    ("survey:reopen", "POST", f"{G}/buka/", "", (LOGIN, 403, 404, 403, 404, 302)),
    ("survey:reopen", "GET", f"{G}/buka/", "", (LOGIN, 405, 405, 405, 405, 405)),
    ("survey:review", "GET", "/survei/2024/tinjau/", "", (LOGIN, 404, 404, 404, 404, 200)),
    ("survey:review", "POST", "/survei/2024/tinjau/", "decision", (LOGIN, 404, 404, 404, 404, 302)),
    ("survey_public:respond", "GET", "/s/{governance}/", "", EVERYONE),
    ("survey_public:respond", "POST", "/s/{governance}/", "answers", (201,) * 6),
    ("survey_public:respond", "POST", "/s/{governance}/", "empty", (422,) * 6),
    ("survey_public:respond", "GET", "/s/{closed}/", "", (410,) * 6),
    ("survey_public:respond", "POST", "/s/{closed}/", "answers", (410,) * 6),
    ("survey_public:respond", "GET", "/s/not-a-signed-token/", "", (404,) * 6),
    ("survey_public:respond_invitation", "GET", "/s/u/{invitation}/", "", EVERYONE),
    ("survey_public:respond_invitation", "POST", "/s/u/{invitation}/", "answers", (201,) * 6),
    ("survey_public:respond_invitation", "POST", "/s/u/{used}/", "answers", (410,) * 6),
    ("survey_public:respond_invitation", "GET", "/s/u/{governance}/", "", (404,) * 6),
]


def _body(kind: str, world: dict[str, Any]) -> dict[str, Any]:
    if kind in {"answers", "empty"}:
        body = make_body() if kind == "answers" else {}
        return {"data": json.dumps(body), "content_type": "application/json"}
    data = {
        "programme": {"programme": "Badung Command Center"},
        "invite": {"count": "2"},
        "decision": {"response": [world["response"]], "decision": "exclude", "reason": "uji"},
    }.get(kind, {})
    return {"data": data}


@pytest.fixture
def badung_links(cycle_2024: Any) -> list[SurveyLink]:
    return services.ensure_links(Participation.objects.get(cycle=cycle_2024, region__code="51.03"), actor=CLI)


@pytest.fixture
def world(badung_links: list[SurveyLink], admin_user: User) -> dict[str, Any]:
    """Badung's 2024 links: governance open with one response, economy closed; invitations made afresh."""
    links = {link.smart_dimension: link for link in badung_links}
    governance = links["smart_governance"]
    services.close_link(links["smart_economy"], actor=admin_user)
    stored = Client().post(
        link_path(governance), data=json.dumps(make_body()), content_type="application/json"
    )
    assert stored.status_code == 201
    used = services.create_invitations(governance, 1, actor=admin_user)[0]
    assert (
        Client()
        .post(link_path(governance, used), data=json.dumps(make_body()), content_type="application/json")
        .status_code
        == 201
    )

    def invitation() -> str:
        return sign(services.create_invitations(governance, 1, actor=admin_user)[0].token)

    ids = {
        "governance": sign(governance.token),
        "closed": sign(links["smart_economy"].token),
        "invitation": invitation,
        "used": sign(used.token),
    }
    response = SurveyResponse.objects.filter(link=governance).latest("id").response_id
    return {"ids": ids, "response": response}


@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), TABLE, ids=row_ids(TABLE))
def test_route_role_method_status(
    cast: dict[str, Any], world: dict[str, Any], name: str, method: str, url: str, body: str, expected: Any
) -> None:
    got = statuses(cast, method, url, lambda role: _body(body, world), world["ids"])
    assert got == expected_by_role(expected), f"{name} {method} {url}"


def test_the_public_link_needs_no_login(badung_links: list[SurveyLink]) -> None:
    path = link_path(badung_links[0])
    assert Client().get(path).status_code == 200
    assert Client().post(path, data="{}", content_type="application/json").status_code == 422


def test_an_operator_sees_progress_only_of_the_own_region(badung_links: Any, operator_a: User) -> None:
    client = Client()
    client.force_login(operator_a)
    assert client.get("/survei/").url == "/survei/2024/51.03/"
    page = client.get("/survei/2024/51.03/").content.decode()
    assert "0</span> / 50" in page and "/s/" in page
