"""Writes of the review: panels, conflicts of interest, blind scores, submission, consensus, replies."""

import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.models import Role, User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Cycle, Participation, Stage
from kotacerdas.cycles.policy import Action, require
from kotacerdas.cycles.signals import inputs_changed
from kotacerdas.cycles.stages import move_stage
from kotacerdas.instrument.models import DimensionKind, Question
from kotacerdas.instrument.services import assessed_questions
from kotacerdas.regions.models import Region
from kotacerdas.review import invitations
from kotacerdas.review.interviews import SlotPlan, attendees, describe, scheduled_participations
from kotacerdas.review.models import (
    AgreedScore,
    Assessor,
    AssessorScore,
    Assignment,
    ConflictOfInterest,
    Finding,
    FindingKind,
    InterviewSession,
    Reply,
    ReplyStatus,
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
from kotacerdas.selfassessment.models import Evidence


class ConflictOfInterestError(ValueError):
    pass


def ensure_assessor_profile(user: User) -> Assessor:
    """The assessor record of an assessor account (created on first need, kept in step with the account)."""
    name = user.get_full_name() or user.email
    assessor = Assessor.objects.filter(user=user).first()
    if assessor is None:
        return Assessor.objects.create(user=user, name=name, institution=user.institution)
    if (assessor.name, assessor.institution) != (name, user.institution):
        assessor.name, assessor.institution = name, user.institution
        assessor.save(update_fields=["name", "institution"])
    return assessor


def conflict_of_interest(assessor: Assessor, participation: Participation) -> str:
    """Why ``assessor`` may not assess the region, or "" when nothing is known against it.

    A declared conflict, an account that is the region's operator, or an institution that is the region's
    own government ("Pemerintah Kabupaten Badung", "Pemkab Badung", "Diskominfo Kabupaten Badung", …).
    """
    declared = (
        ConflictOfInterest.objects.filter(assessor=assessor, region=participation.region).first()
        if assessor.pk is not None
        else None
    )
    return _conflict_reason(assessor, participation.region, declared.reason if declared else None)


_GOVERNMENT_WORDS = (
    "pemerintah",
    "pemkab",
    "pemkot",
    "dinas",
    "diskominfo",
    "bappeda",
    "sekretariat daerah",
    "bupati",
    "walikota",
    "wali kota",
    "dprd",
)


def _conflict_reason(assessor: Assessor, region: Region, declared: str | None) -> str:
    """The rule of :func:`conflict_of_interest`, given the declared conflict's reason (None: none)."""
    if declared is not None:
        return _("Konflik kepentingan yang dinyatakan: %(reason)s") % {"reason": declared}
    if assessor.user is not None and assessor.user.region_id == region.pk:
        return _("Asesor adalah operator daerah ini.")
    institution = " ".join(assessor.institution.lower().replace(".", " ").split())
    bare = region.naming.bare.lower()
    if bare in institution and any(word in institution for word in _GOVERNMENT_WORDS):
        return _("Institusi asesor adalah bagian dari pemerintah daerah ini.")
    return ""


@transaction.atomic
def assign_assessor(
    participation: Participation,
    assessor: Assessor,
    *,
    actor: User | SystemActor,
    conflict_override: str = "",
) -> tuple[Assignment, bool]:
    """Put ``assessor`` on the region's panel (idempotent), if the policy allows it. Refused on a conflict of
    interest, unless ``conflict_override`` gives the reason to accept it anyway (a historic panel imported
    as it was): the reason and the conflict are then recorded in the audit."""
    require(actor, Action.ASSIGN, participation)
    assignment = Assignment.objects.filter(participation=participation, assessor=assessor).first()
    if assignment is not None:
        return assignment, False
    return _add_to_panel(participation, assessor, actor, conflict_override), True


def _add_to_panel(
    participation: Participation, assessor: Assessor, actor: User | SystemActor, conflict_override: str
) -> Assignment:
    """The one place a panel grows: the conflict-of-interest rule, the position, the audit event."""
    conflict = conflict_of_interest(assessor, participation)
    if conflict and not conflict_override.strip():
        raise ConflictOfInterestError(conflict)
    position = participation.assignments.count() + 1
    assignment = Assignment.objects.create(participation=participation, assessor=assessor, position=position)
    record_event(
        "assignment.created",
        actor=actor,
        object_type="assignment",
        object_id=assignment.pk,
        new={
            "region": participation.region.code,
            "year": participation.cycle.year,
            "assessor": str(assessor),
            **({"conflict_of_interest": conflict} if conflict else {}),
        },
        reason=conflict_override.strip() if conflict else "",
        participation=participation,
    )
    return assignment


@transaction.atomic
def declare_conflict(
    assessor: Assessor, participation: Participation, reason: str, *, actor: User | SystemActor
) -> None:
    """Record that ``assessor`` may not assess the region (no later assignment to it is accepted)."""
    require(actor, Action.DECLARE_CONFLICT, participation)
    ConflictOfInterest.objects.get_or_create(
        assessor=assessor, region=participation.region, defaults={"reason": reason}
    )
    record_event(
        "conflict.declared",
        actor=actor,
        object_type="assessor",
        object_id=assessor.pk,
        new={"region": participation.region.code, "reason": reason},
        participation=participation,
    )


class InvalidScore(ValueError):
    pass


@transaction.atomic
def record_score(
    assignment: Assignment, question: Question, score: int | None, note: str, *, actor: User
) -> AssessorScore:
    """The assessor's own score of one question (one row per assignment and question; edits are audited).
    The region's first score moves it from "submitted" to "under review"."""
    participation = assignment.participation
    require(actor, Action.SCORE, participation)
    if assignment.assessor.user_id != actor.pk:
        raise InvalidScore(_("Ini bukan penugasan Anda."))
    if (
        question.instrument.cycle_id != participation.cycle_id
        or question.dimension.kind != DimensionKind.ASSESSED
    ):
        raise InvalidScore(_("Pertanyaan ini tidak dinilai asesor."))
    if score is not None and not question.scale_min <= score <= question.scale_max:
        raise InvalidScore(
            _("Skor harus %(min)s–%(max)s.") % {"min": question.scale_min, "max": question.scale_max}
        )
    row = AssessorScore.objects.select_for_update().filter(assignment=assignment, question=question).first()
    if row is not None and (row.score, row.note) == (score, note):
        return row
    old = None if row is None else {"score": row.score, "note": row.note}
    if row is None:
        row = AssessorScore.objects.create(assignment=assignment, question=question, score=score, note=note)
    else:
        row.score, row.note = score, note
        row.save(update_fields=["score", "note"])
    move_stage(participation, Stage.UNDER_REVIEW, actor=actor)
    record_event(
        "score.recorded",
        actor=actor,
        object_type="assessor_score",
        object_id=row.pk,
        old=old,
        new={"score": score, "note": note},
        participation=participation,
        question_number=question.number,
    )
    return row


@transaction.atomic
def record_findings(assignment: Assignment, kind: FindingKind, items: Sequence[str], *, actor: User) -> bool:
    """Set an assessor's own list of strengths, weaknesses or recommendations; returns whether it changed."""
    require(actor, Action.SCORE, assignment.participation)
    if assignment.assessor.user_id != actor.pk:
        raise InvalidScore(_("Ini bukan penugasan Anda."))
    return _store_findings(assignment, kind, items, actor=actor)


def _store_findings(
    assignment: Assignment, kind: FindingKind, items: Sequence[str], *, actor: User | SystemActor
) -> bool:
    items = [" ".join(item.split()) for item in items if item.strip()]
    current = list(assignment.findings.filter(kind=kind).order_by("position").values_list("text", flat=True))
    if current == items:
        return False
    assignment.findings.filter(kind=kind).delete()
    Finding.objects.bulk_create(
        Finding(assignment=assignment, kind=kind, position=position, text=text)
        for position, text in enumerate(items, start=1)
    )
    record_event(
        "findings.recorded",
        actor=actor,
        object_type="assignment",
        object_id=assignment.pk,
        old=current,
        new=items,
        reason=str(kind.label),
        participation=assignment.participation,
    )
    return True


class IncompleteReview(ValueError):
    def __init__(self, numbers: list[int]):
        self.numbers = numbers
        super().__init__(
            _("Belum lengkap: pertanyaan %(numbers)s belum diberi skor.")
            % {"numbers": ", ".join(map(str, numbers))}
        )


@transaction.atomic
def submit_review(assignment: Assignment, *, actor: User) -> Assignment:
    """Submit the assessor's scores: from now on they count in the region's results (recomputed at once).
    The last of the panel to submit moves the region to "scored"."""
    assignment = (
        Assignment.objects.select_for_update().select_related("participation__cycle").get(pk=assignment.pk)
    )
    participation = assignment.participation
    require(actor, Action.SUBMIT_REVIEW, participation)
    if assignment.assessor.user_id != actor.pk:
        raise InvalidScore(_("Ini bukan penugasan Anda."))
    scored = set(assignment.scores.filter(score__isnull=False).values_list("question_id", flat=True))
    missing = [q.number for q in assessed_questions(participation.cycle) if q.pk not in scored]
    if missing:
        raise IncompleteReview(missing)
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["submitted_at"])
    everyone_done = not participation.assignments.filter(submitted_at__isnull=True).exists()
    new_stage = Stage.SCORED if everyone_done else Stage.UNDER_REVIEW
    move_stage(participation, new_stage, actor=actor)
    record_event(
        "review.submitted",
        actor=actor,
        object_type="assignment",
        object_id=assignment.pk,
        new={"stage": new_stage},
        participation=participation,
    )
    inputs_changed.send(sender=Assignment, cycle=participation.cycle, region_ids=[participation.region_id])
    return assignment


@transaction.atomic
def record_agreed_score(
    participation: Participation, question: Question, score: Decimal, reason: str, *, actor: User
) -> AgreedScore:
    """The panel's agreed score for a question (after a consensus discussion); it stands over the mean."""
    require(actor, Action.AGREE, participation)
    if not reason.strip():
        raise InvalidScore(_("Alasan skor kesepakatan wajib diisi."))
    if not question.scale_min <= score <= question.scale_max or score != score.quantize(Decimal("0.01")):
        raise InvalidScore(
            _("Skor harus %(min)s–%(max)s dengan paling banyak dua desimal.")
            % {"min": question.scale_min, "max": question.scale_max}
        )
    current = (
        AgreedScore.objects.select_for_update().filter(participation=participation, question=question).first()
    )
    old = None if current is None else {"score": str(current.score), "reason": current.reason}
    agreed, _created = AgreedScore.objects.update_or_create(
        participation=participation,
        question=question,
        defaults={"score": score, "reason": reason.strip(), "agreed_by": actor},
    )
    record_event(
        "score.agreed",
        actor=actor,
        object_type="agreed_score",
        object_id=agreed.pk,
        old=old,
        new={"score": str(score), "reason": reason.strip()},
        reason=reason.strip(),
        participation=participation,
        question_number=question.number,
    )
    inputs_changed.send(sender=AgreedScore, cycle=participation.cycle, region_ids=[participation.region_id])
    return agreed


@transaction.atomic
def contest_score(
    participation: Participation,
    question: Question,
    argument: str,
    evidence: Evidence | None = None,
    current_score: Decimal | None = None,
    *,
    actor: User,
) -> Reply:
    """The region's right of reply on one question: an argument and, optionally, new evidence."""
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    require(actor, Action.CONTEST, participation)
    if not argument.strip():
        raise InvalidScore(_("Argumen sanggahan wajib diisi."))
    if evidence is not None and evidence.participation_id != participation.pk:
        raise InvalidScore(_("Bukti ini bukan milik daerah Anda."))
    reply, created = Reply.objects.get_or_create(
        participation=participation,
        question=question,
        defaults={
            "argument": argument.strip(),
            "evidence": evidence,
            "created_by": actor,
            "score_at_reply": current_score,
        },
    )
    if not created:
        raise InvalidScore(_("Pertanyaan ini sudah disanggah."))
    move_stage(participation, Stage.REPLIED, actor=actor)
    record_event(
        "reply.created",
        actor=actor,
        object_type="reply",
        object_id=reply.pk,
        new={"argument": reply.argument, "score": str(current_score)},
        participation=participation,
        question_number=question.number,
    )
    return reply


@transaction.atomic
def respond_to_reply(reply: Reply, response: str, new_score: int | None = None, *, actor: User) -> Reply:
    """The panel answers a reply; an assigned assessor may change their own score of the question."""
    participation = reply.participation
    require(actor, Action.RESPOND, participation)
    if not response.strip():
        raise InvalidScore(_("Jawaban wajib diisi."))
    if new_score is not None:
        assignment = participation.assignments.filter(assessor__user=actor).first()
        if assignment is None:
            raise InvalidScore(_("Hanya asesor panel yang dapat mengubah skornya sendiri."))
        question = reply.question
        if not question.scale_min <= new_score <= question.scale_max:
            raise InvalidScore(
                _("Skor harus %(min)s–%(max)s.") % {"min": question.scale_min, "max": question.scale_max}
            )
        row = AssessorScore.objects.select_for_update().get(assignment=assignment, question=question)
        record_event(
            "score.changed_on_reply",
            actor=actor,
            object_type="assessor_score",
            object_id=row.pk,
            old={"score": row.score},
            new={"score": new_score},
            reason=response.strip(),
            participation=participation,
            question_number=question.number,
        )
        row.score = new_score
        row.save(update_fields=["score"])
        inputs_changed.send(
            sender=AssessorScore, cycle=participation.cycle, region_ids=[participation.region_id]
        )
    reply.status, reply.response = ReplyStatus.ANSWERED, response.strip()
    reply.responded_by, reply.responded_at = actor, timezone.now()
    reply.save(update_fields=["status", "response", "responded_by", "responded_at"])
    record_event(
        "reply.answered",
        actor=actor,
        object_type="reply",
        object_id=reply.pk,
        new={"response": reply.response},
        participation=participation,
        question_number=reply.question.number,
    )
    return reply


# --- bulk writes for imports (review/imports.py parses and validates; these store) ------------------------


@dataclass(frozen=True)
class AgreedScoreRow:
    participation: Participation
    question: Question
    score: Decimal
    reason: str


@dataclass(frozen=True)
class ImportedScoreRow:
    """One raw score of a finished review: the assessor by name and institution, as files name them."""

    participation: Participation
    assessor: tuple[str, str]
    question: Question
    score: int | None
    note: str


@dataclass(frozen=True)
class StoredCounts:
    created: int
    changed: int
    unchanged: int
    reviews_submitted: int = 0


def _require_import(actor: User | SystemActor, participations: Iterable[Participation]) -> None:
    for participation in {p.pk: p for p in participations}.values():
        require(actor, Action.IMPORT_REVIEW, participation)


def _announce(sender: type, participations: Iterable[Participation]) -> None:
    by_cycle: dict[int, tuple[Any, set[int]]] = {}
    for p in participations:
        by_cycle.setdefault(p.cycle_id, (p.cycle, set()))[1].add(p.region_id)
    for cycle, region_ids in by_cycle.values():
        inputs_changed.send(sender=sender, cycle=cycle, region_ids=region_ids)


@transaction.atomic
def store_agreed_scores(rows: Sequence[AgreedScoreRow], *, actor: User | SystemActor) -> StoredCounts:
    """Upsert agreed question scores from a file (e.g. a cycle's published question-level scores); a change
    of a stored score is audited, the regions touched are recomputed."""
    _require_import(actor, (r.participation for r in rows))
    existing = {
        (a.participation_id, a.question_id): a
        for a in AgreedScore.objects.filter(participation__in={r.participation.pk for r in rows})
    }
    created = changed = 0
    touched: list[Participation] = []
    for row in rows:
        current = existing.get((row.participation.pk, row.question.pk))
        if current is None:
            AgreedScore.objects.create(
                participation=row.participation, question=row.question, score=row.score, reason=row.reason
            )
            created += 1
        elif current.score != row.score:
            record_event(
                "score.agreed.changed",
                actor=actor,
                object_type="agreed_score",
                object_id=current.pk,
                old=str(current.score),
                new=str(row.score),
                reason=row.reason,
                participation=row.participation,
                question_number=row.question.number,
            )
            current.score, current.reason = row.score, row.reason
            current.save(update_fields=["score", "reason"])
            changed += 1
        else:
            continue
        touched.append(row.participation)
    _announce(AgreedScore, touched)
    return StoredCounts(created, changed, len(rows) - created - changed)


def imported_assessor(name: str, institution: str) -> Assessor:
    """The assessor a file names, as stored (unsaved when not yet known)."""
    return Assessor.objects.filter(name=name, institution=institution).first() or Assessor(
        name=name, institution=institution
    )


@transaction.atomic
def store_imported_scores(
    rows: Sequence[ImportedScoreRow], *, actor: User | SystemActor, conflict_override: str = ""
) -> StoredCounts:
    """Store the raw scores of finished reviews from a file: each assessor is put on the region's panel
    like an assignment made in the pages (the conflict-of-interest rule applies unless
    ``conflict_override`` gives a reason), and the review counts as submitted at once."""
    _require_import(actor, (r.participation for r in rows))
    assessors: dict[tuple[str, str], Assessor] = {}
    for who in {r.assessor for r in rows}:
        assessors[who], _ = Assessor.objects.get_or_create(name=who[0], institution=who[1])
    assignments: dict[tuple[int, int], Assignment] = {
        (a.participation_id, a.assessor_id): a
        for a in Assignment.objects.filter(participation__in={r.participation.pk for r in rows})
    }
    existing = {
        (s.assignment_id, s.question_id): s
        for s in AssessorScore.objects.filter(assignment__in=list(assignments.values()))
    }
    created = changed = submitted = 0
    new_scores = []
    touched: list[Participation] = []
    now = timezone.now()
    for row in rows:
        assessor = assessors[row.assessor]
        key = (row.participation.pk, assessor.pk)
        if key not in assignments:
            assignments[key] = _add_to_panel(row.participation, assessor, actor, conflict_override)
        assignment = assignments[key]
        if assignment.submitted_at is None:
            assignment.submitted_at = now
            assignment.save(update_fields=["submitted_at"])
            submitted += 1
            touched.append(row.participation)
        current = existing.get((assignment.pk, row.question.pk))
        if current is None:
            new_scores.append(
                AssessorScore(assignment=assignment, question=row.question, score=row.score, note=row.note)
            )
            created += 1
        elif (current.score, current.note) != (row.score, row.note):
            record_event(
                "score.assessor.changed",
                actor=actor,
                object_type="assessor_score",
                object_id=current.pk,
                old={"score": current.score, "note": current.note},
                new={"score": row.score, "note": row.note},
                participation=row.participation,
                question_number=row.question.number,
            )
            current.score, current.note = row.score, row.note
            current.save(update_fields=["score", "note"])
            changed += 1
        else:
            continue
        touched.append(row.participation)
    AssessorScore.objects.bulk_create(new_scores, batch_size=2000)
    _announce(AssessorScore, touched)
    return StoredCounts(created, changed, len(rows) - created - changed, submitted)


@transaction.atomic
def store_imported_findings(
    participation: Participation,
    assessor: Assessor,
    findings: dict[FindingKind, Sequence[str]],
    *,
    actor: User | SystemActor,
    conflict_override: str = "",
) -> bool:
    """An assessor's findings for a region from a file (the panel is joined as in the pages); returns
    whether anything changed."""
    require(actor, Action.IMPORT_REVIEW, participation)
    if assessor.pk is None:
        assessor.save()
    assignment = Assignment.objects.filter(participation=participation, assessor=assessor).first()
    if assignment is None:
        assignment = _add_to_panel(participation, assessor, actor, conflict_override)
    changed = False
    if assignment.submitted_at is None:
        # Imported findings are those of a finished review, like imported scores.
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at"])
        changed = True
    for kind, items in findings.items():
        changed |= _store_findings(assignment, kind, items, actor=actor)
    return changed


# --- the interview schedule -------------------------------------------------------------------------------


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


def _acting_user(actor: User | SystemActor) -> User | None:
    return actor if isinstance(actor, User) else None


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
            created_by=_acting_user(actor),
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
        row.confirmed_at, row.confirmed_by = now, _acting_user(actor)
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
        for person in due:
            invitations.invitation(row, person, ics).send()
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
        **who, day=day, defaults={"reason": reason.strip(), "declared_by": _acting_user(actor)}
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
