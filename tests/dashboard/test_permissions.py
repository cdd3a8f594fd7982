"""Who gets what from the public results pages, their downloads and the language switch: route × role ×
method → status (the shape of tests/permissions.py). Published results are public: every role reads them
alike, and a cycle or region without a result is a 404 for everyone. Live (unpublished) numbers are for
the evaluation team only: a cycle in progress must not show them."""

from typing import Any

import pytest
from django.test import Client

from tests.permissions import LOGIN, expected_by_role, row_ids, statuses

EVERYONE = (200,) * 6
NOBODY = (404,) * 6
# A cycle in progress (the `unpublished_scores` fixture): an assessor's review is in, nothing is published.
UNPUBLISHED = 2030

# (name, method, url template, body kind, expected status per role in ROLES order)
TABLE: list[Any] = [
    ("dashboard:home", "GET", "/", "", EVERYONE),
    ("dashboard:national_table", "GET", "/hasil/2024/", "", EVERYONE),
    ("dashboard:national_table", "GET", "/hasil/2024/?live=1&sort=-final&track=REGULER", "", EVERYONE),
    ("dashboard:national_table", "GET", "/hasil/1999/", "", NOBODY),
    ("dashboard:national_table_csv", "GET", "/hasil/2024/unduh.csv", "", EVERYONE),
    ("dashboard:national_table_csv", "GET", "/hasil/1999/unduh.csv", "", NOBODY),
    ("dashboard:national_table_csv", "GET", f"/hasil/{UNPUBLISHED}/unduh.csv", "", NOBODY),
    ("dashboard:national_table_xlsx", "GET", f"/hasil/{UNPUBLISHED}/unduh.xlsx", "", NOBODY),
    ("dashboard:national_table_xlsx", "GET", "/hasil/2024/unduh.xlsx", "", EVERYONE),
    ("dashboard:national_table_xlsx", "GET", "/hasil/1999/unduh.xlsx", "", NOBODY),
    ("dashboard:region_result", "GET", "/hasil/2024/51.03/", "", EVERYONE),
    ("dashboard:region_result", "GET", "/hasil/2024/51.03/?live=1", "", EVERYONE),
    ("dashboard:region_result", "GET", "/hasil/2024/99.99/", "", NOBODY),
    (
        "dashboard:region_result",
        "GET",
        f"/hasil/{UNPUBLISHED}/51.03/",
        "",
        NOBODY,
    ),  # nothing published yet: no live numbers
    # A region's signed report: issued from the published revision only (a download is tested with a signer
    # in test_public_face.py; here the cases that never reach one).
    ("dashboard:region_report", "GET", "/hasil/2024/99.99/laporan.pdf", "", NOBODY),
    ("dashboard:region_report", "GET", f"/hasil/{UNPUBLISHED}/51.03/laporan.pdf", "", NOBODY),
    ("dashboard:region_report", "GET", "/hasil/1999/51.03/laporan.pdf", "", NOBODY),
    ("dashboard:methodology_latest", "GET", "/metodologi/", "", (302,) * 6),
    ("dashboard:methodology", "GET", "/metodologi/2024/", "", EVERYONE),
    ("dashboard:methodology", "GET", "/metodologi/1999/", "", NOBODY),
    ("dashboard:datapackage", "GET", "/data/2024/datapackage.json", "", EVERYONE),
    ("dashboard:datapackage", "GET", "/data/1999/datapackage.json", "", NOBODY),
    ("dashboard:datapackage", "GET", f"/data/{UNPUBLISHED}/datapackage.json", "", NOBODY),
    ("dashboard:datapackage_resource", "GET", "/data/2024/results.csv", "", EVERYONE),
    ("dashboard:datapackage_resource", "GET", "/data/2024/survey_aggregates.csv", "", EVERYONE),
    ("dashboard:datapackage_resource", "GET", "/data/2024/secrets.csv", "", NOBODY),
    ("dashboard:datapackage_resource", "GET", f"/data/{UNPUBLISHED}/question_scores.csv", "", NOBODY),
    # The evaluation team's cycle pages (kotacerdas/dashboard/cycles.py): admins only, 404 for the others.
    ("cycles_admin:list", "GET", "/kelola/siklus/", "", (LOGIN, 404, 404, 404, 404, 200)),
    ("cycles_admin:new", "POST", "/kelola/siklus/baru/", "", (LOGIN, 404, 404, 404, 404, 302)),
    ("cycles_admin:new", "GET", "/kelola/siklus/baru/", "", (LOGIN, 405, 405, 405, 405, 405)),
    ("cycles_admin:timeline", "GET", "/kelola/siklus/2024/", "", (LOGIN, 404, 404, 404, 404, 200)),
    ("cycles_admin:timeline", "GET", "/kelola/siklus/1999/", "", (LOGIN, 404, 404, 404, 404, 404)),
    ("cycles_admin:open", "POST", "/kelola/siklus/2024/buka/", "", (LOGIN, 404, 404, 404, 404, 302)),
    ("cycles_admin:open", "GET", "/kelola/siklus/2024/buka/", "", (LOGIN, 405, 405, 405, 405, 405)),
    ("cycles_admin:publish", "POST", "/kelola/siklus/2024/terbitkan/", "", (LOGIN, 404, 404, 404, 404, 302)),
    (
        "cycles_admin:attendance",
        "GET",
        "/kelola/siklus/2024/kehadiran/",
        "",
        (LOGIN, 404, 404, 404, 404, 200),
    ),
    (
        "cycles_admin:attendance",
        "POST",
        "/kelola/siklus/2024/kehadiran/",
        "",
        (LOGIN, 404, 404, 404, 404, 302),
    ),
    ("set_language", "POST", "/i18n/setlang/", "english", (302,) * 6),
    ("set_language", "GET", "/i18n/setlang/?next=/hasil/2024/", "", (302,) * 6),
]


def _body(kind: str) -> dict[str, Any]:
    if kind == "english":
        return {"data": {"language": "en", "next": "/hasil/2024/"}}
    return {}


@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), TABLE, ids=row_ids(TABLE))
def test_route_role_method_status(
    cast: dict[str, Any], request: Any, name: str, method: str, url: str, body: str, expected: Any
) -> None:
    if f"/{UNPUBLISHED}/" in url:
        request.getfixturevalue("unpublished_scores")
    got = statuses(cast, method, url, lambda role: _body(body))
    assert got == expected_by_role(expected), f"{name} {method} {url}"


@pytest.mark.parametrize(
    "url",
    [
        f"/hasil/{UNPUBLISHED}/unduh.csv",
        f"/api/v1/cycles/{UNPUBLISHED}/results",
        f"/hasil/{UNPUBLISHED}/",
        f"/data/{UNPUBLISHED}/question_scores.csv",
        f"/data/{UNPUBLISHED}/datapackage.json",
    ],
)
def test_a_cycle_in_progress_shows_no_unpublished_numbers(unpublished_scores: Any, url: str) -> None:
    # The lists answer 200 (an empty table, a "not yet published" page) or 404 (a download of nothing):
    # what they must not hold is Badung's row.
    response = Client().get(url)
    assert response.status_code in (200, 404)
    assert "3.20" not in response.content.decode() and "3,20" not in response.content.decode()
