"""``import-question-scores`` (agreed question scores) and ``import-scores`` (raw assessor scores).

Each reads and validates the whole file first (every problem with its line), then stores through the
review services' bulk functions, which consult the policy, apply the conflict-of-interest rule, audit and
announce the changed inputs (``inputs_changed``: the results app recomputes in the same transaction).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.core.tables import ImportRejected, Problem, file_digest, parse_decimal, parse_int, read_table
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.instrument.import_context import ImportContext
from kotacerdas.instrument.models import DimensionKind, Question
from kotacerdas.review.services import (
    AgreedScoreRow,
    ImportedScoreRow,
    conflict_of_interest,
    imported_assessor,
    store_agreed_scores,
    store_imported_scores,
)


@dataclass(frozen=True)
class ScoresImportSummary:
    rows: int
    created: int
    changed: int
    unchanged: int
    reviews_submitted: int = 0


def _require_instrument(path: Path, context: ImportContext) -> None:
    """Refuse a file for a cycle without an instrument (nothing to resolve question numbers against)."""
    if not context.questions:
        raise ImportRejected(
            path, [Problem(0, "", "", f"the {context.cycle.year} cycle has no instrument loaded")]
        )


def import_question_scores(path: Path, cycle: Cycle, *, actor: User | SystemActor) -> ScoresImportSummary:
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
        stored = store_agreed_scores(
            [
                AgreedScoreRow(participation, question, score, reason or f"diimpor dari {path.name}")
                for _, participation, question, score, reason in planned.values()
            ],
            actor=actor,
        )
        summary = ScoresImportSummary(len(planned), stored.created, stored.changed, stored.unchanged)
        if stored.created or stored.changed:
            _record_import("import.question_scores", path, cycle, summary, actor)
    return summary


def _record_import(
    action: str, path: Path, cycle: Cycle, summary: "ScoresImportSummary", actor: User | SystemActor
) -> None:
    record_event(
        action,
        actor=actor,
        object_type="cycle",
        object_id=cycle.year,
        new={"file": path.name, "sha256": file_digest(path), **summary.__dict__},
    )


@dataclass(frozen=True)
class _PlannedScore:
    line: int
    participation: Participation
    assessor: tuple[str, str]
    question: Question
    score: int | None
    note: str


def import_assessor_scores(
    path: Path, cycle: Cycle, *, actor: User | SystemActor, conflict_override: str = ""
) -> ScoresImportSummary:
    """Raw assessor scores (``region,assessor,institution,question,score,note``); empty score = none given.

    Each assessor joins the region's panel as in the pages: an assessor with a conflict of interest with
    the region (declared, or an institution of the region's government) rejects the file, unless
    ``conflict_override`` says why a historic panel is imported as it was (recorded in the audit)."""
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
    if not conflict_override.strip():
        problems.extend(_conflicts(planned.values()))
    if problems:
        raise ImportRejected(path, problems)

    with transaction.atomic():
        stored = store_imported_scores(
            [
                ImportedScoreRow(p.participation, p.assessor, p.question, p.score, p.note)
                for p in planned.values()
            ],
            actor=actor,
            conflict_override=conflict_override,
        )
        summary = ScoresImportSummary(
            len(planned), stored.created, stored.changed, stored.unchanged, stored.reviews_submitted
        )
        if stored.created or stored.changed or stored.reviews_submitted:
            _record_import("import.assessor_scores", path, cycle, summary, actor)
    return summary


def _conflicts(plans: "Iterable[_PlannedScore]") -> list[Problem]:
    """One problem per assessor and region with a conflict of interest (on the first line naming them)."""
    problems = []
    seen: set[tuple[int, tuple[str, str]]] = set()
    for plan in plans:
        key = (plan.participation.pk, plan.assessor)
        if key in seen:
            continue
        seen.add(key)
        reason = conflict_of_interest(imported_assessor(*plan.assessor), plan.participation)
        if reason:
            problems.append(
                Problem(plan.line, "institution", plan.assessor[1], f"conflict of interest: {reason}")
            )
    return problems
