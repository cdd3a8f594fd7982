"""``import-question-scores`` (agreed question scores) and ``import-scores`` (raw assessor scores)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from kotacerdas.audit.services import record_event
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.instrument.models import DimensionKind, Question
from kotacerdas.results.imports._common import ImportContext, file_digest
from kotacerdas.results.imports._table import ImportRejected, Problem, parse_decimal, parse_int, read_table
from kotacerdas.results.services import recompute_results
from kotacerdas.review.models import AgreedScore, Assessor, AssessorScore, Assignment


@dataclass(frozen=True)
class ScoresImportSummary:
    rows: int
    created: int
    changed: int
    unchanged: int
    reviews_submitted: int = 0


def _require_instrument(path: Path, context: ImportContext) -> None:
    if not context.questions:
        raise ImportRejected(
            path, [Problem(0, "", "", f"the {context.cycle.year} cycle has no instrument loaded")]
        )


def import_question_scores(path: Path, cycle: Cycle, *, actor: object = None) -> ScoresImportSummary:
    """Agreed question scores (``region,question,score``); an agreed score stands over raw inputs."""
    rows = read_table(path, required={"question", "score"}, optional={"region", "region_code", "reason"})
    context = ImportContext(cycle)
    _require_instrument(path, context)
    problems: list[Problem] = []
    planned: dict[tuple[int, int], tuple[int, Participation, Question, Decimal, str]] = {}
    for row in rows:
        participation = context.participation(row, problems)
        question = context.question(row, problems)
        text = row.get("score")
        try:
            score = parse_decimal(text)
        except ValueError as exc:
            problems.append(Problem(row.line, "score", text, str(exc)))
            continue
        if score is None:
            problems.append(Problem(row.line, "score", text, "an agreed score cannot be empty"))
            continue
        if participation is None or question is None:
            continue
        if not question.scale_min <= score <= question.scale_max:
            problems.append(
                Problem(
                    row.line,
                    "score",
                    text,
                    f"outside question {question.number}'s scale {question.scale_min}–{question.scale_max}",
                )
            )
            continue
        if score != score.quantize(Decimal("0.01")):
            problems.append(Problem(row.line, "score", text, "more than two decimals"))
            continue
        key = (participation.pk, question.pk)
        if key in planned and planned[key][3] != score:
            problems.append(
                Problem(
                    row.line,
                    "score",
                    text,
                    f"conflicts with line {planned[key][0]} "
                    f"({planned[key][3]}) for the same region and question",
                )
            )
            continue
        planned[key] = (row.line, participation, question, score, row.get("reason"))
    if problems:
        raise ImportRejected(path, problems)

    with transaction.atomic():
        existing = {
            (a.participation_id, a.question_id): a
            for a in AgreedScore.objects.filter(participation__cycle=cycle)
        }
        created = changed = 0
        for key, (_, participation, question, score, reason) in planned.items():
            current = existing.get(key)
            reason = reason or f"diimpor dari {path.name}"
            if current is None:
                AgreedScore.objects.create(
                    participation=participation, question=question, score=score, reason=reason
                )
                created += 1
            elif current.score != score:
                record_event(
                    "score.agreed.changed",
                    actor=actor,
                    actor_label="cli" if actor is None else "",
                    object_type="agreed_score",
                    object_id=current.pk,
                    old=str(current.score),
                    new=str(score),
                    reason=reason,
                )
                current.score, current.reason = score, reason
                current.save(update_fields=["score", "reason"])
                changed += 1
        summary = ScoresImportSummary(len(planned), created, changed, len(planned) - created - changed)
        if created or changed:
            recompute_results(cycle, regions={p.region_id for _, p, _, _, _ in planned.values()})
            record_event(
                "import.question_scores",
                actor=actor,
                actor_label="cli" if actor is None else "",
                object_type="cycle",
                object_id=cycle.year,
                new={"file": path.name, "sha256": file_digest(path), **summary.__dict__},
            )
    return summary


@dataclass(frozen=True)
class _PlannedScore:
    line: int
    participation: Participation
    assessor: tuple[str, str]
    question: Question
    score: int | None
    note: str


def import_assessor_scores(path: Path, cycle: Cycle, *, actor: object = None) -> ScoresImportSummary:
    """Raw assessor scores (``region,assessor,institution,question,score,note``); empty score = none given."""
    rows = read_table(
        path,
        required={"assessor", "question", "score"},
        optional={"region", "region_code", "institution", "note"},
    )
    context = ImportContext(cycle)
    _require_instrument(path, context)
    problems: list[Problem] = []
    planned: dict[tuple[int, tuple[str, str], int], _PlannedScore] = {}
    for row in rows:
        participation = context.participation(row, problems)
        question = context.question(row, problems)
        name = " ".join(row.get("assessor").split())
        if not name:
            problems.append(Problem(row.line, "assessor", "", "the assessor's name is empty"))
        text = row.get("score")
        try:
            score = parse_int(text)
        except ValueError as exc:
            problems.append(Problem(row.line, "score", text, str(exc)))
            continue
        if participation is None or question is None or not name:
            continue
        if question.dimension.kind == DimensionKind.SURVEY:
            problems.append(
                Problem(
                    row.line,
                    "question",
                    row.get("question"),
                    "is answered by the citizen survey, not scored by assessors",
                )
            )
            continue
        if score is not None and not question.scale_min <= score <= question.scale_max:
            problems.append(
                Problem(
                    row.line,
                    "score",
                    text,
                    f"outside question {question.number}'s scale {question.scale_min}–{question.scale_max}",
                )
            )
            continue
        who = (name, " ".join(row.get("institution").split()))
        key = (participation.pk, who, question.pk)
        plan = _PlannedScore(row.line, participation, who, question, score, row.get("note"))
        previous = planned.get(key)
        if previous is not None and (previous.score, previous.note) != (score, plan.note):
            problems.append(
                Problem(
                    row.line,
                    "score",
                    text,
                    f"conflicts with line {previous.line} for the same region, assessor and question",
                )
            )
            continue
        planned[key] = plan
    if problems:
        raise ImportRejected(path, problems)

    with transaction.atomic():
        summary = _store_assessor_scores(planned.values(), actor)
        if summary.created or summary.changed or summary.reviews_submitted:
            recompute_results(cycle, regions={p.participation.region_id for p in planned.values()})
            record_event(
                "import.assessor_scores",
                actor=actor,
                actor_label="cli" if actor is None else "",
                object_type="cycle",
                object_id=cycle.year,
                new={"file": path.name, "sha256": file_digest(path), **summary.__dict__},
            )
    return summary


def _store_assessor_scores(planned: Iterable[_PlannedScore], actor: object) -> ScoresImportSummary:
    plans = list(planned)
    assessors: dict[tuple[str, str], Assessor] = {}
    for who in {p.assessor for p in plans}:
        assessors[who], _ = Assessor.objects.get_or_create(name=who[0], institution=who[1])
    assignments: dict[tuple[int, int], Assignment] = {
        (a.participation_id, a.assessor_id): a
        for a in Assignment.objects.filter(participation_id__in={p.participation.pk for p in plans})
    }
    existing = {
        (s.assignment_id, s.question_id): s
        for s in AssessorScore.objects.filter(assignment__in=list(assignments.values()))
    }
    created = changed = submitted = 0
    new_scores = []
    for plan in plans:
        assessor = assessors[plan.assessor]
        key = (plan.participation.pk, assessor.pk)
        if key not in assignments:
            position = 1 + sum(1 for pid, _ in assignments if pid == plan.participation.pk)
            # Imported scores are a finished review: they count at once.
            assignments[key] = Assignment.objects.create(
                participation=plan.participation,
                assessor=assessor,
                position=position,
                submitted_at=timezone.now(),
            )
        assignment = assignments[key]
        if assignment.submitted_at is None:
            assignment.submitted_at = timezone.now()
            assignment.save(update_fields=["submitted_at"])
            submitted += 1
        current = existing.get((assignment.pk, plan.question.pk))
        if current is None:
            new_scores.append(
                AssessorScore(assignment=assignment, question=plan.question, score=plan.score, note=plan.note)
            )
            created += 1
        elif (current.score, current.note) != (plan.score, plan.note):
            record_event(
                "score.assessor.changed",
                actor=actor,
                actor_label="cli" if actor is None else "",
                object_type="assessor_score",
                object_id=current.pk,
                old={"score": current.score, "note": current.note},
                new={"score": plan.score, "note": plan.note},
            )
            current.score, current.note = plan.score, plan.note
            current.save(update_fields=["score", "note"])
            changed += 1
    AssessorScore.objects.bulk_create(new_scores, batch_size=2000)
    return ScoresImportSummary(len(plans), created, changed, len(plans) - created - changed, submitted)
