"""``import-survey``: raw citizen survey responses, one row per answer (CONTRACT.md)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import connection, transaction

from kotacerdas.audit.services import record_event
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.results.imports._common import ImportContext, file_digest
from kotacerdas.results.imports._table import ImportRejected, Problem, parse_int, read_table
from kotacerdas.results.services import recompute_results
from kotacerdas.survey.digest import response_digest
from kotacerdas.survey.models import Channel, SmartDimension, SurveyAnswer, SurveyResponse

COLUMNS = {"response_id", "region", "dimension", "respondent", "submitted_at", "question", "score"}
SMART_DIMENSIONS = frozenset(SmartDimension.values)


@dataclass
class _Response:
    line: int
    response_id: str
    participation: Participation
    dimension: str
    respondent: str
    submitted_at: datetime
    answers: dict[int, int] = field(default_factory=dict)  # question number -> score
    question_ids: dict[int, int] = field(default_factory=dict)

    def digest(self) -> str:
        return response_digest(
            self.participation.region.code, self.dimension, self.respondent, self.submitted_at, self.answers
        )


@dataclass(frozen=True)
class SurveyImportSummary:
    responses: int
    answers: int
    created: int
    unchanged: int


def import_survey(
    path: Path, cycle: Cycle, *, channel: str = Channel.IMPORT, actor: object = None
) -> SurveyImportSummary:
    """Store the file's responses. A response already stored with the same content is skipped; the same
    ``response_id`` with other content (in the file or in the database) is a conflict: the file is refused.
    """
    rows = read_table(path, required=COLUMNS)
    context = ImportContext(cycle)
    if not context.questions:
        raise ImportRejected(path, [Problem(0, "", "", f"the {cycle.year} cycle has no instrument loaded")])
    problems: list[Problem] = []
    responses: dict[str, _Response] = {}
    participations: dict[str, Participation | None] = {}
    for row in rows:
        response_id = row.get("response_id")
        if not response_id:
            problems.append(Problem(row.line, "response_id", "", "the response id is empty"))
            continue
        region_text = row.get("region")
        if region_text not in participations:
            participations[region_text] = context.participation(row, problems)
        participation = participations[region_text]
        dimension = row.get("dimension")
        if dimension not in SMART_DIMENSIONS:
            problems.append(
                Problem(
                    row.line, "dimension", dimension, f"expected one of {', '.join(SmartDimension.values)}"
                )
            )
            continue
        submitted_text = row.get("submitted_at")
        try:
            submitted_at = datetime.fromisoformat(submitted_text)
        except ValueError:
            problems.append(
                Problem(row.line, "submitted_at", submitted_text, "not an ISO 8601 date and time")
            )
            continue
        if submitted_at.tzinfo is None:
            problems.append(
                Problem(row.line, "submitted_at", submitted_text, "needs a UTC offset, e.g. +07:00")
            )
            continue
        question = context.question(row, problems)
        score_text = row.get("score")
        try:
            score = parse_int(score_text)
        except ValueError as exc:
            problems.append(Problem(row.line, "score", score_text, str(exc)))
            continue
        if participation is None or question is None:
            continue
        if question.smart_dimension != dimension:
            problems.append(
                Problem(row.line, "question", row.get("question"), f"is not a {dimension} survey question")
            )
            continue
        if score is None or not question.scale_min <= score <= question.scale_max:
            problems.append(
                Problem(
                    row.line,
                    "score",
                    score_text,
                    f"expected a whole number {question.scale_min}–{question.scale_max}",
                )
            )
            continue
        response = responses.get(response_id)
        respondent = row.get("respondent")
        if response is None:
            response = responses[response_id] = _Response(
                row.line, response_id, participation, dimension, respondent, submitted_at
            )
        elif (response.participation.pk, response.dimension, response.respondent, response.submitted_at) != (
            participation.pk,
            dimension,
            respondent,
            submitted_at,
        ):
            problems.append(
                Problem(
                    row.line,
                    "response_id",
                    response_id,
                    f"conflicts with line {response.line}: same id, other region, dimension, "
                    "respondent or time",
                )
            )
            continue
        previous = response.answers.get(question.number)
        if previous is not None and previous != score:
            problems.append(
                Problem(
                    row.line,
                    "score",
                    score_text,
                    f"conflicts with an earlier row of response {response_id} for question "
                    f"{question.number} (score {previous})",
                )
            )
            continue
        response.answers[question.number] = score
        response.question_ids[question.number] = question.pk

    stored = _stored_digests(list(responses))
    new = []
    for response in responses.values():
        digest = stored.get(response.response_id)
        if digest is None:
            new.append(response)
        elif digest != response.digest():
            problems.append(
                Problem(
                    response.line,
                    "response_id",
                    response.response_id,
                    "already stored with different content (a conflicting replay)",
                )
            )
    if problems:
        raise ImportRejected(path, problems)

    with transaction.atomic():
        created = SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(
                    participation=r.participation,
                    smart_dimension=r.dimension,
                    response_id=r.response_id,
                    respondent=r.respondent,
                    submitted_at=r.submitted_at,
                    channel=channel,
                    content_digest=r.digest(),
                )
                for r in new
            ],
            batch_size=2000,
        )
        # Both supported databases return the new primary keys from a bulk insert.
        ids = {c.response_id: c.pk for c in created}
        _insert_answers(
            (ids[r.response_id], r.question_ids[number], score)
            for r in new
            for number, score in r.answers.items()
        )
        summary = SurveyImportSummary(
            responses=len(responses),
            answers=sum(len(r.answers) for r in responses.values()),
            created=len(new),
            unchanged=len(responses) - len(new),
        )
        if new:
            recompute_results(cycle, regions={r.participation.region_id for r in new})
            record_event(
                "import.survey",
                actor=actor,
                actor_label="cli" if actor is None else "",
                object_type="cycle",
                object_id=cycle.year,
                new={"file": path.name, "sha256": file_digest(path), "channel": channel, **summary.__dict__},
            )
    return summary


def _stored_digests(response_ids: list[str]) -> dict[str, str]:
    stored: dict[str, str] = {}
    for start in range(0, len(response_ids), 5000):
        chunk = response_ids[start : start + 5000]
        stored.update(
            SurveyResponse.objects.filter(response_id__in=chunk).values_list("response_id", "content_digest")
        )
    return stored


def _insert_answers(rows: Iterable[tuple[int, int, int]]) -> None:
    """Insert (response id, question id, score) rows with one prepared statement.

    Answers are the bulk of a survey file (nine per response); building a model instance per answer for
    ``bulk_create`` cost most of an import's time, so they go through COPY (PostgreSQL) or ``executemany``
    instead. The rows are plain integers validated above, and the database's constraints still apply.
    """
    meta = SurveyAnswer._meta
    concrete = {f.name: f for f in meta.concrete_fields}
    columns = [str(concrete[name].column) for name in ("response", "question", "score")]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(str(meta.db_table))} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: one stream instead of a statement per row.
            copy_sql = f"COPY {quote(str(meta.db_table))} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        batch = list(rows)
        for start in range(0, len(batch), 10_000):
            cursor.executemany(sql, batch[start : start + 10_000])
