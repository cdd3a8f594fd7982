"""Who may see and change what on the survey pages: route × role × method → status."""

from typing import Any

import pytest
from django.test import Client

from kotacerdas.accounts.models import User
from kotacerdas.survey.models import SurveyLink
from kotacerdas.survey.views import link_path

ROLES = ["anonymous", "operator_a", "operator_b", "assessor_user", "admin_user"]
A = "/survei/2024/51.03"
G = f"{A}/smart_governance"

# (method, path, expected status per role in ROLES order). Region A is Badung (operator_a's); the
# assessor is assigned nowhere. 302 = to the login page; 404 = a region the user may not see.
TABLE = [
    ("get", "/survei/", [302, 302, 302, 200, 200]),
    ("get", f"{A}/", [302, 200, 404, 404, 200]),
    ("get", "/survei/2024/32.73/", [302, 404, 200, 404, 200]),
    ("post", f"{A}/buat-tautan/", [302, 302, 404, 404, 302]),
    ("post", f"{G}/program/", [302, 302, 404, 404, 302]),
    ("post", f"{G}/undang/", [302, 302, 404, 404, 302]),
    ("get", f"{G}/undangan/", [302, 200, 404, 404, 200]),
    ("get", f"{G}/poster/", [302, 200, 404, 404, 200]),
    ("get", f"{G}/qr.svg", [302, 200, 404, 404, 200]),
    ("post", f"{G}/tutup/", [302, 302, 404, 404, 302]),
    ("post", f"{G}/buka/", [302, 403, 404, 404, 302]),
    ("get", "/survei/2024/tinjau/", [302, 404, 404, 404, 200]),
    ("post", "/survei/2024/tinjau/", [302, 404, 404, 404, 200]),
    ("get", f"{G}/tutup/", [302, 405, 405, 405, 405]),
]


@pytest.fixture
def badung_links(cycle_2024: Any) -> list[SurveyLink]:
    from kotacerdas.cycles.models import Participation
    from kotacerdas.survey.services import ensure_links

    return ensure_links(Participation.objects.get(cycle=cycle_2024, region__code="51.03"))


@pytest.mark.parametrize("method, path, expected", TABLE)
def test_survey_pages_by_role(
    method: str, path: str, expected: list[int], badung_links: list[SurveyLink], request: Any
) -> None:
    users = {role: request.getfixturevalue(role) if role != "anonymous" else None for role in ROLES}
    got = []
    for role in ROLES:
        client = Client()
        user: User | None = users[role]
        if user is not None:
            client.force_login(user)
        got.append(getattr(client, method)(path).status_code)
    assert got == expected


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
