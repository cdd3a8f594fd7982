"""Bulk writes for imports: ``review/imports.py`` parses and validates files, these store them (the
policy, the conflict-of-interest rule, the audit, ``inputs_changed``)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Participation
from kotacerdas.cycles.policy import Action, require
from kotacerdas.cycles.signals import inputs_changed
from kotacerdas.instrument.models import Question
from kotacerdas.review.models import (
    AgreedScore,
    Assessor,
    AssessorScore,
    Assignment,
    FindingKind,
)
from kotacerdas.review.services.panels import (
    _add_to_panel,
)
from kotacerdas.review.services.scoring import (
    _store_findings,
)


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
