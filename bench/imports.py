"""Benchmark of `import-survey` on a file of 100,000 answer rows (`make bench`).

    .venv/bin/python bench/imports.py                     # SQLite, then PostgreSQL
    .venv/bin/python bench/imports.py --backend sqlite    # one backend (DATABASE_URL must point at it)

Each backend runs in a subprocess (Django's settings are set up once per process) on a fresh database with
the demo loaded. Three different files of 100,000 rows (11,112 responses of 9 answers, spread over the
demo's 191 participants and six smart dimensions) are imported in turn; the figure is the median of the
three. Re-importing a file already stored (the idempotent path: nothing is written) is timed too.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from kotacerdas.core.actors import CLI

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
ROWS = 100_000
FILES = 3
TARGET_RATIO = 1.5  # project ≤ 1.5 × the COPY floor (issue 11)
SMART = [
    "smart_governance",
    "smart_branding",
    "smart_economy",
    "smart_living",
    "smart_society",
    "smart_environment",
]


def _database_url(backend: str) -> str:
    sys.path.insert(0, str(ROOT / "bench"))
    from recompute import PG  # the shared PostgreSQL connection settings of the benchmarks

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        path = BENCH_DIR / "imports.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(dbname="postgres", connect_timeout=5, autocommit=True, **PG) as conn:
        conn.execute("DROP DATABASE IF EXISTS kotacerdas_bench_imports WITH (FORCE)")
        conn.execute("CREATE DATABASE kotacerdas_bench_imports")
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/kotacerdas_bench_imports"


def write_file(path: Path, seed: int, regions: list[str], question_numbers: dict[str, list[int]]) -> int:
    rng = random.Random(seed)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["response_id", "region", "dimension", "respondent", "submitted_at", "question", "score"]
        )
        response = 0
        while rows < ROWS:
            region = regions[response % len(regions)]
            dimension = SMART[(response // len(regions)) % 6]
            when = f"2024-10-{1 + response % 28:02d}T{8 + response % 12:02d}:{response % 60:02d}:00+07:00"
            rid = f"bench-{seed}-{response}"
            for number in question_numbers[dimension]:
                writer.writerow([rid, region, dimension, f"R{response}", when, number, rng.randint(1, 4)])
                rows += 1
            response += 1
    return rows


def copy_floor(path: Path, cycle: object, expected: int) -> float:
    """The floor: parse the same file with ``csv`` (ints and dates converted, rows grouped by response) and
    write its responses and answers into the same tables, with the same indexes and constraints: COPY on
    PostgreSQL, one prepared INSERT executed many times on SQLite (it has no COPY), the deferred foreign
    keys checked as a commit checks them. Nothing else: no validation against the instrument, no digests,
    no policy, audit or recompute. Returns the seconds it took; what it wrote is rolled back (untimed)."""
    from django.db import connection, transaction

    from kotacerdas.core.collector import collector_paused
    from kotacerdas.instrument.models import Question
    from kotacerdas.survey.models import SurveyAnswer, SurveyResponse

    participation_of = {
        p.region.table_name: p.pk
        for p in cycle.participations.select_related("region")  # type: ignore[attr-defined]
    }
    question_of = dict(Question.objects.filter(instrument__cycle=cycle).values_list("number", "pk"))
    fields = [f for f in SurveyResponse._meta.concrete_fields if not f.primary_key]
    given = {"participation_id", "smart_dimension", "response_id", "respondent", "submitted_at", "channel"}
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in given}
    defaults["included"] = True
    columns = [f.column for f in fields]
    q = connection.ops.quote_name
    response_table, answer_table = q(SurveyResponse._meta.db_table), q(SurveyAnswer._meta.db_table)
    started = time.perf_counter()
    # The collector paused as the import pauses it (kotacerdas/core/collector.py): the floor is the least
    # this stack can do, so it gets every trick the project uses.
    with collector_paused(), transaction.atomic():
        responses: dict[str, tuple[object, ...]] = {}
        answers: list[tuple[str, int, int]] = []
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            for rid, region, dimension, respondent, when, number, score in reader:
                if rid not in responses:
                    values = {
                        "participation_id": participation_of[region],
                        "smart_dimension": dimension,
                        "response_id": rid,
                        "respondent": respondent,
                        "submitted_at": datetime.fromisoformat(when),
                        "channel": "import",
                        **defaults,
                    }
                    responses[rid] = tuple(values[f.attname] for f in fields)
                answers.append((rid, question_of[int(number)], int(score)))
        names = ", ".join(q(c) for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {response_table}")
            before = cursor.fetchone()[0]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {response_table} ({names}) FROM STDIN") as copy:
                    for row in responses.values():
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {response_table} ({names}) VALUES ({marks})", list(responses.values())
                )
            cursor.execute(f"SELECT response_id, id FROM {response_table} WHERE id > %s", [before])
            ids = dict(cursor.fetchall())
            rows = [(ids[rid], qid, score) for rid, qid, score in answers]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(
                    f"COPY {answer_table} (response_id, question_id, score) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {answer_table} (response_id, question_id, score) VALUES (%s, %s, %s)", rows
                )
            if connection.vendor == "postgresql":
                # The foreign keys are deferred (Django's default): PostgreSQL checks them at COMMIT, which
                # the import pays and a rolled-back floor would not. Checked here, inside the timing.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        assert len(rows) == expected, f"floor wrote {len(rows)} answers, not {expected}"
        transaction.set_rollback(True)
    return seconds


def run_backend() -> dict[str, object]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")
    django.setup()
    from django.core.management import call_command

    from kotacerdas.cycles.models import Cycle
    from kotacerdas.instrument.models import Question
    from kotacerdas.results.demo import load_demo
    from kotacerdas.results.imports import import_survey

    call_command("migrate", verbosity=0)
    load_demo(say=lambda _: None)
    cycle = Cycle.objects.get(year=2024)
    regions = [p.region.table_name for p in cycle.participations.select_related("region")]
    numbers: dict[str, list[int]] = {}
    for q in Question.objects.filter(instrument__cycle=cycle).exclude(smart_dimension=""):
        numbers.setdefault(q.smart_dimension, []).append(q.number)
    timings, floors, rows = [], [], 0
    files = []
    for seed in range(FILES):
        path = BENCH_DIR / f"survey-{seed}.csv"
        rows = write_file(path, seed, regions, numbers)
        files.append(path)
        floors.append(copy_floor(path, cycle, rows))  # the same file, written the floor's way, rolled back
        started = time.perf_counter()
        summary = import_survey(path, cycle, actor=CLI)
        timings.append(time.perf_counter() - started)
        assert summary.answers == rows and summary.created == summary.responses
    started = time.perf_counter()
    again = import_survey(files[0], cycle, actor=CLI)
    repeat = time.perf_counter() - started
    assert again.created == 0
    return {
        "rows": rows,
        "median_s": statistics.median(timings),
        "runs_s": timings,
        "floor_s": statistics.median(floors),
        "floors_s": floors,
        "repeat_s": repeat,
        "load": list(os.getloadavg()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--quick", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    if args.backend:
        print(json.dumps(run_backend()))
        return 0
    print(f"import-survey: {ROWS:,} answer rows per file, median of {FILES} files; floor = parse + COPY")
    print(
        f"{'backend':<12}{'rows':>10}{'project':>10}{'floor':>9}{'ratio':>8}{'per 1k rows':>13}"
        f"{'re-import':>12}  load"
    )
    figures: list[dict[str, object]] = []
    for backend in ("postgresql",) if args.quick else ("sqlite", "postgresql"):
        try:
            url = _database_url(backend)
        except Exception as exc:  # the server may be down: say so and go on
            print(f"{backend:<12} skipped: {exc}")
            figures.append({"measure": f"import-survey ({backend})", "skipped": str(exc)})
            continue
        done = subprocess.run(
            [sys.executable, __file__, "--backend", backend],
            env={**os.environ, "DATABASE_URL": url},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"{backend:<12} failed:\n{done.stderr[-2000:]}")
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        per_thousand_ms = 1_000_000 * r["median_s"] / r["rows"]
        ratio = r["median_s"] / r["floor_s"]
        load = " ".join(f"{x:.1f}" for x in r["load"])
        print(
            f"{backend:<12}{r['rows']:>10,}{r['median_s']:>9.2f}s{r['floor_s']:>8.2f}s{ratio:>7.2f}×"
            f"{per_thousand_ms:>11.1f}ms{r['repeat_s']:>11.2f}s  {load}"
        )
        figures.append(
            {
                "measure": f"import-survey {r['rows']:,} rows ({backend})",
                "project": r["median_s"],
                "floor": r["floor_s"],
                "unit": "s",
                "ratio": ratio,
                "target": f"≤ {TARGET_RATIO:g}× floor",
                "met": ratio <= TARGET_RATIO,
                "load": r["load"],
            }
        )
    from summary import write_figures  # bench/summary.py, beside this script

    print(f"figures written to {write_figures('imports', figures).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
