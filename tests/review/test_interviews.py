"""The interview schedule on the database: building it (service, command, admin button), unavailable days,
confirmation and re-runs, iCalendar invitations by e-mail and download, and who may see what."""

import csv
import io
import secrets
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from kotacerdas.accounts.models import Role, User
from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, Participation, Stage
from kotacerdas.cycles.policy import NotAllowed
from kotacerdas.cycles.stages import move_stage
from kotacerdas.review.interviews import SlotPlan
from kotacerdas.review.models import Assignment, InterviewSession
from kotacerdas.review.scheduling import working_days
from kotacerdas.review.services import (
    InterviewScheduleError,
    ScheduleOptions,
    assign_assessor,
    confirm_interviews,
    declare_conflict,
    declare_unavailability,
    ensure_assessor_profile,
    schedule_interviews,
    send_interview_invitations,
    unconfirm_interview,
)
from tests.conftest import make_assessor

SMALL = ScheduleOptions(panel_size=3, daily_cap=2, time_limit=20)


def confirmed_interview(participation: Participation) -> InterviewSession:
    """A confirmed session on the first working day of the cycle's interview window (for tables of
    permissions, which need one without the stages a schedule would)."""
    cycle = participation.cycle
    assert cycle.interviews_start and cycle.interviews_end
    day = working_days(cycle.interviews_start, cycle.interviews_end)[0]
    starts, ends = SlotPlan().bounds(day, 0)
    room = f"kotacerdas-{cycle.year}-{secrets.token_hex(10)}"
    return InterviewSession.objects.create(
        participation=participation,
        day=day,
        slot=0,
        starts_at=starts,
        ends_at=ends,
        room=room,
        meeting_url=f"https://meet.jit.si/{room}",
        confirmed_at=timezone.now(),
    )


@pytest.fixture
def pool(db: None) -> list[User]:
    return [make_assessor(f"pool{i}@asesor.id", f"Universitas Pool {i}") for i in range(5)]


@pytest.fixture
def submitted_regions(open_cycle: Cycle) -> list[Participation]:
    """Badung and Kota Bandung have submitted their self-assessment; Kab. Bandung has not."""
    regions = []
    for code in ("51.03", "32.73"):
        participation = open_cycle.participations.select_related("cycle", "region").get(region__code=code)
        move_stage(participation, Stage.SUBMITTED, actor=CLI)
        participation.refresh_from_db()
        regions.append(participation)
    return regions


def _sessions(cycle: Cycle) -> dict[str, InterviewSession]:
    return {
        s.participation.region.code: s
        for s in InterviewSession.objects.filter(participation__cycle=cycle).select_related(
            "participation__region"
        )
    }


def _panel(participation: Participation) -> set[str]:
    return set(participation.assignments.values_list("assessor__user__email", flat=True))


def _operators(participation: Participation) -> set[str]:
    """The region's active operators (the demo has one for Badung)."""
    users = User.objects.filter(role=Role.OPERATOR, region_id=participation.region_id, is_active=True)
    return set(users.values_list("email", flat=True))


def _working_days(cycle: Cycle) -> tuple[date, ...]:
    assert cycle.interviews_start and cycle.interviews_end
    return working_days(cycle.interviews_start, cycle.interviews_end)


# --- building the schedule --------------------------------------------------------------------------------


def test_every_submitted_region_gets_a_session_and_a_full_panel(
    open_cycle, submitted_regions, pool, panel
) -> None:
    badung, bandung = submitted_regions
    outcome = schedule_interviews(open_cycle, actor=CLI, options=SMALL)
    assert (outcome.sessions, outcome.created, outcome.kept) == (2, 2, 0)
    sessions = _sessions(open_cycle)
    assert set(sessions) == {"51.03", "32.73"}  # Kab. Bandung has not submitted
    # Badung's two assessors stay and one is added; Bandung's three all come from the pool.
    assert {u.email for u in panel} <= _panel(badung) and len(_panel(badung)) == 3
    assert len(_panel(bandung)) == 3
    assert outcome.assigned == 4
    days = _working_days(open_cycle)
    for session in sessions.values():
        assert session.day in days and session.day.weekday() < 5
        assert (session.starts_at, session.ends_at) == SlotPlan().bounds(session.day, session.slot)
        assert timezone.localtime(session.starts_at).hour in {8, 10, 13, 15}
        assert session.meeting_url == f"https://meet.jit.si/{session.room}" and len(session.room) > 30
        assert not session.confirmed
    # Nobody sits in both sessions at the same time.
    a, b = sessions.values()
    if (a.day, a.slot) == (b.day, b.slot):
        assert not _panel(badung) & _panel(bandung)
    # The new members joined through the one door of panels, with the audit.
    assert AuditEvent.objects.filter(action="assignment.created", actor_label="cli").count() >= 4
    assert AuditEvent.objects.filter(action="interview.scheduled").count() == 2


def test_a_practice_run_includes_regions_that_have_not_submitted(open_cycle, submitted_regions, pool) -> None:
    options = ScheduleOptions(panel_size=2, include_unsubmitted=True, time_limit=20)
    assert schedule_interviews(open_cycle, actor=CLI, options=options).sessions == 3


def test_conflicts_of_interest_and_unavailable_days_are_respected(
    open_cycle, submitted_regions, pool
) -> None:
    badung, _bandung = submitted_regions
    barred = ensure_assessor_profile(pool[0])
    declare_conflict(barred, badung, "Konsultan masterplan Badung", actor=CLI)
    days = _working_days(open_cycle)
    for day in days[1:]:  # Badung can only on the first working day
        declare_unavailability(open_cycle, day, "Rapat paripurna", region=badung.region, actor=CLI)
    away = ensure_assessor_profile(pool[1])
    declare_unavailability(open_cycle, days[0], "Cuti", assessor=away, actor=CLI)
    schedule_interviews(open_cycle, actor=CLI, options=SMALL)
    session = _sessions(open_cycle)["51.03"]
    assert session.day == days[0]
    assert pool[0].email not in _panel(badung) and pool[1].email not in _panel(badung)


def test_a_rerun_keeps_confirmed_sessions_and_leaves_others_in_place(
    open_cycle, submitted_regions, pool
) -> None:
    schedule_interviews(open_cycle, actor=CLI, options=SMALL)
    confirm_interviews(open_cycle, actor=CLI, regions=["51.03"], send=False)
    before = _sessions(open_cycle)
    # The confirmed session's day becomes unavailable for Kota Bandung too; nothing else changes.
    declare_unavailability(
        open_cycle, before["51.03"].day, "Acara", region=submitted_regions[1].region, actor=CLI
    )
    outcome = schedule_interviews(open_cycle, actor=CLI, options=SMALL)
    after = _sessions(open_cycle)
    assert outcome.kept == 1 and outcome.assigned == 0
    kept = after["51.03"]
    assert (kept.starts_at, kept.sequence, kept.confirmed) == (before["51.03"].starts_at, 0, True)
    moved = after["32.73"]
    assert moved.pk == before["32.73"].pk and moved.room == before["32.73"].room  # same UID
    assert moved.day != before["51.03"].day
    if moved.starts_at != before["32.73"].starts_at:
        assert moved.sequence == 1


def test_an_impossible_schedule_says_why_and_changes_nothing(open_cycle, submitted_regions, pool) -> None:
    with pytest.raises(InterviewScheduleError) as caught:
        schedule_interviews(open_cycle, actor=CLI, options=ScheduleOptions(panel_size=9, time_limit=10))
    message = str(caught.value)
    assert "KAB. BADUNG" in message and "perlu 9" in message
    assert not InterviewSession.objects.filter(participation__cycle=open_cycle).exists()
    assert not Assignment.objects.filter(participation__cycle=open_cycle).exists()


def test_a_cycle_without_interview_dates_cannot_be_scheduled(make_cycle) -> None:
    cycle = make_cycle(2031)
    with pytest.raises(InterviewScheduleError, match="belum ditetapkan"):
        schedule_interviews(cycle, actor=CLI)


def test_only_admins_and_system_actors_schedule(open_cycle, operator_a, pool) -> None:
    with pytest.raises(NotAllowed):
        schedule_interviews(open_cycle, actor=operator_a)
    with pytest.raises(NotAllowed):
        declare_unavailability(
            open_cycle, _working_days(open_cycle)[0], "x", region=operator_a.region, actor=operator_a
        )


def test_unavailability_outside_the_window_is_refused(open_cycle, pool) -> None:
    with pytest.raises(InterviewScheduleError, match="di luar"):
        declare_unavailability(
            open_cycle, date(2020, 1, 6), "x", assessor=ensure_assessor_profile(pool[0]), actor=CLI
        )


# --- the commands -----------------------------------------------------------------------------------------


def test_the_commands_build_and_print_the_schedule(open_cycle, submitted_regions, pool) -> None:
    out = io.StringIO()
    call_command(
        "schedule_interviews", year=2030, panel_size=3, slots="09:00,13:00", slot_minutes=90, stdout=out
    )
    assert out.getvalue().startswith("2 sessions: 2 new, 0 moved")
    out = io.StringIO()
    call_command("interviews", year=2030, stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {r["region_code"] for r in rows} == {"51.03", "32.73"}
    assert [r["starts_at"] for r in rows] == sorted(r["starts_at"] for r in rows)
    assert rows[0]["starts_at"][11:16] in {"09:00", "13:00"} and rows[0]["starts_at"].endswith("+07:00")
    assert rows[0]["confirmed"] == "no" and len(rows[0]["assessor_emails"].split("; ")) == 3
    out = io.StringIO()
    call_command("interviews", year=2030, format="ics", region="Badung", stdout=out)
    events = Calendar.from_ical(out.getvalue()).events
    assert len(events) == 1 and "KAB. BADUNG" in str(events[0]["summary"])
    one = next(iter(_panel(submitted_regions[1])))
    out = io.StringIO()
    call_command("interviews", year=2030, assessor=one, stdout=out)
    assert "32.73" in out.getvalue()


def test_the_command_reports_an_impossible_schedule(open_cycle, submitted_regions, pool) -> None:
    with pytest.raises(CommandError, match="perlu 9"):
        call_command("schedule_interviews", year=2030, panel_size=9, stdout=io.StringIO())
    with pytest.raises(CommandError, match="JJ:MM"):
        call_command("schedule_interviews", year=2030, slots="pagi", stdout=io.StringIO())
    with pytest.raises(CommandError, match="lebih dari nol"):
        call_command("schedule_interviews", year=2030, panel_size=0, stdout=io.StringIO())


def test_the_command_can_confirm_and_send(open_cycle, submitted_regions, pool) -> None:
    out = io.StringIO()
    call_command("schedule_interviews", year=2030, panel_size=3, confirm=True, stdout=out)
    invited = 6 + sum(len(_operators(p)) for p in submitted_regions)
    assert f"2 sessions confirmed, {invited} invitations e-mailed" in out.getvalue()
    assert len(mail.outbox) == invited


# --- invitations ------------------------------------------------------------------------------------------


def _parsed(content: bytes | str) -> Any:
    calendar = Calendar.from_ical(content)
    assert str(calendar["method"]) == "REQUEST"
    return calendar


def test_confirming_emails_each_attendee_an_invitation(
    open_cycle, submitted_regions, pool, operator_a
) -> None:
    schedule_interviews(open_cycle, actor=CLI, options=SMALL)
    confirmed, sent = confirm_interviews(open_cycle, actor=CLI)
    badung = _sessions(open_cycle)["51.03"]
    to_badung = [m for m in mail.outbox if "KAB. BADUNG" in m.subject]
    invited = _panel(submitted_regions[0]) | _operators(submitted_regions[0])
    assert operator_a.email in invited
    assert confirmed == 2 and sent == len(mail.outbox) == 6 + len(_operators(submitted_regions[0]))
    assert sorted(m.to[0] for m in to_badung) == sorted(invited)
    message = to_badung[0]
    assert message.subject.startswith("Undangan wawancara evaluasi Kota Cerdas 2030")
    assert badung.meeting_url in message.body
    filename, content, mimetype = message.attachments[0]
    assert filename == "wawancara-2030-51.03.ics" and mimetype == "text/calendar; method=REQUEST"
    assert 'Content-Type: text/calendar; method="REQUEST"' in message.message().as_string()
    event = _parsed(content).events[0]
    assert str(event["uid"]) == f"{badung.room}@127.0.0.1"
    assert event.decoded("dtstart") == badung.starts_at and event.decoded("dtend") == badung.ends_at
    assert event["dtstart"].params["TZID"] == "Asia/Jakarta"
    assert str(event["url"]) == str(event["location"]) == badung.meeting_url
    assert str(event["summary"]) == "Wawancara evaluasi Kota Cerdas 2030: KAB. BADUNG"
    attendees = {str(a).removeprefix("mailto:") for a in event.get("attendee")}
    assert attendees == invited
    assert str(event["organizer"]) == "mailto:noreply@kotacerdas.local"
    assert AuditEvent.objects.filter(action="interview.invited").count() == 2


def test_invitations_are_sent_once_and_to_a_later_panel_member(open_cycle, submitted_regions, pool) -> None:
    schedule_interviews(open_cycle, actor=CLI, options=SMALL)
    confirm_interviews(open_cycle, actor=CLI)
    mail.outbox.clear()
    assert send_interview_invitations(open_cycle, actor=CLI) == 0
    newcomer = make_assessor("baru@asesor.id", "Institut Baru")
    assign_assessor(submitted_regions[0], ensure_assessor_profile(newcomer), actor=CLI)
    assert send_interview_invitations(open_cycle, actor=CLI) == 1
    assert mail.outbox[0].to == ["baru@asesor.id"]


def test_an_unconfirmed_session_may_move_and_is_invited_again(open_cycle, submitted_regions, pool) -> None:
    schedule_interviews(open_cycle, actor=CLI, options=SMALL)
    confirm_interviews(open_cycle, actor=CLI)
    session = _sessions(open_cycle)["51.03"]
    unconfirm_interview(session, actor=CLI)
    declare_unavailability(open_cycle, session.day, "Banjir", region=session.participation.region, actor=CLI)
    schedule_interviews(open_cycle, actor=CLI, options=SMALL)
    moved = InterviewSession.objects.get(pk=session.pk)
    assert moved.day != session.day and moved.sequence == 1 and not moved.confirmed
    mail.outbox.clear()
    confirm_interviews(open_cycle, actor=CLI)
    event = _parsed(mail.outbox[0].attachments[0][1]).events[0]
    assert int(event["sequence"]) == 1 and str(event["uid"]) == f"{session.room}@127.0.0.1"


# --- the pages --------------------------------------------------------------------------------------------


@pytest.fixture
def schedule(open_cycle, submitted_regions, pool) -> dict[str, InterviewSession]:
    schedule_interviews(open_cycle, actor=CLI, options=SMALL)
    confirm_interviews(open_cycle, actor=CLI, regions=["51.03"], send=False)
    return _sessions(open_cycle)


def test_an_operator_downloads_their_own_regions_invitation(
    client: Client, schedule, operator_a, operator_b
) -> None:
    client.force_login(operator_a)
    response = client.get("/penilaian/wawancara/2030/51.03.ics")
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    event = _parsed(response.content).events[0]
    assert str(event["uid"]) == f"{schedule['51.03'].room}@127.0.0.1"
    assert operator_a.email in {str(a).removeprefix("mailto:") for a in event.get("attendee")}
    page = client.get("/penilaian/wawancara/2030/").content.decode()
    assert "KAB. BADUNG" in page and schedule["51.03"].meeting_url in page
    client.force_login(operator_b)
    assert client.get("/penilaian/wawancara/2030/51.03.ics").status_code == 404
    # Kota Bandung's own session is still a draft: not shown to its operator yet.
    assert client.get("/penilaian/wawancara/2030/32.73.ics").status_code == 404
    assert "KOTA BANDUNG" not in client.get("/penilaian/wawancara/2030/").content.decode()


def test_an_assessor_gets_every_session_of_their_panels_in_one_calendar(client: Client, schedule) -> None:
    member = Assignment.objects.filter(participation=schedule["51.03"].participation).first()
    assert member is not None and member.assessor.user is not None
    client.force_login(member.assessor.user)
    calendar = _parsed(client.get("/penilaian/wawancara/2030/jadwal.ics").content)
    assert [str(e["uid"]) for e in calendar.events] == [f"{schedule['51.03'].room}@127.0.0.1"]
    assert "wawancara/2030/" in client.get("/penilaian/").content.decode()


def test_admins_see_drafts_and_build_the_schedule_from_the_page(
    client: Client, open_cycle, submitted_regions, pool, admin_user
) -> None:
    client.force_login(admin_user)
    assert 'href="/kelola/2030/wawancara/"' in client.get("/kelola/2030/").content.decode()
    response = client.post(
        "/kelola/2030/wawancara/susun/",
        {"panel_size": 3, "daily_cap": 2, "slots": "08:00,10:00,13:00,15:00", "slot_minutes": 120},
    )
    assert response.status_code == 302
    page = client.get("/kelola/2030/wawancara/").content.decode()
    assert "Jadwal disusun: 2 sesi" in page and "KOTA BANDUNG" in page and "draf" in page
    assert client.get("/penilaian/wawancara/2030/32.73.ics").status_code == 200
    client.post("/kelola/2030/wawancara/konfirmasi/", {"region": ["32.73"], "confirm": "yes"})
    assert _sessions(open_cycle)["32.73"].confirmed and not _sessions(open_cycle)["51.03"].confirmed
    assert len(mail.outbox) == 3 + len(_operators(submitted_regions[1]))


def test_the_page_reports_an_impossible_schedule(
    client: Client, open_cycle, submitted_regions, pool, admin_user
) -> None:
    client.force_login(admin_user)
    response = client.post(
        "/kelola/2030/wawancara/susun/",
        {"panel_size": 9, "daily_cap": 2, "slots": "08:00", "slot_minutes": 120},
        follow=True,
    )
    assert "perlu 9" in response.content.decode()


def test_admins_declare_and_withdraw_unavailable_days(client: Client, open_cycle, pool, admin_user) -> None:
    client.force_login(admin_user)
    day = _working_days(open_cycle)[0]
    client.post(
        "/kelola/2030/wawancara/berhalangan/",
        {"kind": "assessor", "who": pool[0].email, "day": day.isoformat(), "reason": "Cuti tahunan"},
    )
    page = client.get("/kelola/2030/wawancara/").content.decode()
    assert "Cuti tahunan" in page
    entry = ensure_assessor_profile(pool[0]).unavailable_days.get()
    client.post(f"/kelola/2030/wawancara/berhalangan/{entry.pk}/hapus/")
    assert not ensure_assessor_profile(pool[0]).unavailable_days.exists()
    response = client.post(
        "/kelola/2030/wawancara/berhalangan/",
        {"kind": "region", "who": "Atlantis", "day": day.isoformat(), "reason": "x"},
        follow=True,
    )
    assert response.status_code == 200 and "Atlantis" in response.content.decode()


def test_the_schedule_page_in_english(client: Client, open_cycle, admin_user) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin_user)
    html = client.get("/kelola/2030/wawancara/").content.decode()
    assert "Interview schedule 2030" in html and "Build the schedule" in html
    assert "Jadwal wawancara" not in html


def test_the_invitation_mail_gives_the_time_and_the_link_in_indonesian(
    open_cycle, submitted_regions, pool
) -> None:
    schedule_interviews(open_cycle, actor=CLI, options=SMALL)
    confirm_interviews(open_cycle, actor=CLI)
    assert " WIB" in mail.outbox[0].body and "Tautan rapat" in mail.outbox[0].body
    assert (
        timedelta(minutes=120)
        == _sessions(open_cycle)["51.03"].ends_at - _sessions(open_cycle)["51.03"].starts_at
    )
