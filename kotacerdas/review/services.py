"""Writes of the review: panels, conflicts of interest, blind scores, submission, consensus, replies."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Participation, Stage
from kotacerdas.cycles.policy import Action, require
from kotacerdas.cycles.signals import inputs_changed
from kotacerdas.cycles.stages import move_stage
from kotacerdas.instrument.models import DimensionKind, Question
from kotacerdas.instrument.services import assessed_questions
from kotacerdas.review.models import (
    AgreedScore,
    Assessor,
    AssessorScore,
    Assignment,
    ConflictOfInterest,
    Finding,
    FindingKind,
    Reply,
    ReplyStatus,
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
    region = participation.region
    declared = (
        ConflictOfInterest.objects.filter(assessor=assessor, region=region).first()
        if assessor.pk is not None
        else None
    )
    if declared is not None:
        return _("Konflik kepentingan yang dinyatakan: %(reason)s") % {"reason": declared.reason}
    if assessor.user is not None and assessor.user.region_id == region.pk:
        return _("Asesor adalah operator daerah ini.")
    institution = " ".join(assessor.institution.lower().replace(".", " ").split())
    bare = region.naming.bare.lower()
    government_words = (
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
    if bare in institution and any(word in institution for word in government_words):
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
