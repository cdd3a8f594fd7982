"""Writes of the review: panels, conflicts of interest, blind scores, submission, consensus, replies."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.audit.services import record_event
from kotacerdas.cycles.models import Participation, Stage
from kotacerdas.cycles.policy import Action, require
from kotacerdas.cycles.signals import inputs_changed
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


def ensure_assessor_profile(user: Any) -> Assessor:
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
    declared = ConflictOfInterest.objects.filter(assessor=assessor, region=region).first()
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
    participation: Participation, assessor: Assessor, *, actor: Any = None
) -> tuple[Assignment, bool]:
    """Put ``assessor`` on the region's panel (idempotent). Refused on a conflict of interest; when an
    actor is given (a person, not a loader), the policy must allow it too."""
    if actor is not None:
        require(actor, Action.ASSIGN, participation)
    assignment = Assignment.objects.filter(participation=participation, assessor=assessor).first()
    if assignment is not None:
        return assignment, False
    conflict = conflict_of_interest(assessor, participation)
    if conflict:
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
        },
        participation=participation,
    )
    return assignment, True


@transaction.atomic
def declare_conflict(
    assessor: Assessor, participation: Participation, reason: str, *, actor: Any = None
) -> None:
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
    user: Any, assignment: Assignment, question: Question, score: int | None, note: str
) -> AssessorScore:
    """The assessor's own score of one question (one row per assignment and question; edits are audited)."""
    participation = assignment.participation
    require(user, Action.SCORE, participation)
    if assignment.assessor.user_id != user.pk:
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
    if participation.stage == Stage.SUBMITTED:
        participation.stage = Stage.UNDER_REVIEW
        participation.save(update_fields=["stage"])
    record_event(
        "score.recorded",
        actor=user,
        object_type="assessor_score",
        object_id=row.pk,
        old=old,
        new={"score": score, "note": note},
        participation=participation,
        question_number=question.number,
    )
    return row


@transaction.atomic
def record_findings(
    assignment: Assignment, kind: FindingKind, items: Sequence[str], *, actor: Any = None
) -> bool:
    """Set an assessor's list of strengths, weaknesses or recommendations; returns whether it changed."""
    if actor is not None:
        require(actor, Action.SCORE, assignment.participation)
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
def submit_review(user: Any, assignment: Assignment) -> Assignment:
    """Submit the assessor's scores: from now on they count in the region's results (recomputed at once)."""
    assignment = (
        Assignment.objects.select_for_update().select_related("participation__cycle").get(pk=assignment.pk)
    )
    participation = assignment.participation
    require(user, Action.SUBMIT_REVIEW, participation)
    if assignment.assessor.user_id != user.pk:
        raise InvalidScore(_("Ini bukan penugasan Anda."))
    scored = set(assignment.scores.filter(score__isnull=False).values_list("question_id", flat=True))
    missing = [q.number for q in assessed_questions(participation.cycle) if q.pk not in scored]
    if missing:
        raise IncompleteReview(missing)
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["submitted_at"])
    everyone_done = not participation.assignments.filter(submitted_at__isnull=True).exists()
    new_stage = Stage.SCORED if everyone_done else Stage.UNDER_REVIEW
    if participation.stage != new_stage:
        participation.stage = new_stage
        participation.save(update_fields=["stage"])
    record_event(
        "review.submitted",
        actor=user,
        object_type="assignment",
        object_id=assignment.pk,
        new={"stage": new_stage},
        participation=participation,
    )
    inputs_changed.send(sender=Assignment, cycle=participation.cycle, region_ids=[participation.region_id])
    return assignment


@transaction.atomic
def record_agreed_score(
    user: Any, participation: Participation, question: Question, score: Decimal, reason: str
) -> AgreedScore:
    """The panel's agreed score for a question (after a consensus discussion); it stands over the mean."""
    require(user, Action.AGREE, participation)
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
        defaults={"score": score, "reason": reason.strip(), "agreed_by": user},
    )
    record_event(
        "score.agreed",
        actor=user,
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
    user: Any,
    participation: Participation,
    question: Question,
    argument: str,
    evidence: Evidence | None = None,
    current_score: Decimal | None = None,
) -> Reply:
    """The region's right of reply on one question: an argument and, optionally, new evidence."""
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    require(user, Action.CONTEST, participation)
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
            "created_by": user,
            "score_at_reply": current_score,
        },
    )
    if not created:
        raise InvalidScore(_("Pertanyaan ini sudah disanggah."))
    if participation.stage != Stage.REPLIED:
        participation.stage = Stage.REPLIED
        participation.save(update_fields=["stage"])
    record_event(
        "reply.created",
        actor=user,
        object_type="reply",
        object_id=reply.pk,
        new={"argument": reply.argument, "score": str(current_score)},
        participation=participation,
        question_number=question.number,
    )
    return reply


@transaction.atomic
def respond_to_reply(user: Any, reply: Reply, response: str, new_score: int | None = None) -> Reply:
    """The panel answers a reply; an assigned assessor may change their own score of the question."""
    participation = reply.participation
    require(user, Action.RESPOND, participation)
    if not response.strip():
        raise InvalidScore(_("Jawaban wajib diisi."))
    if new_score is not None:
        assignment = participation.assignments.filter(assessor__user=user).first()
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
            actor=user,
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
    reply.responded_by, reply.responded_at = user, timezone.now()
    reply.save(update_fields=["status", "response", "responded_by", "responded_at"])
    record_event(
        "reply.answered",
        actor=user,
        object_type="reply",
        object_id=reply.pk,
        new={"response": reply.response},
        participation=participation,
        question_number=reply.question.number,
    )
    return reply
