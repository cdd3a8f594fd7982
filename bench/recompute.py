"""Benchmark of results recomputation on a synthetic national data set (`make bench`).

    .venv/bin/python bench/recompute.py                      # every backend, then the summary table
    .venv/bin/python bench/recompute.py --backend sqlite     # one backend (DATABASE_URL must point at it)

For each backend (SQLite, then PostgreSQL) the top-level run prepares a fresh database, then runs this same
script with ``--backend`` in a subprocess with ``DATABASE_URL`` set, because Django's settings can be set up
only once per process. The subprocess migrates, generates the data set (bench/synthetic.py), and times:

  full        recompute_results(cycle): every region, aggregated in SQL, scored by the engine, stored
  one region  recompute_results(cycle, regions=[id]): one region (and the national re-ranking)
  naive       the same computation done the naive way: per region, load its AssessorScore and
              SurveyAnswer objects through the ORM and average them in Python (no aggregation in SQL)

Each figure is the median of several runs after one warm-up. The naive finals and dimension scores are
asserted to equal the engine's, so both sides compute the same thing. See bench/README.md.
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
RUNS_NAIVE_FULL = 5
RUNS_NAIVE_ONE = 15

AIM_FULL_S = 2.0  # on PostgreSQL
AIM_ONE_S = 0.050


# ---------------------------------------------------------------------------------------------------------
# The top-level run: one subprocess per backend, then the table.


def prepare_sqlite() -> str:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_FILE}"


def prepare_postgresql() -> str:
    """Drop and recreate the bench database; raises with the reason when the server is unreachable."""
    import psycopg

    with psycopg.connect(dbname="postgres", connect_timeout=5, autocommit=True, **PG) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{PG_DATABASE}"


def run_all(backends: Iterable[str]) -> int:
    rows: list[dict[str, Any]] = []
    failed = False
    for backend in backends:
        print(f"== {backend} ==", flush=True)
        try:
            url = prepare_sqlite() if backend == "sqlite" else prepare_postgresql()
        except Exception as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            print(
                f"PostgreSQL skipped: cannot prepare {PG_DATABASE} on {PG['host']}:{PG['port']} "
                f"as {PG['user']} ({reason}). Start it with: {PG_START}",
                flush=True,
            )
            rows.append({"backend": backend, "skipped": reason})
            continue
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            out = Path(handle.name)
        try:
            env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "kotacerdas.settings"}
            started = time.perf_counter()
            code = subprocess.run(
                [sys.executable, __file__, "--backend", backend, "--json", str(out)], env=env, check=False
            ).returncode
            print(f"[{backend}] subprocess finished in {time.perf_counter() - started:.1f} s", flush=True)
            if code != 0:
                print(f"[{backend}] FAILED (exit {code})", flush=True)
                rows.append({"backend": backend, "failed": code})
                failed = True
            else:
                rows.append(json.loads(out.read_text()))
        finally:
            out.unlink(missing_ok=True)
    print_table(rows)
    return 1 if failed else 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.3f} s"


def _row(cells: Iterable[str], widths: list[int]) -> str:
    return "  ".join(
        c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        "backend",
        "assessor scores",
        "survey answers",
        "full",
        "full, rewrite",
        "one region",
        "naive full",
        "naive one region",
        "naive/opt full",
        "naive/opt one",
    )
    lines = []
    for row in rows:
        if "timings" not in row:
            continue
        t = row["timings"]
        lines.append(
            (
                row["backend"],
                f"{row['rows']['assessor_scores']:,}",
                f"{row['rows']['survey_answers']:,}",
                _ms(t["full"]),
                _ms(t["full_rewrite"]),
                _ms(t["one"]),
                _ms(t["naive_full"]),
                _ms(t["naive_one"]),
                f"{t['naive_full'] / t['full']:.1f}×",
                f"{t['naive_one'] / t['one']:.1f}×",
            )
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    print()
    print(f"Recompute benchmark: medians; full = all regions, one region = {ONE_REGION};")
    print("'full, rewrite' = full recompute when every stored result has changed and is rewritten.")
    print(_row(header, widths))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        if "skipped" in row:
            print(f"{row['backend'].ljust(widths[0])}  skipped: {row['skipped']}")
        elif "failed" in row:
            print(f"{row['backend'].ljust(widths[0])}  failed (exit {row['failed']})")
        else:
            print(_row(next(line for line in lines if line[0] == row["backend"]), widths))
    print()
    for row in rows:
        if "timings" not in row:
            continue
        t, backend = row["timings"], row["backend"]
        full = max(t["full"], t["full_rewrite"])
        full_ok, one_ok = full <= AIM_FULL_S, t["one"] <= AIM_ONE_S
        scope = "aim" if backend == "postgresql" else "aim (set for PostgreSQL)"
        print(
            f"{backend}: full {_ms(full)} (slower case) {'≤' if full_ok else '>'} {AIM_FULL_S:g} s, "
            f"one region {_ms(t['one'])} {'≤' if one_ok else '>'} {AIM_ONE_S * 1000:g} ms: "
            f"{scope} {'met' if full_ok and one_ok else 'MISSED'}; "
            f"naive results equal the engine's for all {row['checked_regions']} regions"
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


def run_backend(backend: str, out: Path | None) -> None:
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

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    say(f"migrated in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    generated = synthetic.generate(say=lambda text: say(text.strip()))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load
    say(f"generated the data set in {time.perf_counter() - started:.1f} s (not part of the benchmark)")

    cycle = Cycle.objects.get(pk=generated.cycle_id)
    region_id = Region.objects.get(code=ONE_REGION).pk
    timings: dict[str, float] = {}

    def measure(
        key: str, label: str, fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None
    ) -> None:
        median, warm_up, times = timed(fn, runs, before)
        timings[key] = median
        say(
            f"{label}: median {_ms(median)} of {runs} runs (warm-up {_ms(warm_up)}; "
            f"min {_ms(min(times))}, max {_ms(max(times))})"
        )

    measure("full", "full recompute", lambda: recompute_results(cycle), RUNS_FULL)
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
    measure(
        "one",
        f"one-region recompute ({ONE_REGION})",
        lambda: recompute_results(cycle, regions=[region_id]),
        RUNS_ONE,
    )
    naive: Naive = {}
    measure("naive_full", "naive full", lambda: naive.update(naive_results(cycle)), RUNS_NAIVE_FULL)
    measure(
        "naive_one",
        f"naive one region ({ONE_REGION})",
        lambda: naive_results(cycle, regions=[region_id]),
        RUNS_NAIVE_ONE,
    )
    checked = check_naive_equals_engine(cycle, naive)
    say(f"naive finals and dimension scores equal the engine's for all {checked} regions")

    result = {
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
    if out is not None:
        out.write_text(json.dumps(result))
    else:
        print_table([result])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=BACKENDS, help="run one backend in this process")
    parser.add_argument("--json", type=Path, help="(with --backend) write the figures here")
    parser.add_argument(
        "--only", choices=BACKENDS, action="append", help="top-level run: only these backends"
    )
    args = parser.parse_args()
    if args.backend:
        run_backend(args.backend, args.json)
        return 0
    return run_all(args.only or BACKENDS)


if __name__ == "__main__":
    sys.exit(main())
