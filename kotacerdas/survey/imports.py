"""``import-survey``: raw citizen survey responses, one row per answer (CONTRACT.md).

The file is read and validated whole (every problem with its line); the new responses are then stored by
``survey.services.store_imported_responses``, which consults the policy, audits and announces the changed
inputs (the results app recomputes the regions in the same transaction).
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import connections, router, transaction

from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.core.collector import collector_paused
from kotacerdas.core.tables import ImportRejected, Problem, Row, file_digest, parse_int, read_table
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.instrument.import_context import ImportContext
from kotacerdas.instrument.models import Question
from kotacerdas.survey.digest import response_digest
from kotacerdas.survey.models import Channel, SmartDimension, SurveyResponse
from kotacerdas.survey.services import ImportedResponse, store_imported_responses

COLUMNS = {"response_id", "region", "dimension", "respondent", "submitted_at", "question", "score"}
# What a response's rows repeat.
_RESPONSE_COLUMNS = ("response_id", "region", "dimension", "respondent", "submitted_at")
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
    path: Path, cycle: Cycle, *, channel: str = Channel.IMPORT, actor: User | SystemActor
) -> SurveyImportSummary:
    """Store the file's responses. A response already stored with the same content is skipped; the same
    ``response_id`` with other content (in the file or in the database) is a conflict: the file is refused.
    """
    with collector_paused():  # a third of the parsing time otherwise (core/collector.py)
        return _import_survey(path, cycle, channel=channel, actor=actor)


def _import_survey(
    path: Path, cycle: Cycle, *, channel: str, actor: User | SystemActor
) -> SurveyImportSummary:
    rows = read_table(path, required=COLUMNS)
    context = ImportContext(cycle)
    if not context.questions:
        raise ImportRejected(path, [Problem(0, "", "", f"the {cycle.year} cycle has no instrument loaded")])
    problems: list[Problem] = []
    responses: dict[str, _Response] = {}
    participations: dict[str, Participation | None] = {}
    moments: dict[str, datetime] = {}
    # A response's rows follow one another in an export, repeating its id, region, dimension, respondent
    # and time: a row that repeats those of the row before it, which was accepted, belongs to the same
    # response, checked already; only its answer is checked.
    same = [rows[0].columns[name] for name in _RESPONSE_COLUMNS] if rows else []
    last_key: list[str] | None = None
    last: _Response | None = None
    for row in rows:
        key = [row.cells[i] for i in same]
        if key == last_key and last is not None:
            found = _answer(row, context, problems)
            if found is not None and found[0] is not None:
                checked = _fits(row, found[0], found[1], last.dimension, problems)
                if checked is not None:
                    _keep(row, last, found[0], checked, problems)
            continue
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
        submitted_at = moments.get(submitted_text)  # a response's rows repeat its time
        if submitted_at is None:
            try:
                submitted_at = moments[submitted_text] = datetime.fromisoformat(submitted_text)
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
        found = _answer(row, context, problems)
        if found is None:
            continue
        question, score = found
        if participation is None or question is None:
            continue
        checked = _fits(row, question, score, dimension, problems)
        if checked is None:
            continue
        response = responses.get(response_id)
        respondent = row.get("respondent")
        if response is None:
            response = responses[response_id] = _Response(
                row.line, response_id, participation, dimension, respondent, submitted_at
            )
        elif (
            response.participation is not participation and response.participation.pk != participation.pk
        ) or (response.dimension, response.respondent, response.submitted_at) != (
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
        last_key, last = key, response
        _keep(row, response, question, checked, problems)

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
        store_imported_responses(
            [
                ImportedResponse(
                    participation=r.participation,
                    dimension=r.dimension,
                    response_id=r.response_id,
                    respondent=r.respondent,
                    submitted_at=r.submitted_at,
                    content_digest=r.digest(),
                    answers=[(r.question_ids[number], score) for number, score in r.answers.items()],
                )
                for r in new
            ],
            channel=channel,
            actor=actor,
        )
        summary = SurveyImportSummary(
            responses=len(responses),
            answers=sum(len(r.answers) for r in responses.values()),
            created=len(new),
            unchanged=len(responses) - len(new),
        )
        if new:
            record_event(
                "import.survey",
                actor=actor,
                object_type="cycle",
                object_id=cycle.year,
                new={"file": path.name, "sha256": file_digest(path), "channel": channel, **summary.__dict__},
            )
    return summary


def _answer(
    row: Row, context: ImportContext, problems: list[Problem]
) -> tuple[Question | None, int | None] | None:
    """The row's question (None when it names none: recorded) and score (None when empty); None when the
    score is not a whole number (recorded)."""
    question = context.question(row, problems)
    score_text = row.get("score")
    try:
        return question, parse_int(score_text)
    except ValueError as exc:
        problems.append(Problem(row.line, "score", score_text, str(exc)))
        return None


def _fits(
    row: Row, question: Question, score: int | None, dimension: str, problems: list[Problem]
) -> int | None:
    """The score, when the question belongs to the response's dimension and the score to its scale; None
    otherwise (the problem recorded)."""
    if question.smart_dimension != dimension:
        problems.append(
            Problem(row.line, "question", row.get("question"), f"is not a {dimension} survey question")
        )
        return None
    if score is None or not question.scale_min <= score <= question.scale_max:
        problems.append(
            Problem(
                row.line,
                "score",
                row.get("score"),
                f"expected a whole number {question.scale_min}–{question.scale_max}",
            )
        )
        return None
    return score


def _keep(row: Row, response: _Response, question: Question, score: int, problems: list[Problem]) -> None:
    """The answer, unless the response has another score for the question already (recorded)."""
    previous = response.answers.get(question.number)
    if previous is not None and previous != score:
        problems.append(
            Problem(
                row.line,
                "score",
                row.get("score"),
                f"conflicts with an earlier row of response {response.response_id} for question "
                f"{question.number} (score {previous})",
            )
        )
        return
    response.answers[question.number] = score
    response.question_ids[question.number] = question.id


def _stored_digests(response_ids: list[str]) -> dict[str, str]:
    """The content digests of the responses already stored under ``response_ids``: one query with an
    array parameter on PostgreSQL, chunks of ids elsewhere (SQLite's limit on parameters)."""
    connection = connections[router.db_for_read(SurveyResponse)]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(SurveyResponse._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT response_id, content_digest FROM {table} WHERE response_id = ANY(%s)", [response_ids]
            )
            return dict(cursor.fetchall())
    stored: dict[str, str] = {}
    for start in range(0, len(response_ids), 5000):
        chunk = response_ids[start : start + 5000]
        stored.update(
            SurveyResponse.objects.filter(response_id__in=chunk).values_list("response_id", "content_digest")
        )
    return stored
