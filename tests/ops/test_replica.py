"""DATABASE_REPLICA_URL: anonymous reads of the public pages go to the replica; a signed-in user's reads,
the survey and every write stay on the primary."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client

from kotacerdas.ops.replica import REPLICA, ReplicaRouter

ROOT = Path(__file__).resolve().parents[2]
decisions: list[str | None] = []


class RecordingRouter(ReplicaRouter):
    """The real router's choice is recorded; the query itself still runs on the test database."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        decisions.append(super().db_for_read(model, **hints))
        return None


@pytest.fixture
def replica_routing(settings):  # type: ignore[no-untyped-def]
    settings.DATABASE_ROUTERS = [f"{__name__}.RecordingRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "kotacerdas.ops.replica.PublicReadsMiddleware",
    )
    settings.MIDDLEWARE = middleware
    decisions.clear()
    return decisions


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/hasil/2024/", "/hasil/2024/51.03/", "/metodologi/2024/", "/api/v1/cycles/2024/results", "/"]
)
def test_anonymous_public_reads_go_to_the_replica(replica_routing: list[str | None], path: str) -> None:
    assert Client().get(path).status_code == 200
    assert replica_routing
    assert set(replica_routing) == {REPLICA}


@pytest.mark.django_db
def test_a_signed_in_user_reads_the_primary(replica_routing: list[str | None], admin_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    replica_routing.clear()
    assert client.get("/hasil/2024/").status_code == 200
    assert replica_routing
    assert set(replica_routing) == {None}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/survei/", "/verifikasi/", "/hasil/2024/51.03/laporan.pdf", "/kesehatan/"])
def test_other_addresses_read_the_primary(replica_routing: list[str | None], path: str) -> None:
    Client().get(path)
    assert None in replica_routing or not replica_routing
    assert REPLICA not in replica_routing


@pytest.mark.django_db
def test_a_post_to_a_public_address_reads_the_primary(replica_routing: list[str | None]) -> None:
    Client().post("/api/v1/cycles/2024/results")
    assert REPLICA not in replica_routing


def test_writes_and_migrations_stay_on_the_primary() -> None:
    router = ReplicaRouter()
    assert router.db_for_write(Model) is None
    assert router.allow_migrate("default", "results") is True
    assert router.allow_migrate(REPLICA, "results") is False


def test_the_setting_adds_the_connection_the_router_and_the_middleware() -> None:
    code = (
        "import json, django; django.setup(); from django.conf import settings; print(json.dumps(["
        "settings.DATABASES['replica']['HOST'], settings.DATABASE_ROUTERS, "
        "'kotacerdas.ops.replica.PublicReadsMiddleware' in settings.MIDDLEWARE]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOTACERDAS_", "DATABASE_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "kotacerdas.settings",
        "DATABASE_URL": "postgres://kotacerdas@primary.internal:5432/kotacerdas",
        "DATABASE_REPLICA_URL": "postgres://kotacerdas@replica.internal:5432/kotacerdas",
    }
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["replica.internal", ["kotacerdas.ops.replica.ReplicaRouter"], True]
