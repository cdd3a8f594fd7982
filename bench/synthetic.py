"""A synthetic national data set for the benchmarks: every region of the registry, fully evaluated.

Import this module only after ``django.setup()``. ``generate()`` fills an empty, migrated database with:

- the region registry (38 provinces, 514 regencies/cities), the 2024 cycle and its instrument, loaded from
  the repository's own data exactly as ``load-demo`` loads them;
- all 514 regions as participants of the cycle, on a track (about 45 % KPPN IKN, the rest REGULER);
- a panel of 5 assessors per region, each scoring the 61 assessed questions (Q1–49, Q104–115) on the 1–4
  scale, about 3 % of the scores left empty; about 1 % of the reviews are still drafts (not submitted),
  whose scores do not count;
- for each region and each of the 6 smart dimensions, 50 survey responses answering that dimension's 9
  questions (Q50–103): 300 responses and 2,700 answers per region, about 1.39 million answers in all.
  About 2 % of responses are excluded (as a quality check would), so the ``included`` filter does work.

Every region has its own level (a mean between 1.8 and 3.6) and every question and smart dimension a small
offset, so scores differ between regions and questions as in a real evaluation. A fixed seed makes the data
set identical on every run and on every database backend.

Rows are written with ``bulk_create`` in large batches; on PostgreSQL the survey answers (the bulk of the
data) go through ``COPY``. Generation is timed by the caller but is not what the benchmark measures.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Participation, Track
from kotacerdas.cycles.services import load_cycle
from kotacerdas.instrument.models import DimensionKind, Question
from kotacerdas.instrument.services import load_instrument
from kotacerdas.regions.models import Region
from kotacerdas.regions.services import load_registry_into_db
from kotacerdas.results.demo import DEMO_DIR, INSTRUMENT
from kotacerdas.review.models import Assessor, AssessorScore, Assignment
from kotacerdas.survey.models import SurveyAnswer, SurveyResponse

SEED = 20241125
ASSESSORS_PER_REGION = 5
ASSESSOR_POOL = 80
RESPONDENTS_PER_SMART_DIMENSION = 50
BLANK_SCORE_RATE = 0.03
DRAFT_REVIEW_RATE = 0.01
SUBMITTED_AT = datetime(2024, 11, 20, 9, 0, tzinfo=UTC)
EXCLUDED_RESPONSE_RATE = 0.02
KPPN_IKN_SHARE = 0.45
BATCH = 20_000
SCALE = (1, 2, 3, 4)


@dataclass(frozen=True)
class Generated:
    cycle_id: int
    regions: int
    participations: int
    assignments: int
    assessor_scores: int
    survey_responses: int
    survey_answers: int


def _distribution(mean: float, spread: float) -> list[float]:
    """Cumulative weights over 1–4 of a discretised normal around ``mean`` (for ``random.choices``)."""
    weights = [math.exp(-((v - mean) ** 2) / (2 * spread**2)) for v in SCALE]
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return cumulative


def existing() -> Generated | None:
    """The counts of a data set ``generate()`` filled in earlier (a kept benchmark database), else None."""
    from kotacerdas.cycles.models import Cycle

    cycle = Cycle.objects.filter(year=2024).first()
    if cycle is None or not Participation.objects.filter(cycle=cycle).exists():
        return None
    return Generated(
        cycle_id=cycle.pk,
        regions=Region.objects.count(),
        participations=Participation.objects.filter(cycle=cycle).count(),
        assignments=Assignment.objects.filter(participation__cycle=cycle).count(),
        assessor_scores=AssessorScore.objects.filter(assignment__participation__cycle=cycle).count(),
        survey_responses=SurveyResponse.objects.filter(participation__cycle=cycle).count(),
        survey_answers=SurveyAnswer.objects.filter(response__participation__cycle=cycle).count(),
    )


def generate(say: Callable[[str], None] = print, seed: int = SEED) -> Generated:
    """Fill the (empty, migrated) database with the synthetic national data set; returns the row counts."""
    rng = random.Random(seed)
    with transaction.atomic():
        load_registry_into_db()
        cycle, _ = load_cycle(DEMO_DIR / "cycle.yaml", actor=CLI)
        instrument = load_instrument(cycle, INSTRUMENT, actor=CLI).instrument
        regions = list(Region.objects.order_by("code"))
        Participation.objects.bulk_create(
            Participation(
                cycle=cycle,
                region=region,
                track=Track.KPPN_IKN if rng.random() < KPPN_IKN_SHARE else Track.REGULER,
                addressee_no=number,
                addressee=region.name,
            )
            for number, region in enumerate(regions, start=1)
        )
        participations = list(
            Participation.objects.filter(cycle=cycle).select_related("region").order_by("region__code")
        )
        questions = list(Question.objects.filter(instrument=instrument).select_related("dimension"))
        assessed = [q.pk for q in questions if q.dimension.kind == DimensionKind.ASSESSED]
        surveyed: dict[str, list[int]] = {}
        for q in questions:
            if q.dimension.kind == DimensionKind.SURVEY:
                surveyed.setdefault(q.smart_dimension, []).append(q.pk)
        survey_questions = sum(map(len, surveyed.values()))
        say(
            f"  registry, cycle {cycle.year}, instrument: {len(regions)} regions, {len(assessed)} assessed "
            f"questions, {survey_questions} survey questions in {len(surveyed)} smart dimensions"
        )

        pool = Assessor.objects.bulk_create(
            Assessor(name=f"Asesor {i:02d}", institution=f"Universitas Sintetis {1 + i % 20:02d}")
            for i in range(1, ASSESSOR_POOL + 1)
        )
        assignments = Assignment.objects.bulk_create(
            [
                Assignment(
                    participation=p,
                    assessor=assessor,
                    position=position,
                    submitted_at=None if rng.random() < DRAFT_REVIEW_RATE else SUBMITTED_AT,
                )
                for p in participations
                for position, assessor in enumerate(rng.sample(pool, ASSESSORS_PER_REGION), start=1)
            ],
            batch_size=BATCH,
        )
        by_participation: dict[int, list[Assignment]] = {}
        for a in assignments:
            by_participation.setdefault(a.participation_id, []).append(a)

        level = {p.pk: rng.uniform(1.8, 3.6) for p in participations}
        question_offset = {qid: rng.uniform(-0.4, 0.4) for qid in assessed}
        scores: list[AssessorScore] = []
        assessor_scores = 0
        for p in participations:
            for a in by_participation[p.pk]:
                severity = rng.uniform(-0.3, 0.3)  # some assessors are stricter than others
                for qid in assessed:
                    value: int | None = None
                    if rng.random() >= BLANK_SCORE_RATE:
                        mean = level[p.pk] + question_offset[qid] + severity
                        value = rng.choices(SCALE, cum_weights=_distribution(mean, 0.6))[0]
                    scores.append(AssessorScore(assignment=a, question_id=qid, score=value))
            if len(scores) >= BATCH:
                AssessorScore.objects.bulk_create(scores, batch_size=BATCH)
                assessor_scores += len(scores)
                scores = []
        AssessorScore.objects.bulk_create(scores, batch_size=BATCH)
        assessor_scores += len(scores)
        say(f"  {len(assignments):,} assignments, {assessor_scores:,} assessor scores")

        responses, answers = _survey(rng, participations, level, surveyed)
        say(f"  {responses:,} survey responses, {answers:,} survey answers")
    return Generated(
        cycle_id=cycle.pk,
        regions=len(regions),
        participations=len(participations),
        assignments=len(assignments),
        assessor_scores=assessor_scores,
        survey_responses=responses,
        survey_answers=answers,
    )


def _survey(
    rng: random.Random,
    participations: list[Participation],
    level: dict[int, float],
    surveyed: dict[str, list[int]],
) -> tuple[int, int]:
    """Write every region's survey responses and answers; returns (responses, answers)."""
    start = datetime(2024, 10, 1, 1, 0, tzinfo=UTC)
    use_copy = connection.vendor == "postgresql"
    pending_responses: list[SurveyResponse] = []
    pending_answers: list[list[int]] = []  # the answer scores of each pending response, question order
    pending_questions: list[list[int]] = []
    total_responses = total_answers = 0

    def flush() -> int:
        created = SurveyResponse.objects.bulk_create(pending_responses, batch_size=BATCH)
        rows = [
            (response.pk, qid, score)
            for response, qids, values in zip(created, pending_questions, pending_answers, strict=True)
            for qid, score in zip(qids, values, strict=True)
        ]
        if use_copy:
            table = SurveyAnswer._meta.db_table
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY {table} (response_id, question_id, score) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            SurveyAnswer.objects.bulk_create(
                (SurveyAnswer(response_id=r, question_id=q, score=s) for r, q, s in rows), batch_size=BATCH
            )
        pending_responses.clear()
        pending_answers.clear()
        pending_questions.clear()
        return len(rows)

    for p in participations:
        code = p.region.code
        for smart_dimension, qids in surveyed.items():
            offset = rng.uniform(-0.5, 0.5)
            cumulative = {
                qid: _distribution(level[p.pk] + offset + rng.uniform(-0.3, 0.3), 0.8) for qid in qids
            }
            for i in range(1, RESPONDENTS_PER_SMART_DIMENSION + 1):
                values = [rng.choices(SCALE, cum_weights=cumulative[qid])[0] for qid in qids]
                pending_responses.append(
                    SurveyResponse(
                        participation=p,
                        smart_dimension=smart_dimension,
                        response_id=f"bench-{code}-{smart_dimension}-{i:03d}",
                        respondent=f"responden {i}",
                        submitted_at=start + timedelta(minutes=rng.randrange(60 * 24 * 40)),
                        included=rng.random() >= EXCLUDED_RESPONSE_RATE,
                        content_digest=hashlib.sha256(
                            ",".join(f"{q}:{v}" for q, v in zip(qids, values, strict=True)).encode()
                        ).hexdigest(),
                    )
                )
                pending_answers.append(values)
                pending_questions.append(qids)
        if len(pending_responses) * 9 >= BATCH * 5:
            total_responses += len(pending_responses)
            total_answers += flush()
    total_responses += len(pending_responses)
    total_answers += flush()
    return total_responses, total_answers
