"""Who gets what from the REST API (/api/v1/): route × role × method → status (the shape of
tests/permissions.py). The API publishes results and is read-only: every role reads it alike and no
endpoint takes a write."""

from typing import Any

import pytest

from tests.dashboard.test_permissions import UNPUBLISHED
from tests.permissions import expected_by_role, row_ids, statuses

EVERYONE = (200,) * 6
NOBODY = (404,) * 6
READ_ONLY = (405,) * 6

# (name, method, url template, body kind, expected status per role in ROLES order)
TABLE: list[Any] = [
    ("api-v1:api-root", "GET", "/api/v1/", "", NOBODY),
    ("api-v1:openapi-json", "GET", "/api/v1/openapi.json", "", EVERYONE),
    ("api-v1:openapi-view", "GET", "/api/v1/docs", "", EVERYONE),
    ("api-v1:list_cycles", "GET", "/api/v1/cycles", "", EVERYONE),
    ("api-v1:list_cycles", "POST", "/api/v1/cycles", "json", READ_ONLY),
    ("api-v1:list_results", "GET", "/api/v1/cycles/2024/results", "", EVERYONE),
    ("api-v1:list_results", "GET", "/api/v1/cycles/1999/results", "", NOBODY),
    ("api-v1:list_results", "POST", "/api/v1/cycles/2024/results", "json", READ_ONLY),
    ("api-v1:region_result", "GET", "/api/v1/cycles/2024/results/51.03", "", EVERYONE),
    ("api-v1:region_result", "GET", "/api/v1/cycles/2024/results/99.99", "", NOBODY),
    (
        "api-v1:region_result",
        "GET",
        f"/api/v1/cycles/{UNPUBLISHED}/results/51.03",
        "",
        NOBODY,
    ),  # nothing published yet: no live numbers
    ("api-v1:region_result", "POST", "/api/v1/cycles/2024/results/51.03", "json", READ_ONLY),
]


def _body(kind: str) -> dict[str, Any]:
    if kind == "json":
        return {"data": {"final": "4.00"}, "content_type": "application/json"}
    return {}


@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), TABLE, ids=row_ids(TABLE))
def test_route_role_method_status(
    cast: dict[str, Any], request: Any, name: str, method: str, url: str, body: str, expected: Any
) -> None:
    if f"/{UNPUBLISHED}/" in url:
        request.getfixturevalue("unpublished_scores")
    got = statuses(cast, method, url, lambda role: _body(body))
    assert got == expected_by_role(expected), f"{name} {method} {url}"
