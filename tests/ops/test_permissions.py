"""Who gets what from the operations endpoints: route × role × method → status (the shape of
tests/permissions.py). The health report is for the machines that watch the service; it holds no personal
or evaluation data, so every role gets it alike (the proxy keeps it to private networks, deploy/nginx)."""

from typing import Any

import pytest

from tests.permissions import expected_by_role, row_ids, statuses

TABLE: list[Any] = [
    ("ops:health", "GET", "/kesehatan/", "", (200,) * 6),
    ("ops:health", "POST", "/kesehatan/", "", (405,) * 6),
]


@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), TABLE, ids=row_ids(TABLE))
def test_route_role_method_status(
    cast: dict[str, Any], name: str, method: str, url: str, body: str, expected: Any
) -> None:
    assert statuses(cast, method, url) == expected_by_role(expected), f"{name} {method} {url}"
