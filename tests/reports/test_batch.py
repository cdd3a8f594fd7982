"""Every participating region's report in one run, as background tasks, resumable after a crash."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle
from kotacerdas.reports import services
from kotacerdas.reports.models import ItemStatus, ReportBatch, ReportBatchItem, ReportVersion
from kotacerdas.reports.tasks import generate_batch_item

pytestmark = pytest.mark.django_db


def test_reports_command_writes_every_participating_regions_signed_report(
    small_cycle: Cycle, tmp_path: Path
) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("reports", "--year", "2030", "-o", str(tmp_path), "--workers", "0", stdout=out, stderr=err)
    files = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert files == ["32.04-kab-bandung.pdf", "32.73-kota-bandung.pdf", "51.03-kab-badung.pdf"]
    for name in files:
        assert services.verify_report((tmp_path / name).read_bytes()).valid
    with (tmp_path / "index.csv").open(encoding="utf-8") as handle:
        index = list(csv.DictReader(handle))
    assert [row["file"] for row in index] == files
    assert "3 dari 3 laporan" in out.getvalue()
    assert "Laporan 2030: 3/3 (100%)" in err.getvalue()  # the progress, one line per step when not a terminal
    assert ReportBatch.objects.get(cycle=small_cycle).finished_at is not None


def test_an_interrupted_batch_resumes_without_redoing_finished_reports(
    small_cycle: Cycle, tmp_path: Path
) -> None:
    batch, resumed = services.start_report_batch(small_cycle, enqueue=False, actor=CLI)
    assert not resumed
    first, second, _third = services.pending_items(batch)
    done_code = services.run_batch_item(first)
    # The crash: a worker claimed the second region long ago and died; the third was never started.
    ReportBatchItem.objects.filter(pk=second).update(
        status=ItemStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )
    out = io.StringIO()
    call_command(
        "reports", "--year", "2030", "-o", str(tmp_path), "--workers", "0", stdout=out, stderr=io.StringIO()
    )
    assert f"Melanjutkan batch #{batch.pk}: 1 dari 3" in out.getvalue()
    assert services.batch_progress(batch).finished
    reports = ReportVersion.objects.filter(cycle=small_cycle)
    assert reports.count() == 3  # the finished one was not generated again
    assert set(reports.values_list("version", flat=True)) == {1}
    assert reports.filter(code=done_code).exists()
    assert len(list(tmp_path.glob("*.pdf"))) == 3


def test_a_region_claimed_by_a_live_worker_is_left_alone(small_cycle: Cycle) -> None:
    batch, _ = services.start_report_batch(small_cycle, enqueue=False, actor=CLI)
    item = batch.items.first()
    assert item is not None
    ReportBatchItem.objects.filter(pk=item.pk).update(status=ItemStatus.RUNNING, started_at=timezone.now())
    assert services.run_batch_item(item.pk) == "skipped"
    assert item.pk not in services.pending_items(batch)


def test_a_batch_queues_one_background_task_per_region(small_cycle: Cycle) -> None:
    batch, _ = services.start_report_batch(small_cycle, actor=CLI)
    tasks = DBTaskResult.objects.filter(task_path=generate_batch_item.module_path, queue_name="reports")
    assert tasks.count() == 3
    for task in tasks:
        generate_batch_item.call(*task.args_kwargs["args"])
    assert services.batch_progress(batch).finished
    # Running a task twice (a duplicate after a resume) changes nothing.
    assert generate_batch_item.call(tasks[0].args_kwargs["args"][0]) == "skipped"
    assert ReportVersion.objects.filter(cycle=small_cycle).count() == 3


def test_admin_button_starts_the_batch_and_the_page_shows_its_progress(
    client: Client,
    admin_user,
    small_cycle: Cycle,  # type: ignore[no-untyped-def]
) -> None:
    client.force_login(admin_user)
    response = client.post(reverse("admin:reports_reportbatch_start"), {"cycle": small_cycle.pk})
    assert response.status_code == 302
    batch = ReportBatch.objects.get(cycle=small_cycle)
    assert batch.items.count() == 3 and batch.created_by == admin_user
    page = client.get(reverse("admin:reports_reportbatch_changelist"))
    body = page.content.decode()
    assert page.status_code == 200
    assert '<progress value="0" max="3"' in body and "Buat laporan semua daerah" in body
    assert page["Refresh"] == "3"


def test_non_admins_cannot_start_a_batch(client: Client, operator_a, small_cycle: Cycle) -> None:  # type: ignore[no-untyped-def]
    client.force_login(operator_a)
    response = client.post(reverse("admin:reports_reportbatch_start"), {"cycle": small_cycle.pk})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not ReportBatch.objects.filter(cycle=small_cycle).exists()


def test_batch_reports_leaves_out_the_ones_already_written(small_cycle: Cycle) -> None:
    batch, _ = services.start_report_batch(small_cycle, enqueue=False, actor=CLI)
    for item_id in services.pending_items(batch):
        services.run_batch_item(item_id)
    every = services.batch_reports(batch)
    assert [r.participation.region.code for r in every] == ["32.04", "32.73", "51.03"]  # type: ignore[union-attr]
    assert services.batch_reports(batch, exclude={every[1].pk}) == [every[0], every[2]]
    assert services.batch_reports(batch, exclude={r.pk for r in every}) == []
