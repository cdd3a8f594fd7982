"""Schemathesis against the API's own OpenAPI document (issue 12, item 8): every operation is called with
generated valid and invalid inputs through the WSGI application (no network server), anonymously and
signed in, and every response must be below 500, documented in the schema with its status, and of the
documented shape."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema

from kotacerdas.accounts.models import User

# Bounded so that the whole module stays within seconds in CI: every operation gets this many cases.
EXAMPLES = 30


@pytest.fixture
def wsgi_app(db: None) -> Iterator[WSGIHandler]:
    """The Django application, called in-process inside the test's transaction: the start and end of a
    request must not close the test's connection (Django's own test client disconnects the same handler;
    on PostgreSQL the test would otherwise lose its transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _schema(app: WSGIHandler) -> OpenApiSchema:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    assert isinstance(schema, OpenApiSchema)
    return schema


def _session_cookie(admin_user: User) -> dict[str, str]:
    client = Client()
    client.force_login(admin_user)
    return {name: morsel.value for name, morsel in client.cookies.items()}


def _fuzz(schema: OpenApiSchema, **call: Any) -> list[str]:
    """Run every operation's cases; return the operations exercised."""
    seen = []
    for result in schema.get_all_operations():
        operation = result.ok()
        seen.append(operation.label)

        # Valid inputs and invalid ones (a year that is not a number, a missing parameter, ...).
        @given(
            case=operation.as_strategy(GenerationMode.POSITIVE)
            | operation.as_strategy(GenerationMode.NEGATIVE)
        )
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(**call)

        run()
    return seen


def test_the_api_answers_every_generated_request_as_documented_anonymously(wsgi_app: WSGIHandler) -> None:
    operations = _fuzz(_schema(wsgi_app))
    assert len(operations) >= 3


def test_the_api_answers_every_generated_request_as_documented_with_credentials(
    wsgi_app: WSGIHandler, admin_user: User
) -> None:
    """The API has no token of its own yet: a bearer token it does not know must change nothing, and a
    signed-in admin's session (the only credential the server knows) must not reach anything else."""
    schema = _schema(wsgi_app)
    operations = _fuzz(
        schema,
        headers={"Authorization": "Bearer kc_0000000000000000000000000000"},
        cookies=_session_cookie(admin_user),
    )
    assert len(operations) >= 3
