"""The shape of every permission table: route × role × method → the exact status each role gets.

Each app's ``tests/<app>/test_permissions.py`` keeps a ``TABLE`` of rows ``(name, method, url, body,
expected)``: the URL's name as ``reverse`` knows it, "GET" or "POST", the path (a template filled from the
test's ids), the kind of body its module builds, and one status per role in ``ROLES`` order. A row that
records a flaw is wrapped in ``pytest.param(..., marks=xfail(strict=True))`` and expects what *should*
happen. ``tests/test_url_permissions.py`` checks that the tables together name every URL of the project.
"""

import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.test import Client

from tests.workflow import close_download

ROLES = ("anonymous", "operator_a", "operator_b", "assessor_assigned", "assessor_other", "admin")
# A redirect to the login page, told apart from any other 302 (a form's success, a page moved).
LOGIN = "login"

Status = int | str
Row = tuple[str, str, str, str, tuple[Status, ...]]


def row_values(row: Any) -> Row:
    """The row itself, also when it is wrapped in ``pytest.param``."""
    values = row.values if hasattr(row, "marks") else row
    name, method, url, body, expected = values
    assert len(expected) == len(ROLES), f"{name} {method} {url}: one status per role"
    return name, method, url, body, expected


def row_ids(table: Iterable[Any]) -> list[str]:
    return [f"{name}-{method}-{url}" for name, method, url, _b, _e in map(row_values, table)]


def covered_names(table: Iterable[Any]) -> set[str]:
    return {row_values(row)[0] for row in table}


def fill(url: str, ids: Mapping[str, Any]) -> str:
    """``url`` with its ``{placeholders}`` from ``ids``; a callable id is called for every request (a
    single-use token each role gets afresh)."""
    names = {field for _text, field, _spec, _conv in string.Formatter().parse(url) if field}
    return url.format(**{name: ids[name]() if callable(ids[name]) else ids[name] for name in names})


def statuses(
    cast: Mapping[str, Any],
    method: str,
    url: str,
    body: Callable[[str], dict[str, Any]] = lambda role: {},
    ids: Mapping[str, Any] | None = None,
) -> dict[str, Status]:
    """What each role of ``cast`` gets for ``method url``, by role. Those who may act go last (reversed
    order), so that a deletion or a closed link does not hide the others' answers."""
    got: dict[str, Status] = {}
    for role in reversed(ROLES):
        client = Client()
        if cast[role] is not None:
            client.force_login(cast[role])
        path = fill(url, ids or {})
        response = client.get(path) if method == "GET" else client.post(path, **body(role))
        if hasattr(response, "streaming_content"):
            close_download(response)
        got[role] = _status(response)
    return {role: got[role] for role in ROLES}


def expected_by_role(expected: Sequence[Status]) -> dict[str, Status]:
    return dict(zip(ROLES, expected, strict=True))


def _status(response: Any) -> Status:
    if response.status_code == 302 and response.headers["Location"].startswith(settings.LOGIN_URL):
        return LOGIN
    return int(response.status_code)
