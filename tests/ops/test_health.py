"""GET /kesehatan/: 200 with the figures when the database answers, the workers keep up and the media disk has
room; 503 naming the failing check otherwise."""

import json
from collections import namedtuple
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kotacerdas.ops import health

Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def client() -> Client:
    return Client()


def _enqueue(waited: timedelta) -> DBTaskResult:
    from kotacerdas.reports.tasks import generate_batch_item

    result = generate_batch_item.enqueue(0)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - waited)
    return DBTaskResult.objects.get(pk=result.id)


@pytest.mark.django_db
def test_healthy_installation_answers_200_with_every_check(client: Client) -> None:
    response = client.get("/kesehatan/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "media_disk"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"] == {
        "ok": True,
        "ready": 0,
        "oldest_ready_seconds": 0,
        "max_age_seconds": 300,
    }
    assert body["checks"]["media_disk"]["free_bytes"] > 0


@pytest.mark.django_db
def test_a_task_waiting_too_long_means_no_worker_keeps_up(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HEALTH_QUEUE_MAX_AGE = 60
    _enqueue(timedelta(seconds=30))
    body = json.loads(client.get("/kesehatan/").content)
    assert body["checks"]["queue"]["ok"] is True
    assert body["checks"]["queue"]["ready"] == 1

    _enqueue(timedelta(minutes=5))
    response = client.get("/kesehatan/")
    assert response.status_code == 503
    queue = json.loads(response.content)["checks"]["queue"]
    assert queue["ok"] is False
    assert queue["ready"] == 2
    assert 295 <= queue["oldest_ready_seconds"] <= 310


@pytest.mark.django_db
def test_a_running_or_finished_task_is_not_waiting(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HEALTH_QUEUE_MAX_AGE = 60
    task = _enqueue(timedelta(hours=1))
    DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING")
    assert client.get("/kesehatan/").status_code == 200


@pytest.mark.django_db
def test_a_nearly_full_media_disk_is_unhealthy(client: Client, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.HEALTH_MEDIA_MIN_FREE_BYTES = 1024**3
    seen = []

    def usage(path: object) -> Usage:
        seen.append(path)
        return Usage(10 * 1024**3, 10 * 1024**3 - 1000, 1000)

    monkeypatch.setattr(health.shutil, "disk_usage", usage)
    response = client.get("/kesehatan/")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["media_disk"] == {
        "ok": False,
        "free_bytes": 1000,
        "min_free_bytes": 1024**3,
    }
    assert seen == [settings.MEDIA_ROOT]


@pytest.mark.django_db
def test_a_missing_media_folder_is_unhealthy(client: Client, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "not-mounted"
    response = client.get("/kesehatan/")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["media_disk"]["ok"] is False


@pytest.mark.django_db
def test_an_unreachable_database_is_unhealthy(client: Client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(health, "connections", {"default": _RefusingConnection()})
    response = client.get("/kesehatan/")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}


class _RefusingConnection:
    def cursor(self) -> object:
        from django.db import OperationalError

        raise OperationalError("could not connect to server: Connection refused")


def test_only_reads_are_answered(client: Client) -> None:
    assert client.post("/kesehatan/").status_code == 405
