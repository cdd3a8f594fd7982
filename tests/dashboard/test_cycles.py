"""The evaluation team's cycle pages: the next cycle from the previous one, the timeline with the stages,
the explicit opening step, attendance records, and publication."""

from collections.abc import Callable

import pytest
from django.test import Client

from kotacerdas.accounts.models import User
from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Attendance, Cycle, FillingRecord, Participation, Stage
from kotacerdas.cycles.policy import NotAllowed
from kotacerdas.cycles.services import CycleLineageError, create_cycle_from, open_cycle, record_attendance
from kotacerdas.reports.builder import _facts


@pytest.fixture
def admin(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_the_2024_history_shows_its_true_state(admin: Client, cycle_2024: Cycle) -> None:
    assert cycle_2024.participations.filter(stage=Stage.FINAL).count() == 140
    page = admin.get("/kelola/siklus/2024/").content.decode()
    assert "Dipublikasikan" in admin.get("/kelola/siklus/").content.decode()
    assert "Revisi 1 dipublikasikan" in page and "Dalam persiapan" not in page


def test_an_admin_makes_2025_from_2024_in_preparation(admin: Client, cycle_2024: Cycle) -> None:
    response = admin.post("/kelola/siklus/baru/", {"year": "2025", "source": "2024"})
    assert response.status_code == 302 and response.headers["Location"] == "/kelola/siklus/2025/"
    cycle = Cycle.objects.get(year=2025)
    assert (cycle.previous_id, cycle.is_open, cycle.participations.count()) == (cycle_2024.pk, False, 191)
    assert cycle.instrument.questions.filter(previous__isnull=False).count() == 115
    page = admin.get("/kelola/siklus/2025/").content.decode()
    assert "Dalam persiapan" in page and "Buka siklus untuk daerah" in page
    assert AuditEvent.objects.filter(action="cycle.created", object_id="2025").count() == 1
    admin.post("/kelola/siklus/baru/", {"year": "2025", "source": "2024"})  # again: nothing changes
    assert AuditEvent.objects.filter(action="cycle.created", object_id="2025").count() == 1

    assert admin.post("/kelola/siklus/2025/buka/").status_code == 302
    cycle.refresh_from_db()
    assert cycle.is_open
    assert AuditEvent.objects.filter(action="cycle.opened", object_id="2025").count() == 1
    assert "Dibuka untuk daerah" in admin.get("/kelola/siklus/2025/").content.decode()


def test_windows_move_by_the_years_between(cycle_2024: Cycle) -> None:
    cycle, added = create_cycle_from(cycle_2024, 2026, actor=CLI)
    assert added == 191
    assert cycle.interviews_start is not None and cycle.interviews_start.isoformat() == "2026-10-29"
    assert cycle.self_assessment_opens is not None and cycle.self_assessment_opens.year == 2026
    assert (cycle.letter_number, cycle.facts) == ("", {})
    with pytest.raises(CycleLineageError):
        create_cycle_from(cycle_2024, 2023, actor=CLI)


def test_only_an_admin_or_a_loader_starts_or_opens_a_cycle(cycle_2024: Cycle, operator_a: User) -> None:
    with pytest.raises(NotAllowed):
        create_cycle_from(cycle_2024, 2025, actor=operator_a)
    cycle, _ = create_cycle_from(cycle_2024, 2025, actor=CLI)
    with pytest.raises(NotAllowed):
        open_cycle(cycle, actor=operator_a)


def test_attendance_records_make_the_letters_counts(
    make_cycle: Callable[..., Cycle], admin: Client, operator_a: User
) -> None:
    cycle = make_cycle(2030)
    badung, bandung, third = cycle.participations.select_related("cycle", "region").order_by("region__code")
    form = {
        f"filled-{badung.pk}": "filled",
        f"attendance-{badung.pk}": "attended",
        f"filled-{bandung.pk}": "not_filled",
        f"attendance-{bandung.pk}": "absent",
    }
    assert admin.post("/kelola/siklus/2030/kehadiran/", form).status_code == 302
    badung.refresh_from_db()
    assert (badung.self_assessment, badung.attendance) == (FillingRecord.FILLED, Attendance.ATTENDED)
    facts = _facts(cycle, list(Participation.objects.filter(cycle=cycle)))
    assert (facts["participants"], facts["filled_self_assessment"], facts["did_not_fill"]) == (3, 1, 1)
    assert AuditEvent.objects.filter(action="participation.attendance").count() == 2
    with pytest.raises(NotAllowed):
        record_attendance(
            third, filled=FillingRecord.FILLED, attendance=Attendance.ATTENDED, actor=operator_a
        )


def test_publishing_from_the_timeline_needs_a_reason(make_cycle: Callable[..., Cycle], admin: Client) -> None:
    from kotacerdas.results.models import PublishedScore
    from kotacerdas.results.services import latest_published, recompute_results

    cycle = make_cycle(2030)
    badung = cycle.participations.get(region__code="51.03")
    dimension = cycle.instrument.dimensions.get(code="baseline")
    PublishedScore.objects.create(participation=badung, dimension=dimension, score="3.00")
    recompute_results(cycle)
    admin.post("/kelola/siklus/2030/terbitkan/", {"reason": " "})
    assert latest_published(cycle) is None
    admin.post("/kelola/siklus/2030/terbitkan/", {"reason": "Surat hasil 2030"})
    assert latest_published(cycle) is None  # not without the confirmation
    admin.post("/kelola/siklus/2030/terbitkan/", {"reason": "Surat hasil 2030", "confirm": "yes"})
    published = latest_published(cycle)
    assert published is not None and published.reason == "Surat hasil 2030"
