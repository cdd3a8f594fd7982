"""An assessor's own review and the panel's decisions: scores, findings, submission, agreed scores,
replies."""

from collections.abc import Sequence
from decimal import Decimal

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
    AssessorScore,
    Assignment,
    Finding,
    FindingKind,
    Reply,
    ReplyStatus,
)
from kotacerdas.selfassessment.models import Evidence


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
    """The panel's agreed score for a question (after a consensus discussion); it stands over the mean.
    Only for questions the assessors score: a survey question's score is the citizens' answers (importing
    published question scores is another, explicit path: ``store_agreed_scores``)."""
    require(actor, Action.AGREE, participation)
    if (
        question.instrument.cycle_id != participation.cycle_id
        or question.dimension.kind != DimensionKind.ASSESSED
    ):
        raise InvalidScore(_("Pertanyaan ini tidak dinilai asesor."))
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
