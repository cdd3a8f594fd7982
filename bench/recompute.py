"""Benchmark of results recomputation on a synthetic national data set (`make bench`).

    .venv/bin/python bench/recompute.py                      # every backend, then the summary table
    .venv/bin/python bench/recompute.py --backend sqlite     # one backend (DATABASE_URL must point at it)

For each backend (SQLite, then PostgreSQL) the top-level run prepares a fresh database, then runs this same
script with ``--backend`` in a subprocess with ``DATABASE_URL`` set, because Django's settings can be set up
only once per process. The subprocess migrates, generates the data set (bench/synthetic.py), and times:

  full        recompute_results(cycle): every region, aggregated in SQL, scored by the engine, stored
  one region  recompute_results(cycle, regions=[id]): one region (re-ranked in SQL only when its final
              or track changed)
  naive       the same computation done the naive way: per region, load its AssessorScore and
              SurveyAnswer objects through the ORM and average them in Python (no aggregation in SQL)

Each figure is the median of several runs after one warm-up. The floor's finals and dimension scores are
asserted to equal the stored results (after the full recompute, and again after the rewrites), so both
sides compute the same thing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
SQLITE_FILE = BENCH_DIR / "recompute.sqlite3"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
PG_DATABASE = "kotacerdas_bench"
PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
BACKENDS = ("sqlite", "postgresql")
ONE_REGION = "51.03"  # Kabupaten Badung, the seed report's region

RUNS_FULL = 5
RUNS_ONE = 15
RUNS_FLOOR = 5
RUNS_NAIVE_FULL = 3
RUNS_NAIVE_ONE = 5
SCALE_FACTOR = 10  # the scale run: 514 → 5,140 regions

TARGET_RATIO = 1.5  # project ≤ 1.5 × floor (issue 11)
TARGET_ONE_S = 0.010  # one-region recompute ≤ 10 ms
JSON_OUT = BENCH_DIR / "recompute.json"

# ---------------------------------------------------------------------------------------------------------
# The top-level run: one subprocess per backend, then the table.


def prepare_sqlite(fresh: bool = True) -> str:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if not fresh and SQLITE_FILE.exists():
        return f"sqlite:///{SQLITE_FILE}"  # the data set of an earlier run, kept
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_FILE}"


def prepare_postgresql(fresh: bool = True) -> str:
    """Drop and recreate the bench database (kept when not ``fresh`` and it exists); raises with the
    reason when the server is unreachable."""
    import psycopg

    with psycopg.connect(dbname="postgres", connect_timeout=5, autocommit=True, **PG) as conn:
        there = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]).fetchone()
        if fresh or not there:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{PG_DATABASE}"


def run_all(backends: Iterable[str], extra: list[str], fresh: bool) -> int:
    results: list[dict[str, Any]] = []
    failed = False
    for backend in backends:
        print(f"== {backend} ==", flush=True)
        try:
            url = prepare_sqlite(fresh) if backend == "sqlite" else prepare_postgresql(fresh)
        except Exception as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            print(
                f"PostgreSQL skipped: cannot prepare {PG_DATABASE} on {PG['host']}:{PG['port']} "
                f"as {PG['user']} ({reason}). Start it with: {PG_START}",
                flush=True,
            )
            results.append({"backend": backend, "skipped": reason})
            continue
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            out = Path(handle.name)
        try:
            env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "kotacerdas.settings"}
            started = time.perf_counter()
            code = subprocess.run(
                [sys.executable, __file__, "--backend", backend, "--json", str(out), *extra],
                env=env,
                check=False,
            ).returncode
            print(f"[{backend}] subprocess finished in {time.perf_counter() - started:.1f} s", flush=True)
            if code != 0:
                print(f"[{backend}] FAILED (exit {code})", flush=True)
                results.append({"backend": backend, "failed": code})
                failed = True
            else:
                results.append(json.loads(out.read_text()))
        finally:
            out.unlink(missing_ok=True)
            if "--scale" in extra:  # the copies stay out of the next run's data set
                prepare_sqlite() if backend == "sqlite" else prepare_postgresql()
    rows = summary_rows(results)
    print_table(rows)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    # The rows of a backend not run this time (--only) are kept from the previous file.
    ran = [f"({r['backend']}" for r in results]
    try:
        kept = [
            row
            for row in json.loads(JSON_OUT.read_text())["rows"]
            if not any(tag in row["measure"] for tag in ran)
        ]
    except (OSError, ValueError, KeyError, TypeError):
        kept = []
    JSON_OUT.write_text(json.dumps({"rows": kept + rows, "load": list(os.getloadavg())}, indent=1))
    print(f"figures written to {JSON_OUT.relative_to(ROOT)}")
    return 1 if failed else 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.3f} s"


def summary_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The figures in the shared format of var/bench/*.json (issue 11): one row per measure."""
    rows: list[dict[str, Any]] = []
    for r in results:
        backend = r["backend"]
        if "timings" not in r:
            rows.append({"measure": f"recompute ({backend})", "skipped": r.get("skipped", "failed")})
            continue
        t = r["timings"]
        regions = r["rows"]["regions"]
        for key, label in (("full", "nothing changed"), ("full_rewrite", "every row rewritten")):
            ratio = t[key] / t["floor"]
            rows.append(
                {
                    "measure": f"recompute {regions} regions, {label} ({backend})",
                    "project": t[key],
                    "floor": t["floor"],
                    "unit": "s",
                    "ratio": ratio,
                    "target": f"≤ {TARGET_RATIO:g}× floor",
                    "met": ratio <= TARGET_RATIO,
                    "load": r["load"],
                }
            )
        rows.append(
            {
                "measure": (
                    f"recompute one region ({backend}; CPU {t['one_cpu'] * 1000:.1f} ms; "
                    f"naive ORM {t['naive_one'] * 1000:.1f} ms)"
                ),
                "project": t["one"],
                "floor": None,
                "unit": "s",
                "ratio": None,
                "target": f"≤ {TARGET_ONE_S * 1000:g} ms",
                "met": t["one"] <= TARGET_ONE_S,
                "load": r["load"],
            }
        )
        if "scale_failed" in r:
            rows.append({"measure": f"recompute scale run ({backend})", "skipped": r["scale_failed"]})
        if "scale" in r:
            sc = r["scale"]
            growth = (sc["time_big"] / sc["time_small"]) / (sc["regions_big"] / sc["regions_small"])
            rows.append(
                {
                    "measure": (
                        f"recompute scale {sc['regions_small']} → {sc['regions_big']} regions ({backend}; "
                        f"peak {sc['peak_small_mb']:.0f} → {sc['peak_big_mb']:.0f} MB)"
                    ),
                    "project": sc["time_big"],
                    "floor": sc["time_small"] * sc["regions_big"] / sc["regions_small"],
                    "unit": "s",
                    "ratio": growth,
                    "target": "≤ linear (ratio ≤ 1)",
                    "met": growth <= 1.0,
                    "load": r["load"],
                }
            )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print()
    print("Recompute benchmark (medians); floor = SQL GROUP BY + exact-integer numpy, equal to the engine's")
    for row in rows:
        if "project" not in row:
            print(f"  {row['measure']}: skipped ({row['skipped']})")
            continue
        floor = "-" if row["floor"] is None else _ms(row["floor"])
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}×"
        print(
            f"  {row['measure']}: project {_ms(row['project'])}, floor {floor}, ratio {ratio}, "
            f"target {row['target']}: {'met' if row['met'] else 'MISSED'} "
            f"(load {', '.join(f'{x:.1f}' for x in row['load'])})"
        )


# ---------------------------------------------------------------------------------------------------------
# One backend, in its own process.


def timed(
    fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> tuple[float, float, list[float]]:
    """(median, warm-up time, all run times) of ``fn`` over ``runs`` runs after one warm-up.

    ``before``, when given, runs before each call of ``fn`` and is not timed.
    """
    times = []
    for _ in range(runs + 1):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:]), times[0], times[1:]


def _half_up(value: Fraction) -> Decimal:
    """Round a non-negative exact value half-up to 2 decimals (the engine's rule 6, written out again)."""
    return Decimal(int(value * 100 + Fraction(1, 2))).scaleb(-2)


Naive = dict[int, tuple[Decimal, dict[str, Decimal | None]]]


def naive_results(cycle: Any, regions: Iterable[int] | None = None) -> Naive:
    """The naive way: per region, load every raw input as an ORM object and average in Python.

    Returns participation id → (final, {dimension code: score or None}). It handles what the synthetic
    data contains (assessor scores of submitted reviews, survey answers of included responses, empty
    scores); it knows nothing of agreed or published scores, which the data set has none of.
    """
    from kotacerdas.cycles.models import Participation
    from kotacerdas.instrument.models import Dimension, Instrument, Question, TrackWeight
    from kotacerdas.review.models import AssessorScore
    from kotacerdas.survey.models import SurveyAnswer

    instrument = Instrument.objects.get(cycle=cycle)
    dimensions = {d.pk: d.code for d in Dimension.objects.filter(instrument=instrument)}
    questions_of: dict[str, list[int]] = defaultdict(list)
    for question in Question.objects.filter(instrument=instrument):
        questions_of[dimensions[question.dimension_id]].append(question.pk)
    weights: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for tw in TrackWeight.objects.filter(dimension__instrument=instrument):
        weights[tw.track][dimensions[tw.dimension_id]] = tw.weight

    participations = Participation.objects.filter(cycle=cycle).exclude(track="")
    if regions is not None:
        participations = participations.filter(region_id__in=list(regions))
    results = {}
    for p in participations:
        inputs: dict[int, list[int]] = defaultdict(list)
        for score in AssessorScore.objects.filter(
            assignment__participation=p, assignment__submitted_at__isnull=False
        ):
            if score.score is not None:
                inputs[score.question_id].append(score.score)
        for answer in SurveyAnswer.objects.filter(response__participation=p, response__included=True):
            inputs[answer.question_id].append(answer.score)
        final = Fraction(0)
        scores: dict[str, Decimal | None] = {}
        for code, weight in weights[p.track].items():
            qids = questions_of.get(code, [])
            if not any(inputs.get(qid) for qid in qids):
                scores[code] = None  # no input: absent, contributes 0
                continue
            question_scores = [
                _half_up(Fraction(sum(inputs[qid]), len(inputs[qid]))) if inputs.get(qid) else Decimal(0)
                for qid in qids
            ]
            scores[code] = _half_up(Fraction(sum(question_scores)) / len(question_scores))
            final += Fraction(weight) * Fraction(scores[code])
        if any(s is not None for s in scores.values()):
            results[p.pk] = (_half_up(final), scores)
    return results


def floor_results(cycle: Any) -> Naive:
    """The floor: the same numbers by SQL GROUP BY (two aggregate queries, raw SQL, rows as the driver
    returns them) and vectorised exact-integer numpy, nothing else: no engine objects, no JSON, no writes.

    Every step is the engine's rule 6 in integers (hundredths): a question's score is the half-up rounding
    of 100·sum/count, a dimension's the half-up rounding of the mean of its questions' hundredths, the
    final the half-up rounding of Σ weight·score. It handles what the synthetic data holds (no agreed or
    published scores: asserted) and returns participation id → (final, {dimension code: score or None}).
    """
    import numpy as np
    from django.db import connection

    from kotacerdas.cycles.models import Participation
    from kotacerdas.instrument.models import Instrument, Question
    from kotacerdas.instrument.services import track_weights
    from kotacerdas.results.models import PublishedScore
    from kotacerdas.review.models import AgreedScore, AssessorScore, Assignment
    from kotacerdas.survey.models import SurveyAnswer, SurveyResponse

    instrument = Instrument.objects.get(cycle=cycle)
    assert not AgreedScore.objects.filter(participation__cycle=cycle).exists(), "floor: no agreed scores"
    assert not PublishedScore.objects.filter(participation__cycle=cycle).exists(), "floor: no published"
    weights = track_weights(instrument)
    questions = list(Question.objects.filter(instrument=instrument).values_list("pk", "dimension__code"))
    column = {qid: j for j, (qid, _) in enumerate(questions)}
    codes = sorted({code for w in weights.values() for code in w})
    participations = list(
        Participation.objects.filter(cycle=cycle).exclude(track="").values_list("pk", "track")
    )
    row = {pid: i for i, (pid, _) in enumerate(participations)}
    q = connection.ops.quote_name
    t_score, t_assign = q(AssessorScore._meta.db_table), q(Assignment._meta.db_table)
    t_answer, t_response = q(SurveyAnswer._meta.db_table), q(SurveyResponse._meta.db_table)
    t_part = q(Participation._meta.db_table)
    scope = f"IN (SELECT id FROM {t_part} WHERE cycle_id = %s AND track <> '')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.participation_id, s.question_id, SUM(s.score), COUNT(s.score) FROM {t_score} s "
            f"JOIN {t_assign} a ON a.id = s.assignment_id WHERE a.submitted_at IS NOT NULL "
            f"AND s.score IS NOT NULL AND a.participation_id {scope} "
            "GROUP BY a.participation_id, s.question_id",
            [cycle.pk],
        )
        aggregates = cursor.fetchall()
        cursor.execute(
            f"SELECT r.participation_id, s.question_id, SUM(s.score), COUNT(s.score) FROM {t_answer} s "
            f"JOIN {t_response} r ON r.id = s.response_id WHERE r.included "
            f"AND r.participation_id {scope} GROUP BY r.participation_id, s.question_id",
            [cycle.pk],
        )
        aggregates += cursor.fetchall()
    data = np.array(aggregates, dtype=np.int64).reshape(-1, 4)
    rows_i = np.fromiter((row[int(p)] for p in data[:, 0]), dtype=np.int64, count=len(data))
    cols_j = np.fromiter((column[int(qid)] for qid in data[:, 1]), dtype=np.int64, count=len(data))
    total = np.zeros((len(participations), len(questions)), dtype=np.int64)
    count = np.zeros_like(total)
    np.add.at(total, (rows_i, cols_j), data[:, 2])
    np.add.at(count, (rows_i, cols_j), data[:, 3])
    # A question's score in hundredths: half-up rounding of 100·total/count; 0 when it has no input.
    hundredths = np.where(count > 0, (200 * total + count) // np.maximum(2 * count, 1), 0)
    dimension = np.full((len(participations), len(codes)), -1, dtype=np.int64)  # -1: absent
    for d, code in enumerate(codes):
        cols = [j for j, (_, c) in enumerate(questions) if c == code]
        if not cols:
            continue
        has_input = (count[:, cols] > 0).any(axis=1)
        mean = (2 * hundredths[:, cols].sum(axis=1) + len(cols)) // (2 * len(cols))
        dimension[:, d] = np.where(has_input, mean, -1)
    places = max(-w.as_tuple().exponent for ws in weights.values() for w in ws.values())  # type: ignore[operator]
    tracks = sorted(weights)
    weight_units = np.zeros((len(tracks), len(codes)), dtype=np.int64)
    for t, track in enumerate(tracks):
        for d, code in enumerate(codes):
            weight_units[t, d] = int(weights[track].get(code, Decimal(0)).scaleb(places))
    track_of = np.array([tracks.index(track) for _, track in participations], dtype=np.int64)
    weighted = (weight_units[track_of] * np.maximum(dimension, 0)).sum(axis=1)
    final = (2 * weighted + 10**places) // (2 * 10**places)
    scored = ((dimension >= 0) & (weight_units[track_of] > 0)).any(axis=1)
    out: Naive = {}
    for i, (pid, track) in enumerate(participations):
        if scored[i]:
            out[pid] = (
                Decimal(int(final[i])).scaleb(-2),
                {
                    code: None
                    if dimension[i, codes.index(code)] < 0
                    else Decimal(int(dimension[i, codes.index(code)])).scaleb(-2)
                    for code in weights[track]
                },
            )
    return out


def _copy_rows(model: Any, copy: int, offsets: dict[str, int], overrides: dict[str, str]) -> None:
    """INSERT … SELECT the original rows of ``model``'s table again, ids shifted by ``copy`` × the
    table's original largest id, columns replaced by the SQL expressions of ``overrides``."""
    from django.db import connection

    q = connection.ops.quote_name
    table = model._meta.db_table
    columns = [str(f.column) for f in model._meta.concrete_fields]
    exprs = [overrides.get(c, q(c)) for c in columns]
    exprs[columns.index("id")] = f"id + {copy * offsets[table]}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) "
            f"SELECT {', '.join(exprs)} FROM {q(table)} WHERE id <= {offsets[table]}"
        )


def scale_run(cycle: Any, say: Callable[[str], None], runs: int) -> dict[str, Any]:
    """Full recompute at 514 regions, then at SCALE_FACTOR × as many: copies of every region with all
    its inputs (assessor scores and survey answers rotated, 1→2→3→4→1, one step per copy). Prints the
    median time and the process's peak resident memory (after the small runs, then after the big ones)."""
    import resource

    from django.db import connection, transaction

    from kotacerdas.cycles.models import Participation
    from kotacerdas.regions.models import Region
    from kotacerdas.results.services import recompute_results
    from kotacerdas.review.models import AssessorScore, Assignment
    from kotacerdas.survey.models import SurveyAnswer, SurveyResponse

    def figures(regions: int) -> tuple[float, float]:
        recompute_results(cycle)  # warm-up (and, after the copies, their first results)
        median, _, _ = timed(lambda: recompute_results(cycle), runs)
        # The process's peak resident memory so far: after the small runs, then after the big ones.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        say(f"scale: {regions:,} regions, full recompute median {_ms(median)}, peak RSS {peak:.0f} MB")
        return median, peak

    small = Participation.objects.filter(cycle=cycle).exclude(track="").count()
    time_small, peak_small = figures(small)
    models = (Region, Participation, Assignment, AssessorScore, SurveyResponse, SurveyAnswer)
    with connection.cursor() as cursor:
        offsets = {}
        for model in models:
            cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")
            offsets[model._meta.db_table] = int(cursor.fetchone()[0])
    started = time.perf_counter()
    for copy in range(1, SCALE_FACTOR):

        def shift(model: Any, copy: int = copy) -> str:
            return f"+ {copy * offsets[model._meta.db_table]}"

        rotate = f"CASE WHEN score IS NULL THEN NULL ELSE (score + {copy - 1}) % 4 + 1 END"
        with transaction.atomic():
            # Region codes are "PP.RR" (5 characters): a copy's is a letter and the four digits.
            _copy_rows(
                Region,
                copy,
                offsets,
                {"code": f"'{chr(64 + copy)}' || substr(code, 1, 2) || substr(code, 4, 2)"},
            )
            _copy_rows(Participation, copy, offsets, {"region_id": f"region_id {shift(Region)}"})
            _copy_rows(
                Assignment, copy, offsets, {"participation_id": f"participation_id {shift(Participation)}"}
            )
            _copy_rows(
                AssessorScore,
                copy,
                offsets,
                {"assignment_id": f"assignment_id {shift(Assignment)}", "score": rotate},
            )
            _copy_rows(
                SurveyResponse,
                copy,
                offsets,
                {
                    "participation_id": f"participation_id {shift(Participation)}",
                    "response_id": f"response_id || '~{copy}'",
                    "invitation_id": "NULL",
                },
            )
            _copy_rows(
                SurveyAnswer,
                copy,
                offsets,
                {"response_id": f"response_id {shift(SurveyResponse)}", "score": rotate},
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    big = Participation.objects.filter(cycle=cycle).exclude(track="").count()
    say(f"scale: copied to {big:,} regions in {time.perf_counter() - started:.1f} s (not timed)")
    time_big, peak_big = figures(big)
    growth = (time_big / time_small) / (big / small)
    say(
        f"scale: time grew {time_big / time_small:.1f}× for {big / small:.0f}× the regions: "
        f"{growth:.2f} of linear"
    )
    return {
        "regions_small": small,
        "regions_big": big,
        "time_small": time_small,
        "time_big": time_big,
        "peak_small_mb": peak_small,
        "peak_big_mb": peak_big,
    }


def check_naive_equals_engine(cycle: Any, naive: Naive) -> int:
    from kotacerdas.results.models import RegionResult
    from kotacerdas.results.services import live_result_set

    engine = {r.participation_id: r for r in RegionResult.objects.filter(result_set=live_result_set(cycle))}
    assert engine.keys() == naive.keys(), "naive and engine cover different regions"
    for pid, (final, scores) in naive.items():
        row = engine[pid]
        assert row.final == final, f"participation {pid}: engine final {row.final}, naive {final}"
        for code, score in scores.items():
            expected = None if score is None else str(score)
            assert row.dimension_score(code) == expected, (
                f"participation {pid} {code}: engine {row.dimension_score(code)}, naive {expected}"
            )
    return len(naive)


def run_backend(backend: str, out: Path | None, quick: bool, naive_too: bool, scale: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")
    import django

    django.setup()
    import synthetic
    from django.core.management import call_command
    from django.db import connection

    from kotacerdas.cycles.models import Cycle
    from kotacerdas.regions.models import Region
    from kotacerdas.results.models import RegionResult
    from kotacerdas.results.services import live_result_set, recompute_results

    expected = "postgresql" if backend == "postgresql" else "sqlite"
    assert connection.vendor == expected, f"DATABASE_URL points at {connection.vendor}, not {backend}"

    def say(text: str) -> None:
        print(f"[{backend}] {text}", flush=True)

    def runs(n: int) -> int:
        return max(2, n // 3) if quick else n

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    say(f"migrated in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    kept = synthetic.existing()
    if kept is not None:
        generated = kept
        say("the data set of an earlier run is kept (--fresh generates it again)")
    else:
        generated = synthetic.generate(say=lambda text: say(text.strip()))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load
        say(f"generated the data set in {time.perf_counter() - started:.1f} s (not part of the benchmark)")

    cycle = Cycle.objects.get(pk=generated.cycle_id)
    region_id = Region.objects.get(code=ONE_REGION).pk
    timings: dict[str, float] = {}

    def measure(
        key: str, label: str, fn: Callable[[], object], n: int, before: Callable[[], object] | None = None
    ) -> None:
        median, warm_up, times = timed(fn, runs(n), before)
        timings[key] = median
        say(
            f"{label}: median {_ms(median)} of {runs(n)} runs (warm-up {_ms(warm_up)}; "
            f"min {_ms(min(times))}, max {_ms(max(times))}; load {os.getloadavg()[0]:.1f})"
        )

    def vacuum_results() -> None:
        # Untimed. Every benchmark run rewrites all the stored results a few times (the rewrite runs spoil
        # them first); autovacuum clears the dead rows of a table that busy soon after, but it may be off
        # (it is on the 2-core bench machine), and then the table grows with each run (100 MB for 514
        # rows after a dozen runs) and so do the recompute's reads of it and its re-ranking.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(RegionResult._meta.db_table)}")

    vacuum_results()
    floor: Naive = {}
    measure("floor", "floor (SQL GROUP BY + numpy)", lambda: floor.update(floor_results(cycle)), RUNS_FLOOR)
    measure("full", "full recompute", lambda: recompute_results(cycle), RUNS_FULL)
    checked = check_naive_equals_engine(cycle, floor)
    say(f"the floor's finals and dimension scores equal the engine's for all {checked} regions")
    live = RegionResult.objects.filter(result_set=live_result_set(cycle))

    def spoil_every_row() -> None:
        # Untimed: make every stored result differ from what the recompute finds, so that it rewrites all.
        live.update(final=Decimal("0.00"), rank=0, dimensions={})

    measure(
        "full_rewrite",
        "full recompute, every row rewritten",
        lambda: recompute_results(cycle),
        RUNS_FULL,
        before=spoil_every_row,
    )
    check_naive_equals_engine(cycle, floor)
    say("and again after the rewrites")
    vacuum_results()
    measure(
        "one",
        f"one-region recompute ({ONE_REGION})",
        lambda: recompute_results(cycle, regions=[region_id]),
        RUNS_ONE,
    )
    cpu = []
    for _ in range(runs(RUNS_ONE)):
        started = time.process_time()
        recompute_results(cycle, regions=[region_id])
        cpu.append(time.process_time() - started)
    timings["one_cpu"] = statistics.median(cpu)
    say(f"one-region recompute, CPU time of this process: median {_ms(timings['one_cpu'])}")
    measure(
        "naive_one",
        f"naive one region ({ONE_REGION})",
        lambda: naive_results(cycle, regions=[region_id]),
        RUNS_NAIVE_ONE,
    )
    if naive_too:
        naive: Naive = {}
        measure("naive_full", "naive full", lambda: naive.update(naive_results(cycle)), RUNS_NAIVE_FULL)
        say(f"naive results equal the engine's for all {check_naive_equals_engine(cycle, naive)} regions")

    result: dict[str, Any] = {
        "backend": backend,
        "rows": {
            "regions": generated.participations,
            "assessor_scores": generated.assessor_scores,
            "survey_responses": generated.survey_responses,
            "survey_answers": generated.survey_answers,
        },
        "timings": timings,
        "checked_regions": checked,
    }
    if scale:
        try:
            result["scale"] = scale_run(cycle, say, 1 if quick else 3)
        except Exception as exc:  # the figures above still count
            say(f"scale run FAILED: {type(exc).__name__}: {exc}")
            result["scale_failed"] = f"{type(exc).__name__}: {exc}"
    result["load"] = list(os.getloadavg())
    if out is not None:
        out.write_text(json.dumps(result))
    else:
        print_table(summary_rows([result]))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=BACKENDS, help="run one backend in this process")
    parser.add_argument("--json", type=Path, help="(with --backend) write the figures here")
    parser.add_argument(
        "--only", choices=BACKENDS, action="append", help="top-level run: only these backends"
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument(
        "--scale", action="store_true", help=f"also the scale run: {SCALE_FACTOR}× the regions (slow)"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="generate the data set again (else an earlier run's is kept)"
    )
    parser.add_argument("--naive", action="store_true", help="also time the naive full recompute (slow)")
    args = parser.parse_args()
    if args.backend:
        run_backend(args.backend, args.json, args.quick, args.naive, args.scale)
        return 0
    flags = (("--quick", args.quick), ("--naive", args.naive), ("--scale", args.scale))
    extra = [flag for flag, on in flags if on]
    return run_all(args.only or BACKENDS, extra, fresh=args.fresh)


if __name__ == "__main__":
    sys.exit(main())
