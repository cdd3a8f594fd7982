"""The recompute path on random data: every stored final and dimension score identical to the cent to the
same numbers computed independently (exact fractions, rule 6 written out again), the ranks equal to
``scoring.rank`` (ties included) after a national and after a one-region recompute, and nothing written
when nothing changed; the JSON text it compares stored rows with is the text the database gives back."""

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kotacerdas.cycles.models import Cycle, Participation, Track
from kotacerdas.instrument.models import DimensionKind, Question, TrackWeight
from kotacerdas.instrument.services import track_weights
from kotacerdas.regions.models import Region
from kotacerdas.results import services
from kotacerdas.results.models import RegionResult
from kotacerdas.results.services import _as_json, _Json, live_result_set, recompute_results
from kotacerdas.review.models import Assessor, AssessorScore, Assignment
from kotacerdas.scoring import DimensionInput, QuestionInput, RegionInput, rank, score_region
from kotacerdas.survey.models import SurveyAnswer, SurveyResponse

pytestmark = pytest.mark.django_db

WHEN = datetime(2030, 11, 1, 9, 0, tzinfo=UTC)


def _half_up(value: Fraction) -> Decimal:
    return Decimal(int(value * 100 + Fraction(1, 2))).scaleb(-2)


def _random_cycle(make_cycle: Callable[..., Cycle], seed: int, regions: int = 16) -> Cycle:
    rng = random.Random(seed)
    cycle = make_cycle(regions=())
    codes = list(
        Region.objects.filter(code__regex=r"^\d\d\.\d\d$").order_by("code").values_list("code", flat=True)
    )
    chosen = rng.sample(codes, regions)
    participations = [
        Participation.objects.create(
            cycle=cycle,
            region=Region.objects.get(code=code),
            track=Track.KPPN_IKN if i % 3 == 0 else Track.REGULER,
        )
        for i, code in enumerate(chosen)
    ]
    questions = list(Question.objects.filter(instrument__cycle=cycle).select_related("dimension"))
    assessed = [q for q in questions if q.dimension.kind == DimensionKind.ASSESSED]
    surveyed = [q for q in questions if q.dimension.kind == DimensionKind.SURVEY]
    pool = [Assessor.objects.create(name=f"Asesor {i}", institution="Universitas Uji") for i in range(4)]
    twin: list[tuple[int, int | None]] = []  # regions 0 and 3 (both KPPN IKN) get identical data: a tie
    for index, p in enumerate(participations):
        if index == 3:
            values = twin
        else:
            level = rng.uniform(1.5, 3.8)
            values = [
                (q.pk, None if rng.random() < 0.05 else max(1, min(4, round(rng.gauss(level, 0.8)))))
                for q in assessed
                if rng.random() < 0.9  # some questions without any input (missing: 0)
            ]
            twin = twin or values
        for position, assessor in enumerate(pool[: 2 + index % 3], start=1):
            assignment = Assignment.objects.create(
                participation=p,
                assessor=assessor,
                position=position,
                submitted_at=None if position == 3 else WHEN,  # a draft does not count
            )
            AssessorScore.objects.bulk_create(
                AssessorScore(
                    assignment=assignment,
                    question_id=qid,
                    score=None if score is None else max(1, min(4, score + (position + qid) % 3 - 1)),
                )
                for qid, score in values
            )
        if index % 5 == 4 or index in (0, 3):
            continue  # no survey at all: the Impact dimension is absent
        for n in range(rng.randint(1, 6)):
            dimension = rng.choice(sorted({q.smart_dimension for q in surveyed}))
            response = SurveyResponse.objects.create(
                participation=p,
                smart_dimension=dimension,
                response_id=f"uji-{seed}-{p.pk}-{n}",
                respondent=f"R{n}",
                submitted_at=WHEN,
                channel="import",
                content_digest="-",
                included=rng.random() > 0.15,
            )
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=response, question_id=q.pk, score=rng.randint(1, 4))
                for q in surveyed
                if q.smart_dimension == dimension
            )
    return cycle


def _expected(cycle: Cycle) -> dict[int, tuple[Decimal, dict[str, Decimal | None]]]:
    """participation id → (final, {dimension: score}) from the raw rows, in exact fractions."""
    questions = list(Question.objects.filter(instrument__cycle=cycle).select_related("dimension"))
    weights = track_weights(questions[0].instrument)
    out = {}
    for p in Participation.objects.filter(cycle=cycle):
        inputs: dict[int, list[int]] = {}
        for qid, score in AssessorScore.objects.filter(
            assignment__participation=p, assignment__submitted_at__isnull=False, score__isnull=False
        ).values_list("question_id", "score"):
            inputs.setdefault(qid, []).append(score)
        for qid, score in SurveyAnswer.objects.filter(
            response__participation=p, response__included=True
        ).values_list("question_id", "score"):
            inputs.setdefault(qid, []).append(score)
        final, scores = Fraction(0), {}
        for code, weight in weights[p.track].items():
            qids = [q.pk for q in questions if q.dimension.code == code]
            if not any(qid in inputs for qid in qids):
                scores[code] = None
                continue
            each = [
                _half_up(Fraction(sum(inputs[q]), len(inputs[q]))) if q in inputs else Decimal(0)
                for q in qids
            ]
            scores[code] = _half_up(Fraction(sum(each)) / len(each))
            final += Fraction(weight) * Fraction(scores[code])
        if any(s is not None for s in scores.values()):
            out[p.pk] = (_half_up(final), scores)
    return out


def _check(cycle: Cycle) -> list[RegionResult]:
    rows = list(RegionResult.objects.filter(result_set=live_result_set(cycle)))
    expected = _expected(cycle)
    assert {r.participation_id for r in rows} == set(expected)
    for row in rows:
        final, scores = expected[row.participation_id]
        assert row.final == final and str(row.final) == str(final)
        for code, score in scores.items():
            assert row.dimension_score(code) == (None if score is None else str(score)), code
    national = rank({r.pk: r.final for r in rows})
    for track in {r.track for r in rows}:
        in_track = rank({r.pk: r.final for r in rows if r.track == track})
        assert {r.pk: r.rank_track for r in rows if r.track == track} == in_track
    assert {r.pk: r.rank for r in rows} == national
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_recompute_equals_an_independent_exact_computation_to_the_cent(
    make_cycle: Callable[..., Cycle], seed: int
) -> None:
    cycle = _random_cycle(make_cycle, seed)
    recompute_results(cycle)
    rows = _check(cycle)
    finals = sorted(r.final for r in rows)
    assert len(set(finals)) < len(finals), "the data holds a tie"
    assert any(r.dimension_score("impact") is None for r in rows), "and a region without a survey"


def test_one_region_recompute_reranks_in_the_database_and_writes_nothing_when_nothing_changed(
    make_cycle: Callable[..., Cycle],
) -> None:
    cycle = _random_cycle(make_cycle, 3)
    recompute_results(cycle)
    rows = _check(cycle)
    top = min(rows, key=lambda r: r.rank)
    bottom = max(rows, key=lambda r: r.rank)
    # Nothing changed: neither recompute writes a result row (only the result set's computation time).
    for regions in (None, [bottom.participation.region_id]):
        with CaptureQueriesContext(connection) as queries:
            recompute_results(cycle, regions=regions)
        written = [q["sql"] for q in queries.captured_queries if "regionresult" in _statement_head(q["sql"])]
        assert not written, written
    # The last region's assessors now give it full marks: it rises, every rank follows.
    AssessorScore.objects.filter(
        assignment__participation_id=bottom.participation_id, score__isnull=False
    ).update(score=4)
    recompute_results(cycle, regions=[bottom.participation.region_id])
    rows = _check(cycle)
    assert {r.pk: r.rank for r in rows}[bottom.pk] < bottom.rank
    assert {r.pk: r.rank for r in rows}[top.pk] >= top.rank


def _statement_head(sql: str) -> str:
    """What a statement writes to, when it writes: 'update <table>', 'insert into <table>', …"""
    words = sql.lower().replace('"', "").split()
    for i, word in enumerate(words):
        if word in ("update", "delete", "insert") and i + 1 < len(words):
            return " ".join(words[i : i + 3])
    return ""


@pytest.mark.parametrize("copy_at", [1, 10_000])  # PostgreSQL: through COPY, or one UPDATE … VALUES
def test_a_national_recompute_rewrites_spoilt_rows_and_ranks(
    make_cycle: Callable[..., Cycle], monkeypatch: pytest.MonkeyPatch, copy_at: int
) -> None:
    monkeypatch.setattr(services, "_COPY_AT", copy_at)
    cycle = _random_cycle(make_cycle, 4)
    recompute_results(cycle)
    RegionResult.objects.filter(result_set=live_result_set(cycle)).update(
        final=Decimal("0.00"), rank=0, dimensions={}, missing_questions=[7], track="x"
    )
    recompute_results(cycle)
    _check(cycle)


def test_the_one_region_recompute_of_an_open_cycle_is_a_few_statements(
    make_cycle: Callable[..., Cycle],
) -> None:
    cycle = make_cycle(open_windows=True)
    assessor = Assessor.objects.create(name="Asesor 1", institution="Universitas Uji")
    for p in Participation.objects.filter(cycle=cycle):
        assignment = Assignment.objects.create(
            participation=p, assessor=assessor, position=1, submitted_at=WHEN
        )
        AssessorScore.objects.bulk_create(
            AssessorScore(assignment=assignment, question=q, score=3)
            for q in Question.objects.filter(instrument__cycle=cycle, number__lte=20)
        )
    recompute_results(cycle)
    region = Participation.objects.filter(cycle=cycle).first().region_id  # type: ignore[union-attr]
    with CaptureQueriesContext(connection) as queries:
        recompute_results(cycle, regions=[region])
    # Lock and stamp, instrument, participants, previous cycle, previous finals, inputs, stored rows (the
    # instrument's shape is kept in memory: the cycle is open); the transaction's own statements aside.
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0] in ("SELECT", "UPDATE", "INSERT", "DELETE")
    ]
    assert len(statements) <= 7, statements


def test_an_instrument_in_preparation_is_read_again_at_each_recompute(
    make_cycle: Callable[..., Cycle],
) -> None:
    cycle = _random_cycle(make_cycle, 5, regions=4)
    recompute_results(cycle)
    # Weights of a cycle not yet opened may still change (the admin): the next recompute uses the new ones.
    weights = TrackWeight.objects.filter(dimension__instrument__cycle=cycle, track=Track.REGULER)
    baseline, outcome = weights.get(dimension__code="baseline"), weights.get(dimension__code="outcome")
    baseline.weight, outcome.weight = baseline.weight + Decimal("0.05"), outcome.weight - Decimal("0.05")
    baseline.save(update_fields=["weight"])
    outcome.save(update_fields=["weight"])
    recompute_results(cycle)
    _check(cycle)


def _results() -> list[object]:
    weights = {"baseline": Decimal("0.10"), "impact": Decimal("0.2000"), "quick_wins": Decimal("0.70")}
    questions = (QuestionInput(1, Decimal(7), 2), QuestionInput(2), QuestionInput(3, agreed=Decimal("3.456")))
    return [
        score_region(RegionInput("a", weights, (DimensionInput("baseline", questions),))),
        score_region(
            RegionInput(
                "b",
                weights,
                (
                    DimensionInput("quick_wins", published=Decimal("2.5")),
                    DimensionInput("impact", (QuestionInput(50, Decimal(30), 9),)),
                ),
                previous_final=Decimal("1.25"),
            )
        ),
    ]


@pytest.mark.parametrize("jsonb", [False, True])
def test_the_json_text_of_a_result_is_its_json_dumped_the_databases_way(jsonb: bool) -> None:
    text = _Json(jsonb)
    for result in _results():
        expected = text.dumps(_as_json(result))  # type: ignore[arg-type]
        assert text.dimensions(result) == expected  # type: ignore[arg-type]
        assert json.loads(expected) == _as_json(result)  # type: ignore[arg-type]


def test_stored_json_reads_back_as_the_text_a_recompute_compares_it_with(
    make_cycle: Callable[..., Cycle],
) -> None:
    cycle = _random_cycle(make_cycle, 6, regions=6)
    recompute_results(cycle)
    text = _Json(connection.vendor == "postgresql")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT dimensions, missing_questions, comparison FROM results_regionresult "
            "WHERE result_set_id = %s",
            [live_result_set(cycle).pk],
        )
        rows = cursor.fetchall()
    assert rows
    for row in rows:
        for stored in row:
            assert stored == text.dumps(json.loads(stored))
