"""Every request gets an id (the proxy's X-Request-ID, or a new one), echoed in the response header and
carried by every JSON log line written while it is served."""

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from django.test import Client

from kotacerdas.ops.logs import JsonFormatter
from kotacerdas.ops.requestid import request_id_from


class JsonLines:
    """What the console handler writes: the JSON formatter at the moment of logging (as the configured
    StreamHandler does), captured in memory."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())

    def lines(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


@pytest.fixture
def request_log() -> Iterator[JsonLines]:
    captured = JsonLines()
    root, request_logger = logging.getLogger(), logging.getLogger("kotacerdas.request")
    level = request_logger.level
    request_logger.setLevel(logging.INFO)
    root.addHandler(captured.handler)
    yield captured
    root.removeHandler(captured.handler)
    request_logger.setLevel(level)


@pytest.mark.django_db
def test_the_proxys_request_id_is_echoed_and_logged(request_log: JsonLines) -> None:
    response = Client().get("/hasil/2024/", headers={"X-Request-ID": "3f2a9c0d1e7b4a56"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "3f2a9c0d1e7b4a56"
    [line] = [line for line in request_log.lines() if line["logger"] == "kotacerdas.request"]
    assert line["request_id"] == "3f2a9c0d1e7b4a56"
    assert line["method"] == "GET"
    assert line["path"] == "/hasil/2024/"
    assert line["status"] == 200
    assert line["user_id"] is None
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", str(line["time"]))


@pytest.mark.django_db
def test_without_a_header_each_request_gets_a_new_id(request_log: JsonLines) -> None:
    client = Client()
    first = client.get("/kesehatan/")["X-Request-ID"]
    second = client.get("/missing-page/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second
    lines = request_log.lines()
    by_id = {line["request_id"]: line for line in lines if line["logger"] == "kotacerdas.request"}
    assert by_id[first]["status"] == 200
    assert by_id[second]["status"] == 404
    # Django's own warning about the 404 carries the same id.
    [warning] = [line for line in lines if line["logger"] == "django.request"]
    assert warning["request_id"] == second
    assert warning["status_code"] == 404


@pytest.mark.django_db
def test_a_signed_in_users_request_names_the_user(request_log: JsonLines, admin_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    client.get("/survei/")
    [line] = [line for line in request_log.lines() if line["logger"] == "kotacerdas.request"]
    assert line["user_id"] == admin_user.pk


@pytest.mark.parametrize(
    "header",
    ["", "short", "has space in it", 'quote"injected', "x" * 129, "line\nbreak-1234567", "ünïcode-12345678"],
)
def test_a_malformed_header_is_replaced(header: str) -> None:
    made = request_id_from(header)
    assert made != header
    assert re.fullmatch(r"[0-9a-f]{32}", made)


def test_a_log_line_outside_a_request_has_no_id_and_keeps_its_exception() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("kotacerdas.x", logging.ERROR, __file__, 1, "failed %s", ("it",), None)
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed it"
    assert line["request_id"] is None
    assert "ValueError: boom" in line["exception"]
