"""The interview schedule: building it (``review.scheduling``), confirming it, invitations, unavailable
days."""

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.actors import person
from kotacerdas.accounts.models import Role, User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.cycles.policy import Action, require
from kotacerdas.regions.models import Region
from kotacerdas.review import invitations
from kotacerdas.review.interviews import SlotPlan, attendees, describe, scheduled_participations
from kotacerdas.review.models import (
    Assessor,
    Assignment,
    ConflictOfInterest,
    InterviewSession,
    Unavailability,
)
from kotacerdas.review.scheduling import (
    AssessorSpec,
    InfeasibleSchedule,
    Placement,
    Problem,
    RegionSpec,
    Session,
    solve,
    working_days,
)
from kotacerdas.review.services.panels import (
    _conflict_reason,
    assign_assessor,
)


class InterviewScheduleError(ValueError):
    """Why no schedule could be made (or changed): every reason, in the user's language."""

    def __init__(self, messages: Sequence[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class ScheduleOptions:
    panel_size: int = 5  # the programme's usual panel (the seed's Badung had five)
    daily_cap: int = 2  # sessions an assessor sits in a day at most
    slots: SlotPlan = field(default_factory=SlotPlan)
    include_unsubmitted: bool = False  # a practice run: every participation that is not final
    time_limit: float = 30.0  # seconds for the solver

    def __post_init__(self) -> None:
        if self.panel_size < 1 or self.daily_cap < 1 or self.time_limit <= 0:
            raise InterviewScheduleError(
                [_("Ukuran panel, batas harian dan batas waktu harus lebih dari nol.")]
            )


@dataclass(frozen=True)
class ScheduleOutcome:
    sessions: int
    created: int
    moved: int
    unchanged: int
    kept: int  # confirmed sessions, kept as they were
    removed: int  # unconfirmed sessions of regions no longer scheduled
    assigned: int  # assessors added to panels
    spread: int  # max − min of the pool's sessions
    optimal: bool
    seconds: float
    loads: tuple[tuple[str, int], ...]  # (assessor, sessions) for the pool and every fixed member


def _interview_problem(
    cycle: Cycle, options: ScheduleOptions
) -> tuple[Problem, dict[str, Participation], dict[str, Assessor], dict[str, str]]:
    """The scheduling problem of the cycle as the database has it, with the participations and assessors
    by key (region code, assessor id) and every key's display name."""
    assert cycle.interviews_start is not None and cycle.interviews_end is not None
    days = working_days(cycle.interviews_start, cycle.interviews_end)
    sessions = {s.participation_id: s for s in InterviewSession.objects.filter(participation__cycle=cycle)}
    confirmed_ids = [pid for pid, s in sessions.items() if s.confirmed]
    participations = list(
        scheduled_participations(cycle, include_unsubmitted=options.include_unsubmitted)
        | cycle.participations.filter(pk__in=confirmed_ids).select_related("region", "cycle")
    )
    pool = list(
        Assessor.objects.filter(user__is_active=True, user__role=Role.ASSESSOR).select_related("user")
    )
    assessors = {str(a.pk): a for a in pool}
    members: dict[int, list[str]] = {}
    for assignment in (
        Assignment.objects.filter(participation__in=participations)
        .select_related("assessor__user")
        .order_by("position", "id")
    ):
        assessors.setdefault(str(assignment.assessor_id), assignment.assessor)
        members.setdefault(assignment.participation_id, []).append(str(assignment.assessor_id))
    declared = {
        (c.assessor_id, c.region_id): c.reason
        for c in ConflictOfInterest.objects.filter(region__in=[p.region_id for p in participations])
    }
    unavailable: dict[tuple[str, int], set[date]] = {}
    for entry in Unavailability.objects.filter(day__range=(cycle.interviews_start, cycle.interviews_end)):
        key = ("assessor", entry.assessor_id) if entry.assessor_id else ("region", entry.region_id or 0)
        unavailable.setdefault(key, set()).add(entry.day)
    plan = options.slots
    regions = []
    for p in participations:
        session = sessions.get(p.pk)
        placement = None
        if session is not None:
            slot = plan.slot_of(session.starts_at, session.ends_at)
            placement = Placement(session.day, len(plan.starts) if slot is None else slot)
        regions.append(
            RegionSpec(
                key=p.region.code,
                members=tuple(members.get(p.pk, ())),
                conflicts=frozenset(
                    str(a.pk)
                    for a in pool
                    if _conflict_reason(a, p.region, declared.get((a.pk, p.region_id)))
                ),
                unavailable=frozenset(unavailable.get(("region", p.region_id), ())),
                confirmed=placement if session is not None and session.confirmed else None,
                previous=placement if session is not None and not session.confirmed else None,
            )
        )
    in_pool = {str(a.pk) for a in pool}
    problem = Problem(
        days=days,
        slots=len(plan.starts),
        regions=tuple(regions),
        assessors=tuple(
            AssessorSpec(
                key,
                unavailable=frozenset(unavailable.get(("assessor", a.pk), ())),
                in_pool=key in in_pool,
            )
            for key, a in assessors.items()
        ),
        panel_size=options.panel_size,
        daily_cap=options.daily_cap,
        time_limit=options.time_limit,
    )
    names = {p.region.code: p.region.table_name for p in participations} | {
        key: str(a) for key, a in assessors.items()
    }
    return problem, {p.region.code: p for p in participations}, assessors, names


@transaction.atomic
def schedule_interviews(
    cycle: Cycle, *, actor: User | SystemActor, options: ScheduleOptions | None = None
) -> ScheduleOutcome:
    """Build or complete the cycle's interview schedule (``kotacerdas schedule-interviews``).

    Every region to interview (``interviews.scheduled_participations``, and any with a confirmed session)
    gets one session on a working day of the interview window, in one of the day's slots, with a panel of
    ``panel_size``: the assessors already on it stay, the rest come from the pool of active assessor
    accounts through ``assign_assessor`` (policy ``assign``, conflict-of-interest rule, audit). The model
    (``review.scheduling``) keeps every constraint; confirmed sessions are kept as they are, unconfirmed
    ones may move. Raises :class:`InterviewScheduleError` with the reasons when no schedule exists."""
    options = options or ScheduleOptions()
    require(actor, Action.SCHEDULE_INTERVIEWS, cycle)
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()  # one run at a time per cycle
    if cycle.interviews_start is None or cycle.interviews_end is None:
        raise InterviewScheduleError([_("Jadwal wawancara siklus ini belum ditetapkan.")])
    problem, participations, assessors, names = _interview_problem(cycle, options)
    try:
        schedule = solve(problem)
    except InfeasibleSchedule as exc:
        raise InterviewScheduleError([describe(reason, names) for reason in exc.reasons]) from exc
    existing = {
        s.participation_id: s
        for s in InterviewSession.objects.select_for_update().filter(participation__cycle=cycle)
    }
    counts = dict.fromkeys(("created", "moved", "unchanged", "kept", "assigned"), 0)
    for planned in schedule.sessions:
        participation = participations[planned.region]
        for key in planned.added:
            counts["assigned"] += assign_assessor(participation, assessors[key], actor=actor)[1]
        row = existing.pop(participation.pk, None)
        if planned.confirmed:
            counts["kept"] += 1
            continue
        counts[_store_session(participation, row, planned, options.slots, actor=actor)] += 1
    removed = [row for row in existing.values() if not row.confirmed]
    for row in removed:
        record_event(
            "interview.removed",
            actor=actor,
            object_type="interview",
            object_id=row.pk,
            old={"starts_at": row.starts_at.isoformat()},
            participation=row.participation,
        )
    InterviewSession.objects.filter(pk__in=[row.pk for row in removed]).delete()
    outcome = ScheduleOutcome(
        sessions=len(schedule.sessions),
        removed=len(removed),
        spread=schedule.spread,
        optimal=schedule.optimal,
        seconds=schedule.seconds,
        loads=tuple((names[key], load) for key, load in schedule.loads),
        **counts,
    )
    record_event(
        "interviews.scheduled",
        actor=actor,
        object_type="cycle",
        object_id=cycle.year,
        new={
            "sessions": outcome.sessions,
            "created": outcome.created,
            "moved": outcome.moved,
            "kept": outcome.kept,
            "removed": outcome.removed,
            "assigned": outcome.assigned,
            "spread": outcome.spread,
            "panel_size": options.panel_size,
            "daily_cap": options.daily_cap,
            "slots": options.slots.text(),
            "slot_minutes": options.slots.minutes,
        },
    )
    return outcome


def _store_session(
    participation: Participation,
    row: InterviewSession | None,
    planned: Session,
    plan: SlotPlan,
    *,
    actor: User | SystemActor,
) -> str:
    """Create or move a region's unconfirmed session; returns "created", "moved" or "unchanged"."""
    starts, ends = plan.bounds(planned.day, planned.slot)
    new = {"starts_at": starts.isoformat(), "ends_at": ends.isoformat()}
    if row is None:
        room = f"kotacerdas-{participation.cycle.year}-{secrets.token_hex(10)}"
        row = InterviewSession.objects.create(
            participation=participation,
            day=planned.day,
            slot=planned.slot,
            starts_at=starts,
            ends_at=ends,
            room=room,
            meeting_url=f"{settings.INTERVIEW_MEETING_URL}{room}",
            created_by=person(actor),
        )
        record_event(
            "interview.scheduled",
            actor=actor,
            object_type="interview",
            object_id=row.pk,
            new=new,
            participation=participation,
        )
        return "created"
    if (row.starts_at, row.ends_at) == (starts, ends):
        if row.slot != planned.slot:  # the same time under a new plan of slots
            row.slot = planned.slot
            row.save(update_fields=["slot"])
        return "unchanged"
    old = {"starts_at": row.starts_at.isoformat(), "ends_at": row.ends_at.isoformat()}
    row.day, row.slot, row.starts_at, row.ends_at = planned.day, planned.slot, starts, ends
    row.sequence += 1
    row.save(update_fields=["day", "slot", "starts_at", "ends_at", "sequence"])
    record_event(
        "interview.moved",
        actor=actor,
        object_type="interview",
        object_id=row.pk,
        old=old,
        new=new,
        participation=participation,
    )
    return "moved"


@transaction.atomic
def confirm_interviews(
    cycle: Cycle,
    *,
    actor: User | SystemActor,
    regions: Collection[str] | None = None,
    send: bool = True,
) -> tuple[int, int]:
    """Confirm the cycle's unconfirmed sessions (or those of ``regions``, by code): later runs keep them as
    they are. With ``send``, the invitations go out at once. Returns (confirmed, e-mails sent)."""
    require(actor, Action.SCHEDULE_INTERVIEWS, cycle)
    rows = InterviewSession.objects.select_for_update().filter(
        participation__cycle=cycle, confirmed_at__isnull=True
    )
    if regions is not None:
        rows = rows.filter(participation__region__code__in=list(regions))
    now = timezone.now()
    confirmed = 0
    for row in rows.select_related("participation__region", "participation__cycle"):
        row.confirmed_at, row.confirmed_by = now, person(actor)
        row.save(update_fields=["confirmed_at", "confirmed_by"])
        record_event(
            "interview.confirmed",
            actor=actor,
            object_type="interview",
            object_id=row.pk,
            new={"starts_at": row.starts_at.isoformat()},
            participation=row.participation,
        )
        confirmed += 1
    sent = send_interview_invitations(cycle, actor=actor) if send else 0
    return confirmed, sent


@transaction.atomic
def unconfirm_interview(session: InterviewSession, *, actor: User | SystemActor) -> InterviewSession:
    """Take a session's confirmation back: the next run may move it (its invitation is then sent again)."""
    require(actor, Action.SCHEDULE_INTERVIEWS, session.participation.cycle)
    if session.confirmed_at is None:
        return session
    old = session.confirmed_at.isoformat()
    session.confirmed_at, session.confirmed_by = None, None
    session.save(update_fields=["confirmed_at", "confirmed_by"])
    record_event(
        "interview.unconfirmed",
        actor=actor,
        object_type="interview",
        object_id=session.pk,
        old={"confirmed_at": old},
        participation=session.participation,
    )
    return session


@transaction.atomic
def send_interview_invitations(cycle: Cycle, *, actor: User | SystemActor) -> int:
    """E-mail the invitation (an .ics, ``text/calendar; method=REQUEST``) of each confirmed session to its
    assessors and the region's operators: everyone when the session's time is new to them, otherwise only
    those not yet invited (a later panel member). Returns how many e-mails were sent."""
    require(actor, Action.SCHEDULE_INTERVIEWS, cycle)
    sent = 0
    rows = (
        InterviewSession.objects.select_for_update()
        .filter(participation__cycle=cycle, confirmed_at__isnull=False)
        .select_related("participation__region", "participation__cycle")
        .prefetch_related("participation__assignments__assessor__user")
    )
    for row in rows:
        people = [p for p in attendees(row) if p.email]
        already = set(row.invited_emails) if row.invited_sequence == row.sequence else set()
        due = [p for p in people if p.email.lower() not in already]
        if not due:
            continue
        ics = invitations.calendar([row])
        for attendee in due:
            invitations.invitation(row, attendee, ics).send()
        row.invited_sequence = row.sequence
        row.invited_emails = sorted(already | {p.email.lower() for p in due})
        row.invited_at = timezone.now()
        row.save(update_fields=["invited_sequence", "invited_emails", "invited_at"])
        record_event(
            "interview.invited",
            actor=actor,
            object_type="interview",
            object_id=row.pk,
            new={"to": [p.email for p in due], "sequence": row.sequence},
            participation=row.participation,
        )
        sent += len(due)
    return sent


@transaction.atomic
def declare_unavailability(
    cycle: Cycle,
    day: date,
    reason: str,
    *,
    assessor: Assessor | None = None,
    region: Region | None = None,
    actor: User | SystemActor,
) -> tuple[Unavailability, bool]:
    """Record that an assessor or a region cannot be interviewed on ``day`` (within the cycle's interview
    window); later schedules respect it. Idempotent on (who, day): the reason is then updated."""
    require(actor, Action.SCHEDULE_INTERVIEWS, cycle)
    if (assessor is None) == (region is None):
        raise InterviewScheduleError([_("Pilih satu asesor atau satu daerah.")])
    if not reason.strip():
        raise InterviewScheduleError([_("Alasan wajib diisi.")])
    start, end = cycle.interviews_start, cycle.interviews_end
    if start is None or end is None or not start <= day <= end:
        raise InterviewScheduleError([_("Tanggal berada di luar jadwal wawancara siklus ini.")])
    who = {"assessor": assessor} if assessor is not None else {"region": region}
    entry, created = Unavailability.objects.get_or_create(
        **who, day=day, defaults={"reason": reason.strip(), "declared_by": person(actor)}
    )
    if not created and entry.reason != reason.strip():
        entry.reason = reason.strip()
        entry.save(update_fields=["reason"])
    record_event(
        "unavailability.declared",
        actor=actor,
        object_type="unavailability",
        object_id=entry.pk,
        new={"who": str(assessor or region), "day": day.isoformat(), "reason": entry.reason},
    )
    return entry, created


@transaction.atomic
def withdraw_unavailability(entry: Unavailability, cycle: Cycle, *, actor: User | SystemActor) -> None:
    require(actor, Action.SCHEDULE_INTERVIEWS, cycle)
    record_event(
        "unavailability.withdrawn",
        actor=actor,
        object_type="unavailability",
        object_id=entry.pk,
        old={
            "who": str(entry.assessor or entry.region),
            "day": entry.day.isoformat(),
            "reason": entry.reason,
        },
    )
    Unavailability.objects.filter(pk=entry.pk).delete()
