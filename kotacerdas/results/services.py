"""Materialised results: gather each region's inputs, run the scoring engine, store and publish.

The engine (``kotacerdas.scoring``) is pure; this module is the only place that feeds it from the database.
Raw inputs are aggregated in SQL (SUM and COUNT per region and question), so a national recompute reads a
few thousand aggregate rows rather than 1.4 million survey answers.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from kotacerdas.accounts.actors import person
from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.core.bulk import update_rows
from kotacerdas.core.cache import ProcessCache
from kotacerdas.core.collector import collector_paused
from kotacerdas.cycles.models import Cycle, Participation, Stage, Track
from kotacerdas.cycles.policy import Action, require
from kotacerdas.cycles.services import record_evaluated
from kotacerdas.cycles.stages import move_stages
from kotacerdas.instrument.models import Dimension, Instrument, Question
from kotacerdas.instrument.services import track_weights
from kotacerdas.regions.models import Region
from kotacerdas.results.detail import public_inputs_of
from kotacerdas.results.models import (
    HistoricalFinal,
    Provenance,
    PublishedScore,
    RegionResult,
    ResultSet,
    ResultSetStatus,
    RobustnessRun,
)
from kotacerdas.review.models import AgreedScore, AssessorScore, Assignment
from kotacerdas.scoring import (
    ComparableDimension,
    QuestionResult,
    RegionScorer,
    RobustnessResult,
    comparable_improvement,
)
from kotacerdas.scoring import (
    RegionResult as EngineResult,
)
from kotacerdas.survey.models import SurveyAnswer, SurveyResponse


@dataclass
class RecomputeReport:
    computed: int = 0
    skipped_without_track: list[str] = field(default_factory=list)


def ensure_live_result_set(cycle: Cycle) -> ResultSet:
    """The cycle's live result set, created when missing. Called when a cycle is created (the results
    app's ``post_save`` handler) and by the writers; readers use :func:`live_result_set`."""
    result_set, _ = ResultSet.objects.get_or_create(
        cycle=cycle, status=ResultSetStatus.LIVE, defaults={"revision": 0}
    )
    return result_set


def live_result_set(cycle: Cycle) -> ResultSet:
    """The cycle's live result set (revision 0). A read: every cycle has one from its creation on."""
    return ResultSet.objects.get(cycle=cycle, status=ResultSetStatus.LIVE)


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The cycle ``cycle`` was made from (``new-cycle``), else the one of the year before, if any."""
    if cycle.previous_id is not None:
        return cycle.previous
    return Cycle.objects.filter(year=cycle.year - 1, practice=False).first()


def previous_finals(cycle: Cycle, region_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """Region id → final of the previous cycle: its latest published result, else a historical record
    (of every region, or only of ``region_ids``)."""
    before = previous_cycle(cycle)
    historical = HistoricalFinal.objects.filter(year=before.year if before else cycle.year - 1)
    if region_ids is not None:
        region_ids = list(region_ids)
        historical = historical.filter(region_id__in=region_ids)
    finals: dict[int, Decimal] = dict(historical.values_list("region_id", "final"))
    previous = latest_published(before)
    if previous is not None:
        rows = RegionResult.objects.filter(result_set=previous)
        if region_ids is not None:
            rows = rows.filter(participation__region_id__in=region_ids)
        finals.update(rows.values_list("participation__region_id", "final"))
    return finals


def latest_published(cycle: Cycle | None) -> ResultSet | None:
    if cycle is None:
        return None
    return cycle.result_sets.filter(status=ResultSetStatus.PUBLISHED).order_by("-revision").first()


# --- recomputation ------------------------------------------------------------------------------------
#
# A recompute runs for every region after an import and for one region after each review or survey
# change, so both paths are written for their cost: raw SQL (no ORM compilation), the instrument's shape
# read once per instrument version, the engine's integer path (``RegionScorer``), each row's JSON built as
# text from shared pieces, compared with the stored text, and only changed rows written, in one statement.


@dataclass(frozen=True)
class _Layout:
    """What a recompute needs of an instrument: the engine's scorer (tracks' weights, dimensions'
    questions), question ids → numbers, dimension ids → codes, each question's counterpart (rule 8) and the
    codes of the dimensions that have questions."""

    scorer: RegionScorer
    number_of: dict[int, int]
    code_of: dict[int, str]
    counterpart: dict[int, int]
    with_questions: frozenset[str]


# Keyed by the instrument's id and load time, and only once its cycle is open: from then on the instrument
# is frozen (instrument/services.py ``frozen_reason``) and only ever replaced whole (a new row or load time).
LAYOUTS: ProcessCache[_Layout] = ProcessCache("results.layout", maxsize=64)


class _Prior(NamedTuple):
    """The previous cycle's year (None: no previous cycle) and its latest published result set, if any."""

    year: int | None
    published_id: int | None
    revision: int | None


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _in(ids: Sequence[int]) -> str:
    """``IN (%s, …)`` for ``ids`` (``IN (NULL)``, which matches nothing, for none)."""
    return f"IN ({', '.join(['%s'] * len(ids))})" if ids else "IN (NULL)"


def _and_in(column: str, ids: Sequence[int] | None) -> str:
    """`` AND column IN (…)``, or nothing when ``ids`` is None (no restriction)."""
    return "" if ids is None else f" AND {column} {_in(ids)}"


def _decimal(text: str | None) -> Decimal | None:
    """A decimal column read as text (``CAST(… AS TEXT)``: exact on every backend)."""
    return None if text is None else Decimal(text)


def _layout(cycle: Cycle) -> _Layout | None:
    """The layout of the cycle's instrument (None when it has none), from the process cache when the
    cycle is open."""
    found = _rows(
        f"SELECT i.id, i.loaded_at, c.opened_at FROM {_table(Instrument)} i "
        f"JOIN {_table(Cycle)} c ON c.id = i.cycle_id WHERE i.cycle_id = %s",
        [cycle.pk],
    )
    if not found:
        return None
    instrument_id, loaded_at, opened_at = found[0]
    if opened_at is None:  # in preparation: the instrument may still change
        return _read_layout(instrument_id)
    return LAYOUTS.get_or_set((instrument_id, loaded_at), lambda: _read_layout(instrument_id))


def _read_layout(instrument_id: int) -> _Layout:
    weights = track_weights(Instrument(pk=instrument_id))
    questions: dict[str, list[int]] = defaultdict(list)
    number_of = {}
    for qid, number, code in Question.objects.filter(instrument_id=instrument_id).values_list(
        "pk", "number", "dimension__code"
    ):
        questions[code].append(number)
        number_of[qid] = number
    counterpart = dict(
        Question.objects.filter(instrument_id=instrument_id, previous__isnull=False).values_list(
            "number", "previous__number"
        )
    )
    code_of = dict(Dimension.objects.filter(instrument_id=instrument_id).values_list("pk", "code"))
    return _Layout(RegionScorer(weights, questions), number_of, code_of, counterpart, frozenset(questions))


def _lock_live(cycle: Cycle) -> int:
    """Lock the cycle's live result set (concurrent recomputes of a cycle queue here) and stamp its
    computation time; returns its id."""
    sql = f"UPDATE {_table(ResultSet)} SET computed_at = %s WHERE cycle_id = %s AND status = %s RETURNING id"
    params = [connection.ops.adapt_datetimefield_value(timezone.now()), cycle.pk, ResultSetStatus.LIVE.value]
    found = _rows(sql, params)
    if not found:
        ensure_live_result_set(cycle)
        found = _rows(sql, params)
    return int(found[0][0])


def _prior(cycle: Cycle) -> _Prior:
    """The previous cycle's year, its latest published result set and revision, in one query."""
    if cycle.previous_id is not None:
        where, params = "c.id = %s", [cycle.previous_id]
    else:
        where, params = "c.year = %s AND c.practice = %s", [cycle.year - 1, False]
    found = _rows(
        f"SELECT c.year, rs.id, rs.revision FROM {_table(Cycle)} c LEFT JOIN {_table(ResultSet)} rs "
        f"ON rs.cycle_id = c.id AND rs.status = %s WHERE {where} "
        "ORDER BY c.year DESC, c.id, rs.revision DESC",
        [ResultSetStatus.PUBLISHED.value, *params],
    )
    return _Prior(*found[0]) if found else _Prior(None, None, None)


@dataclass
class _Inputs:
    """Per participation id: question number → (sum, count) of its valid raw inputs, agreed scores,
    published dimension scores."""

    raw: dict[int, dict[int, tuple[int, int]]] = field(default_factory=lambda: defaultdict(dict))
    agreed: dict[int, dict[int, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    published: dict[int, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(dict))


def _read_inputs(layout: _Layout, cycle: Cycle, ids: list[int] | None) -> _Inputs:
    """The inputs of the participations ``ids`` (None: every participation of the cycle with a track), in
    one statement: raw inputs as SUM and COUNT per participation and question (only submitted reviews and
    included responses count; a draft review is the assessor's own until submitted), agreed question
    scores and published dimension scores (as text: exact)."""
    if ids is None:
        scope = f"IN (SELECT id FROM {_table(Participation)} WHERE cycle_id = %s AND track <> '')"
        scope_params: list[object] = [cycle.pk]
    else:
        scope, scope_params = _in(ids), list(ids)
    rows = _rows(
        f"SELECT 0, a.participation_id, s.question_id, SUM(s.score), COUNT(s.score), NULL "
        f"FROM {_table(AssessorScore)} s JOIN {_table(Assignment)} a ON a.id = s.assignment_id "
        f"WHERE a.submitted_at IS NOT NULL AND s.score IS NOT NULL AND a.participation_id {scope} "
        "GROUP BY a.participation_id, s.question_id "
        f"UNION ALL SELECT 0, r.participation_id, s.question_id, SUM(s.score), COUNT(s.score), NULL "
        f"FROM {_table(SurveyAnswer)} s JOIN {_table(SurveyResponse)} r ON r.id = s.response_id "
        f"WHERE r.included AND r.participation_id {scope} GROUP BY r.participation_id, s.question_id "
        f"UNION ALL SELECT 1, participation_id, question_id, 0, 0, CAST(score AS TEXT) "
        f"FROM {_table(AgreedScore)} WHERE participation_id {scope} "
        f"UNION ALL SELECT 2, participation_id, dimension_id, 0, 0, CAST(score AS TEXT) "
        f"FROM {_table(PublishedScore)} WHERE participation_id {scope}",
        scope_params * 4,
    )
    inputs = _Inputs()
    number_of = layout.number_of
    for kind, pid, ref, total, n, text in rows:
        if kind == 0:
            number = number_of.get(ref)
            if number is None:
                continue  # not a question of this cycle's instrument
            mine = inputs.raw[pid]
            before = mine.get(number)
            mine[number] = (total, n) if before is None else (before[0] + total, before[1] + n)
        elif kind == 1:
            if ref in number_of:
                inputs.agreed[pid][number_of[ref]] = Decimal(text)
        elif ref in layout.code_of:
            inputs.published[pid][layout.code_of[ref]] = Decimal(text)
    return inputs


def _read_prior(
    cycle: Cycle, prior: _Prior, region_ids: list[int] | None
) -> tuple[dict[int, Decimal], dict[int, dict[str, Any]]]:
    """``previous_finals`` in one statement (region id → the previous cycle's final: its latest published
    result, else a historical record), and region id → that published result's dimensions (rule 8)."""
    params = region_ids or []
    sql = (
        f"SELECT 0, region_id, CAST(final AS TEXT), NULL FROM {_table(HistoricalFinal)} "
        f"WHERE year = %s{_and_in('region_id', region_ids)}"
    )
    all_params: list[object] = [prior.year if prior.year is not None else cycle.year - 1, *params]
    if prior.published_id is not None:
        sql += (
            f" UNION ALL SELECT 1, p.region_id, CAST(rr.final AS TEXT), rr.dimensions "
            f"FROM {_table(RegionResult)} rr JOIN {_table(Participation)} p ON p.id = rr.participation_id "
            f"WHERE rr.result_set_id = %s{_and_in('p.region_id', region_ids)}"
        )
        all_params += [prior.published_id, *params]
    finals: dict[int, Decimal] = {}
    dimensions: dict[int, dict[str, Any]] = {}
    for kind, region_id, final, stored in sorted(_rows(sql, all_params), key=lambda row: row[0]):
        finals[region_id] = Decimal(final)  # a published result replaces a historical record
        if kind == 1:
            dimensions[region_id] = stored if isinstance(stored, dict) else json.loads(stored)
    return finals, dimensions


class _Participant(NamedTuple):
    id: int
    region_id: int
    track: str
    code: str


def _comparisons(
    prior: _Prior,
    layout: _Layout,
    participants: list[_Participant],
    results: list[EngineResult],
    previous_dimensions: dict[int, dict[str, Any]],
) -> dict[int, dict[str, object]]:
    """Participation id → ``improvement_comparable`` and ``comparison`` (rule 8), for the regions whose
    previous cycle's published result (``previous_dimensions``, by region id) has question-level scores;
    the others get none."""
    if prior.published_id is None:
        return {}
    out: dict[int, dict[str, object]] = {}
    for p, result in zip(participants, results, strict=True):
        before = previous_dimensions.get(p.region_id)
        if before is None:
            continue
        previous_scores = {
            q["number"]: Decimal(q["score"])
            for entry in before.values()
            for q in entry.get("questions", [])
            if q.get("source") != "missing"
        }
        if not previous_scores:
            continue  # the previous cycle has no question-level scores for this region
        dimensions = []
        not_comparable: list[int] = []
        for d in result.dimensions:
            if d.code not in layout.with_questions:
                before_score = before.get(d.code, {}).get("score")
                dimensions.append(
                    ComparableDimension(
                        d.code,
                        d.weight,
                        False,
                        current=d.score,
                        previous=None if before_score is None else Decimal(before_score),
                    )
                )
                continue
            pairs, lonely = [], []
            for q in d.questions:
                then = previous_scores.get(layout.counterpart.get(q.number, -1))
                if then is None:
                    lonely.append(q.number)
                else:
                    pairs.append((q.score, then))
            not_comparable += lonely
            dimensions.append(
                ComparableDimension(d.code, d.weight, True, tuple(pairs), not_comparable=tuple(lonely))
            )
        outcome = comparable_improvement(tuple(dimensions))
        out[p.id] = {
            "improvement_comparable": outcome.improvement,
            "comparison": {
                "previous_year": prior.year,
                "previous_revision": prior.revision,
                "current_final": str(outcome.current_final),
                "previous_final": str(outcome.previous_final),
                "means": {
                    code: [None if a is None else str(a), None if b is None else str(b)]
                    for code, a, b in outcome.means
                },
                "not_comparable": sorted(not_comparable),
            },
        }
    return out


def _as_json(result: EngineResult) -> dict[str, dict[str, object]]:
    """A result's ``dimensions`` column (models.RegionResult documents it)."""
    return {
        d.code: {
            "score": None if d.score is None else str(d.score),
            "source": str(d.source),
            "weight": str(d.weight),
            "questions": [_question_json(q) for q in d.questions],
        }
        for d in result.dimensions
    }


def _question_json(q: QuestionResult) -> dict[str, object]:
    return {"number": q.number, "score": str(q.score), "source": str(q.source), "count": q.count}


def _jsonb_text(value: object) -> str:
    """``value`` as PostgreSQL prints a jsonb value back: object keys ordered by length, then bytes; the
    separators of Python's ``json.dumps``."""
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda item: (len(item[0].encode()), item[0].encode()))
        return (
            "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_jsonb_text(v)}" for k, v in items) + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_jsonb_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class _Json:
    """The JSON text of results' columns exactly as the database gives it back (PostgreSQL: jsonb's
    order; elsewhere: as written, in ``json.dumps``'s order), so a stored value compares as a string.

    A row's ``dimensions`` is built from pieces: each question's text is made once per distinct result
    (the engine shares equal question results across regions) and kept under the result's identity,
    with the result itself kept alive beside it so that the identity cannot pass to another object."""

    def __init__(self, jsonb: bool) -> None:
        self.jsonb = jsonb
        self.dumps: Callable[[object], str] = _jsonb_text if jsonb else json.dumps
        self._pieces: dict[int, str] = {}
        self._alive: list[QuestionResult] = []

    def _questions(self, questions: tuple[QuestionResult, ...]) -> str:
        try:
            return ", ".join(map(self._pieces.__getitem__, map(id, questions)))
        except KeyError:
            if len(self._alive) >= 1 << 16:
                self._pieces.clear()
                self._alive.clear()
            for q in questions:
                if id(q) not in self._pieces:
                    self._alive.append(q)
                    self._pieces[id(q)] = self.dumps(_question_json(q))
            return ", ".join(map(self._pieces.__getitem__, map(id, questions)))

    def dimensions(self, result: EngineResult) -> str:
        """``dumps(_as_json(result))``, from the pieces."""
        parts = [
            (
                d.code,
                '{"score": '
                + ("null" if d.score is None else f'"{d.score}"')
                + f', "source": "{d.source}", "weight": "{d.weight}", "questions": ['
                + self._questions(d.questions)
                + "]}",
            )
            for d in result.dimensions
        ]
        if self.jsonb:
            parts.sort(key=lambda part: (len(part[0].encode()), part[0].encode()))
        return "{" + ", ".join(f"{self.dumps(code)}: {text}" for code, text in parts) + "}"


_JSON = {jsonb: _Json(jsonb) for jsonb in (False, True)}

# The columns a recompute writes on an existing row (in this order), and which of them are JSON.
_WRITTEN = (
    "track",
    "final",
    "improvement",
    "previous_final",
    "dimensions",
    "missing_questions",
    "improvement_comparable",
    "comparison",
)
_DECIMALS = frozenset({"final", "improvement", "previous_final", "improvement_comparable"})
_JSONS = frozenset({"dimensions", "missing_questions", "comparison"})


def _same(name: str, stored: Any, new: Any) -> bool:
    """Whether a stored column (as read: decimals and JSON as text) holds the new value (decimals and
    JSON as text too). JSON text that differs is compared parsed (a value written another way)."""
    if name in _DECIMALS:
        return _decimal(stored) == _decimal(new)
    if name in _JSONS:
        if isinstance(stored, str):
            return bool(stored == new or json.loads(stored) == json.loads(new))
        return bool(stored == json.loads(new))
    return bool(stored == new)


def recompute_results(cycle: Cycle, regions: Iterable[int] | None = None) -> RecomputeReport:
    """Recompute the live results of ``cycle`` (all regions, or only the given region ids) and re-rank.

    A region is listed when it has a track and any data; published revisions are never touched.
    """
    with collector_paused(), transaction.atomic():  # bulk work: core/collector.py
        return _recompute(cycle, None if regions is None else list(regions))


def _recompute(cycle: Cycle, regions: list[int] | None) -> RecomputeReport:
    report = RecomputeReport()
    layout = _layout(cycle)
    if layout is None:
        return report
    result_set_id = _lock_live(cycle)
    participants = [
        _Participant(*row)
        for row in _rows(
            f"SELECT p.id, p.region_id, p.track, r.code FROM {_table(Participation)} p "
            f"JOIN {_table(Region)} r ON r.id = p.region_id "
            f"WHERE p.cycle_id = %s{_and_in('p.region_id', regions)} ORDER BY r.code",
            [cycle.pk, *(regions or ())],
        )
    ]
    with_track = [p for p in participants if p.track]
    report.skipped_without_track = [p.code for p in participants if not p.track]
    prior = _prior(cycle)
    previous, previous_dimensions = _read_prior(
        cycle, prior, None if regions is None else [p.region_id for p in participants]
    )
    inputs = _read_inputs(layout, cycle, None if regions is None else [p.id for p in with_track])
    nothing: dict[int, tuple[int, int]] = {}
    results = [
        layout.scorer.score(
            p.code,
            p.track,
            inputs.raw.get(p.id, nothing),
            agreed=inputs.agreed.get(p.id),
            published=inputs.published.get(p.id),
            previous_final=previous.get(p.region_id),
        )
        for p in with_track
    ]
    comparisons = _comparisons(prior, layout, with_track, results, previous_dimensions)
    report.computed = _store(result_set_id, participants, with_track, results, comparisons, regions is None)
    return report


def _store(
    result_set_id: int,
    participants: list[_Participant],
    with_track: list[_Participant],
    results: list[EngineResult],
    comparisons: dict[int, dict[str, object]],
    national: bool,
) -> int:
    """Store the results of ``with_track`` in the live result set: a row is created, written (only where
    a value differs from the stored one) or deleted (no data any more), and the ranks are computed again
    when a final, a track or the set of regions changed. Returns how many regions have a result."""
    scope_ids = [p.id for p in participants]
    text = _JSON[connection.vendor == "postgresql"]
    columns = ", ".join(
        f"CAST({name} AS TEXT)" if name in _DECIMALS else name
        for name in ("id", "participation_id", *_WRITTEN)
    )
    scope = _and_in("participation_id", None if national else scope_ids)
    existing = {
        row[1]: (row[0], row[2:])
        for row in _rows(
            f"SELECT {columns} FROM {_table(RegionResult)} WHERE result_set_id = %s{scope}",
            [result_set_id, *(() if national else scope_ids)],
        )
    }
    none: dict[str, object] = {"improvement_comparable": None, "comparison": {}}
    to_create: list[RegionResult] = []
    to_write: list[tuple[int, list[Any]]] = []
    keep_ids: set[int] = set()
    ranks_change = False
    for p, result in zip(with_track, results, strict=True):
        if not result.has_data:
            continue
        keep_ids.add(p.id)
        compared = comparisons.get(p.id, none)
        comparable = compared["improvement_comparable"]
        after: list[Any] = [
            p.track,
            str(result.final),
            None if result.improvement is None else str(result.improvement),
            None if result.improvement is None else str(result.final - result.improvement),
            text.dimensions(result),
            f"[{', '.join(map(str, result.missing_questions))}]",  # whole numbers: as json.dumps and jsonb
            None if comparable is None else str(comparable),
            text.dumps(compared["comparison"]),
        ]
        stored = existing.get(p.id)
        if stored is None:
            to_create.append(_new_row(result_set_id, p, result, compared))
            ranks_change = True
            continue
        pk, before = stored
        if not all(_same(name, b, a) for name, b, a in zip(_WRITTEN, before, after, strict=True)):
            ranks_change = ranks_change or not (_same("final", before[1], after[1]) and before[0] == p.track)
            to_write.append((pk, after))
    stale = [pid for pid in existing if pid not in keep_ids]
    if stale:
        RegionResult.objects.filter(result_set_id=result_set_id, participation_id__in=stale).delete()
        ranks_change = True
    RegionResult.objects.bulk_create(to_create)
    _write(to_write)
    if ranks_change:
        _rerank(result_set_id)
    return len(keep_ids)


def _new_row(
    result_set_id: int, p: _Participant, result: EngineResult, compared: dict[str, object]
) -> RegionResult:
    return RegionResult(
        result_set_id=result_set_id,
        participation_id=p.id,
        rank=0,
        track=p.track,
        final=result.final,
        improvement=result.improvement,
        previous_final=None if result.improvement is None else result.final - result.improvement,
        dimensions=_as_json(result),
        missing_questions=list(result.missing_questions),
        **compared,
    )


def _write(rows: list[tuple[int, list[Any]]]) -> None:
    """Write ``_WRITTEN`` of ``rows`` (id, values: decimals and JSON as text): on PostgreSQL, from
    ``_COPY_AT`` rows on, COPYed into a temporary table and applied by one ``UPDATE … FROM`` (a national
    rewrite sends ~4 MB of JSON: as one statement's literals or parameters it costs twice as much);
    otherwise one ``UPDATE … FROM (VALUES …)`` per thousand rows (one round trip for a few rows)."""
    if not rows:
        return
    table = _table(RegionResult)
    assignments = ", ".join(f"{name} = v.{name}" for name in _WRITTEN)
    with connection.cursor() as cursor:
        postgres = connection.vendor == "postgresql"
        if postgres and len(rows) >= _COPY_AT:
            # The connection's own, emptied at each commit; created by the first write of a session.
            types = {name: "numeric" for name in _DECIMALS} | {name: "jsonb" for name in _JSONS}
            columns = ", ".join(f"{name} {types.get(name, 'text')}" for name in _WRITTEN)
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGED} (id bigint, {columns}) ON COMMIT DELETE ROWS"
            )
            with cursor.cursor.copy(f"COPY {_STAGED} (id, {', '.join(_WRITTEN)}) FROM STDIN") as copy:
                for pk, values in rows:
                    copy.write_row((pk, *values))
            cursor.execute(f"UPDATE {table} SET {assignments} FROM {_STAGED} v WHERE {table}.id = v.id")
            cursor.execute(f"DELETE FROM {_STAGED}")  # a later write in this transaction starts afresh
            return
        casts = {name: "::numeric" for name in _DECIMALS} | {name: "::jsonb" for name in _JSONS}
        one = "(%s, " + ", ".join(f"%s{casts.get(name, '') if postgres else ''}" for name in _WRITTEN) + ")"
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            cursor.execute(
                f"WITH v (id, {', '.join(_WRITTEN)}) AS (VALUES {', '.join([one] * len(chunk))}) "
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.id = v.id",
                [value for pk, values in chunk for value in (pk, *values)],
            )


_STAGED = "results_recompute_staged"
_COPY_AT = 32


def _rerank(result_set_id: int) -> None:
    """The national rank and the rank within each track (the tracks weigh the dimensions differently):
    competition ranking (``scoring.rank``: 1 + the number of strictly higher finals), computed by the
    database's RANK() window function in one UPDATE that touches only the rows whose rank changes."""
    table = _table(RegionResult)
    connection_sql = f"""
        UPDATE {table} SET rank = ranked.national, rank_track = ranked.in_track
        FROM (
            SELECT id,
                   RANK() OVER (ORDER BY final DESC) AS national,
                   RANK() OVER (PARTITION BY track ORDER BY final DESC) AS in_track
            FROM {table} WHERE result_set_id = %s
        ) AS ranked
        WHERE {table}.id = ranked.id
          AND ({table}.rank <> ranked.national OR {table}.rank_track IS NULL
               OR {table}.rank_track <> ranked.in_track)
    """
    with connection.cursor() as cursor:
        cursor.execute(connection_sql, [result_set_id])


@transaction.atomic
def publish_results(cycle: Cycle, *, actor: User | SystemActor, reason: str = "") -> ResultSet:
    """Freeze the live results of ``cycle`` as its next published revision. Regions whose review is done
    become final."""
    require(actor, Action.PUBLISH, cycle)
    live = ResultSet.objects.select_for_update().get(pk=ensure_live_result_set(cycle).pk)
    latest = cycle.result_sets.aggregate(m=Max("revision"))["m"] or 0
    published = ResultSet.objects.create(
        cycle=cycle,
        revision=latest + 1,
        status=ResultSetStatus.PUBLISHED,
        computed_at=live.computed_at,
        published_at=timezone.now(),
        published_by=person(actor),
        reason=reason,
    )
    rows = list(RegionResult.objects.filter(result_set=live))
    inputs = public_inputs_of([row.participation_id for row in rows])
    RegionResult.objects.bulk_create(
        RegionResult(
            result_set=published,
            participation_id=row.participation_id,
            track=row.track,
            final=row.final,
            improvement=row.improvement,
            previous_final=row.previous_final,
            rank=row.rank,
            rank_track=row.rank_track,
            improvement_comparable=row.improvement_comparable,
            comparison=row.comparison,
            dimensions=row.dimensions,
            missing_questions=row.missing_questions,
            # The inputs as the public may see them, frozen: public pages never read live review rows.
            inputs=inputs[row.participation_id],
        )
        for row in rows
    )
    finalise_published(published, actor=actor, reason=reason)
    record_event(
        "results.published",
        actor=actor,
        object_type="cycle",
        object_id=cycle.year,
        new={"revision": published.revision, "regions": published.region_results.count()},
        reason=reason,
    )
    return published


def finalise_published(published: ResultSet, *, actor: User | SystemActor, reason: str = "") -> int:
    """Make final the regions with a row in ``published`` whose review is done (scored, replied) or that
    are known only from imported records (never started in the platform: a cycle loaded as history).
    A region still under review stays where it is. Returns how many moved."""
    return move_stages(
        Participation.objects.filter(
            pk__in=published.region_results.values("participation_id"),
            stage__in=[Stage.NOT_STARTED, Stage.SCORED, Stage.REPLIED],
        ).select_related("cycle", "region"),
        Stage.FINAL,
        actor=actor,
        reason=reason,
    )


def unpublished_changes(cycle: Cycle) -> list[str]:
    """Codes of regions whose live result differs from the latest published revision."""
    published = latest_published(cycle)
    if published is None:
        return []
    live = live_result_set(cycle)

    def key(row: RegionResult) -> tuple[object, ...]:
        return (row.track, row.final, row.improvement, row.rank, row.dimensions)

    frozen = {r.participation_id: key(r) for r in RegionResult.objects.filter(result_set=published)}
    current = {r.participation_id: key(r) for r in RegionResult.objects.filter(result_set=live)}
    changed_ids = {pid for pid in frozen.keys() | current.keys() if frozen.get(pid) != current.get(pid)}
    return sorted(Participation.objects.filter(pk__in=changed_ids).values_list("region__code", flat=True))


# --- published results (results/imports/published.py parses and validates; this stores) ----------------


@dataclass(frozen=True)
class PublishedRow:
    """One region's row of a cycle's published national table."""

    participation: Participation
    track: Track
    scores: dict[Dimension, Decimal | None]  # None: the table shows no score ('-' or blank)
    final: Decimal | None
    improvement: Decimal | None


@transaction.atomic
def store_published_results(
    cycle: Cycle, rows: list[PublishedRow], *, actor: User | SystemActor
) -> tuple[int, int, int]:
    """Upsert the published dimension scores and tracks; derive a previous-year final (final − improvement,
    marked derived) where none is known. Returns (scores changed, tracks changed, finals derived). The
    caller recomputes (``inputs_changed``) and checks the stated numbers against the engine."""
    require(actor, Action.IMPORT_RESULTS, cycle)
    existing = {
        (s.participation_id, s.dimension_id): s
        for s in PublishedScore.objects.filter(participation__cycle=cycle)
    }
    known_previous = previous_finals(cycle)
    changed = tracks_changed = derived = 0
    for row in rows:
        p = row.participation
        # A region with a published row filled the self-assessment and was evaluated on that track.
        tracks_changed += record_evaluated(p, row.track, actor=actor)
        for dimension, value in row.scores.items():
            current = existing.get((p.pk, dimension.pk))
            if value is None:
                if current is not None:
                    current.delete()
                    changed += 1
            elif current is None:
                PublishedScore.objects.create(participation=p, dimension=dimension, score=value)
                changed += 1
            elif current.score != value:
                current.score = value
                current.save(update_fields=["score"])
                changed += 1
        if row.final is not None and row.improvement is not None and p.region_id not in known_previous:
            _, created = HistoricalFinal.objects.get_or_create(
                region=p.region,
                year=cycle.year - 1,
                defaults={
                    "final": row.final - row.improvement,
                    "provenance": Provenance.DERIVED,
                    "source": f"{cycle.year} published final {row.final} − improvement {row.improvement}",
                },
            )
            derived += created
    return changed, tracks_changed, derived


# --- rank robustness (results/robustness.py gathers the inputs and runs the engine; this stores) ----------


class NothingPublished(ValueError):
    """The cycle has no published revision to analyse."""


@transaction.atomic
def record_rank_robustness(
    result_set: ResultSet,
    outcome: RobustnessResult,
    *,
    actor: User | SystemActor,
    parameters: dict[str, object],
) -> RobustnessRun:
    """Store a robustness analysis of the published revision ``result_set``: each region's median rank and
    5th–95th percentile interval on its row, and the run (draws, seed, sensitivity indices, ``parameters``).
    The revision's published numbers themselves do not change; a later run replaces the intervals."""
    if result_set.is_live:
        raise NothingPublished("the robustness analysis annotates a published revision, not live results")
    require(actor, Action.PUBLISH, result_set.cycle)
    rows = {
        row.participation.region.code: row
        for row in RegionResult.objects.filter(result_set=result_set).select_related("participation__region")
    }
    unknown = sorted({i.key for i in outcome.intervals} - rows.keys())
    if unknown:
        raise ValueError(f"regions not in revision {result_set.revision}: {', '.join(unknown)}")
    changed = []
    for interval in outcome.intervals:
        row = rows[interval.key]
        row.rank_median, row.rank_low, row.rank_high = interval.median, interval.low, interval.high
        changed.append(row)
    update_rows(RegionResult, ["rank_median", "rank_low", "rank_high"], changed)
    run = RobustnessRun.objects.create(
        result_set=result_set,
        draws=outcome.draws,
        seed=outcome.seed,
        ran_at=timezone.now(),
        ran_by=person(actor),
        sensitivity={track: dict(indices) for track, indices in outcome.sensitivity.items()},
        parameters=parameters,
    )
    record_event(
        "results.robustness",
        actor=actor,
        object_type="cycle",
        object_id=result_set.cycle.year,
        new={
            "revision": result_set.revision,
            "regions": len(changed),
            "draws": outcome.draws,
            "seed": outcome.seed,
            "run": run.pk,
        },
    )
    return run
