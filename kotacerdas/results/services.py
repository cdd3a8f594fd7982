"""Materialised results: gather each region's inputs, run the scoring engine, store and publish.

The engine (``kotacerdas.scoring``) is pure; this module is the only place that feeds it from the database.
Raw inputs are aggregated in SQL (SUM and COUNT per region and question), so a national recompute reads a
few thousand aggregate rows rather than 1.4 million survey answers.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from kotacerdas.accounts.actors import person
from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.core.bulk import fetch_rows, update_rows, update_values
from kotacerdas.core.collector import collector_paused
from kotacerdas.cycles.models import Cycle, Participation, Stage, Track
from kotacerdas.cycles.policy import Action, require
from kotacerdas.cycles.services import record_evaluated
from kotacerdas.cycles.stages import move_stages
from kotacerdas.instrument.models import Dimension, Instrument, Question
from kotacerdas.instrument.services import track_weights
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
from kotacerdas.review.models import AgreedScore, AssessorScore
from kotacerdas.scoring import (
    ComparableDimension,
    DimensionInput,
    QuestionInput,
    QuestionResult,
    RegionInput,
    RobustnessResult,
    comparable_improvement,
    score_region,
)
from kotacerdas.scoring import (
    RegionResult as EngineResult,
)
from kotacerdas.survey.models import SurveyAnswer

# The columns a recompute writes on an existing row (in this order).
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
_TRACK, _FINAL = _WRITTEN.index("track"), _WRITTEN.index("final")


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


def previous_finals(
    cycle: Cycle,
    region_ids: Iterable[int] | None = None,
    *,
    before: tuple[Cycle | None, ResultSet | None] | None = None,
) -> dict[int, Decimal]:
    """Region id → final of the previous cycle: its latest published result, else a historical record
    (of every region, or only of ``region_ids``). ``before``: the previous cycle and its latest published
    result set when the caller has them already."""
    earlier, previous = before if before is not None else _before(cycle)
    historical = HistoricalFinal.objects.filter(year=earlier.year if earlier else cycle.year - 1)
    if region_ids is not None:
        region_ids = list(region_ids)
        historical = historical.filter(region_id__in=region_ids)
    finals: dict[int, Decimal] = dict(historical.values_list("region_id", "final"))
    if previous is not None:
        rows = RegionResult.objects.filter(result_set=previous)
        if region_ids is not None:
            rows = rows.filter(participation__region_id__in=region_ids)
        finals.update(rows.values_list("participation__region_id", "final"))
    return finals


def _before(cycle: Cycle) -> tuple[Cycle | None, ResultSet | None]:
    """The previous cycle and its latest published result set."""
    earlier = previous_cycle(cycle)
    return earlier, latest_published(earlier)


def latest_published(cycle: Cycle | None) -> ResultSet | None:
    if cycle is None:
        return None
    return cycle.result_sets.filter(status=ResultSetStatus.PUBLISHED).order_by("-revision").first()


def _gather_inputs(
    instrument: Instrument, participations: list[Participation], previous: dict[int, Decimal]
) -> list[RegionInput]:
    ids = [p.pk for p in participations]
    # (question id, number) per dimension code, in the instrument's question order.
    by_dimension: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for qid, number, code in Question.objects.filter(instrument=instrument).values_list(
        "pk", "number", "dimension__code"
    ):
        by_dimension[code].append((qid, number))

    # participation id → question id → (sum, count) of its valid raw inputs.
    # (Scores are whole numbers: the sums stay ints until a QuestionInput is built.)
    raw: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    assessed = (
        AssessorScore.objects.filter(
            # Only submitted reviews count; a draft review is the assessor's own until submitted.
            assignment__participation_id__in=ids,
            assignment__submitted_at__isnull=False,
            score__isnull=False,
        )
        .values_list("assignment__participation_id", "question_id")
        .annotate(total=Sum("score"), n=Count("score"))
    )
    surveyed = (
        SurveyAnswer.objects.filter(response__participation_id__in=ids, response__included=True)
        .values_list("response__participation_id", "question_id")
        .annotate(total=Sum("score"), n=Count("score"))
    )
    # Read as the driver returns them (integers): Django's per-value converters cost more than the sums.
    for pid, qid, total, n in [*fetch_rows(assessed), *fetch_rows(surveyed)]:
        old_total, old_n = raw[pid].get(qid, (0, 0))
        raw[pid][qid] = (old_total + total, old_n + n)
    agreed: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for pid, qid, score in AgreedScore.objects.filter(participation_id__in=ids).values_list(
        "participation_id", "question_id", "score"
    ):
        agreed[pid][qid] = score
    published: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pid, code, score in PublishedScore.objects.filter(participation_id__in=ids).values_list(
        "participation_id", "dimension__code", "score"
    ):
        published[pid][code] = score

    weights = track_weights(instrument)
    nothing = (0, 0)
    # QuestionInput is frozen and validates itself on construction; regions share many identical
    # (number, sum, count) inputs, so each distinct one is built once and reused.
    shared: dict[tuple[int, int, int], QuestionInput] = {}
    inputs = []
    for p in participations:
        p_raw, p_agreed, p_published = raw.get(p.pk, {}), agreed.get(p.pk, {}), published.get(p.pk, {})
        dimensions = []
        for code in weights[p.track]:
            questions = []
            for qid, number in by_dimension.get(code, ()):
                total, count = p_raw.get(qid, nothing)
                agreed_score = p_agreed.get(qid)
                if agreed_score is not None:
                    questions.append(QuestionInput(number, Decimal(total), count, agreed_score))
                    continue
                key = (number, total, count)
                question = shared.get(key)
                if question is None:
                    question = shared[key] = QuestionInput(number, Decimal(total), count)
                questions.append(question)
            dimensions.append(
                DimensionInput(code=code, questions=tuple(questions), published=p_published.get(code))
            )
        inputs.append(
            RegionInput(
                key=p.region.code,
                weights=weights[p.track],
                dimensions=tuple(dimensions),
                previous_final=previous.get(p.region_id),
            )
        )
    return inputs


def _comparisons(
    before: tuple[Cycle | None, ResultSet | None],
    instrument: Instrument,
    participations: list[Participation],
    results: list[EngineResult],
) -> dict[int, dict[str, object]]:
    """Participation id → ``improvement_comparable`` and ``comparison`` (rule 8), for the regions whose
    previous cycle's published result (``before``: the previous cycle and that result set) has
    question-level scores; the others get none."""
    earlier, published = before
    if published is None:
        return {}
    previous_rows = {
        row.participation.region_id: row
        for row in RegionResult.objects.filter(
            result_set=published, participation__region_id__in=[p.region_id for p in participations]
        ).select_related("participation")
    }
    counterpart = dict(
        Question.objects.filter(instrument=instrument, previous__isnull=False).values_list(
            "number", "previous__number"
        )
    )
    with_questions = set(
        Question.objects.filter(instrument=instrument).values_list("dimension__code", flat=True)
    )
    out: dict[int, dict[str, object]] = {}
    for p, result in zip(participations, results, strict=True):
        row = previous_rows.get(p.region_id)
        if row is None:
            continue
        previous_scores = {
            q["number"]: Decimal(q["score"])
            for entry in row.dimensions.values()
            for q in entry.get("questions", [])
            if q.get("source") != "missing"
        }
        if not previous_scores:
            continue  # the previous cycle has no question-level scores for this region
        dimensions = []
        not_comparable: list[int] = []
        for d in result.dimensions:
            if d.code not in with_questions:
                before_score = row.dimensions.get(d.code, {}).get("score")
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
                then = previous_scores.get(counterpart.get(q.number, -1))
                if then is None:
                    lonely.append(q.number)
                else:
                    pairs.append((q.score, then))
            not_comparable += lonely
            dimensions.append(
                ComparableDimension(d.code, d.weight, True, tuple(pairs), not_comparable=tuple(lonely))
            )
        outcome = comparable_improvement(tuple(dimensions))
        out[p.pk] = {
            "improvement_comparable": outcome.improvement,
            "comparison": {
                "previous_year": earlier.year if earlier else None,
                "previous_revision": published.revision,
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
    return {
        d.code: {
            "score": None if d.score is None else str(d.score),
            "source": str(d.source),
            "weight": str(d.weight),
            "questions": [_question_json(q) for q in d.questions],
        }
        for d in result.dimensions
    }


@lru_cache(maxsize=1 << 16)
def _question_json(q: QuestionResult) -> dict[str, object]:
    """A question's entry in a result's JSON, kept for equal results (the engine shares them across
    regions): one dictionary per distinct result, only ever serialised, never changed."""
    return {"number": q.number, "score": str(q.score), "source": str(q.source), "count": q.count}


def recompute_results(cycle: Cycle, regions: Iterable[int] | None = None) -> RecomputeReport:
    """Recompute the live results of ``cycle`` (all regions, or only the given region ids) and re-rank.

    A region is listed when it has a track and any data; published revisions are never touched.
    """
    with collector_paused(), transaction.atomic():  # bulk work: core/collector.py
        return _recompute(cycle, regions)


def _recompute(cycle: Cycle, regions: Iterable[int] | None) -> RecomputeReport:
    report = RecomputeReport()
    instrument = Instrument.objects.filter(cycle=cycle).first()
    if instrument is None:
        return report
    live = ResultSet.objects.select_for_update().filter(cycle=cycle, status=ResultSetStatus.LIVE)
    result_set = live.first() or live.get(pk=ensure_live_result_set(cycle).pk)
    query = Participation.objects.filter(cycle=cycle).select_related("region")
    if regions is not None:
        query = query.filter(region_id__in=list(regions))
    participations = list(query)
    with_track = [p for p in participations if p.track]
    report.skipped_without_track = [p.region.code for p in participations if not p.track]

    prior = _before(cycle)
    previous = previous_finals(
        cycle, None if regions is None else [p.region_id for p in participations], before=prior
    )
    engine_results = [score_region(i) for i in _gather_inputs(instrument, with_track, previous)]
    comparisons = _comparisons(prior, instrument, with_track, engine_results)
    scope_ids = {p.pk for p in participations}
    current = RegionResult.objects.filter(result_set=result_set).order_by()
    if regions is not None:
        current = current.filter(participation_id__in=scope_ids)
    # participation id → (row id, the written columns as stored): a row is written only where a value
    # differs (most recomputations change few), and the ranks only when a final or a track does.
    existing = {
        pid: (pk, list(stored))
        for pk, pid, *stored in current.values_list("pk", "participation_id", *_WRITTEN)
    }
    to_create: list[RegionResult] = []
    to_write: list[tuple[int, list[object]]] = []
    keep_ids: set[int] = set()
    ranks_change = False
    for p, result in zip(with_track, engine_results, strict=True):
        if not result.has_data:
            continue
        keep_ids.add(p.pk)
        values = {
            "track": p.track,
            "final": result.final,
            "improvement": result.improvement,
            "previous_final": None if result.improvement is None else result.final - result.improvement,
            "dimensions": _as_json(result),
            "missing_questions": list(result.missing_questions),
            **comparisons.get(p.pk, {"improvement_comparable": None, "comparison": {}}),
        }
        stored = existing.get(p.pk)
        if stored is None:
            to_create.append(RegionResult(result_set=result_set, participation=p, rank=0, **values))
            ranks_change = True
            continue
        pk, before = stored
        after = [values[name] for name in _WRITTEN]
        if after != before:  # JSON as parsed back: dictionaries compare without regard to key order
            ranks_change = ranks_change or before[_FINAL] != result.final or before[_TRACK] != p.track
            to_write.append((pk, after))
    stale = [pid for pid in existing if pid in scope_ids and pid not in keep_ids]
    if stale:
        RegionResult.objects.filter(result_set=result_set, participation_id__in=stale).delete()
        ranks_change = True
    RegionResult.objects.bulk_create(to_create)
    update_values(RegionResult, _WRITTEN, to_write)
    if ranks_change:
        _rerank(result_set)
    result_set.computed_at = timezone.now()
    result_set.save(update_fields=["computed_at"])
    report.computed = len(keep_ids)
    return report


def _rerank(result_set: ResultSet) -> None:
    """The national rank and the rank within each track (the tracks weigh the dimensions differently):
    competition ranking (``scoring.rank``: 1 + the number of strictly higher finals), computed by the
    database's RANK() window function in one UPDATE that touches only the rows whose rank changes."""
    quote = connection.ops.quote_name
    table = quote(RegionResult._meta.db_table)
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
        cursor.execute(connection_sql, [result_set.pk])


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
