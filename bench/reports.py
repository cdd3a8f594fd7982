"""Benchmark of signed reports (`make bench`): one region's report, and every participant's with 2 workers.

    .venv/bin/python bench/reports.py                 # prepares var/bench/reports.sqlite3, then measures
    .venv/bin/python bench/reports.py --workers 4

The top-level run prepares a fresh SQLite database and a signer of its own under ``var/bench/``, then runs
this script again with ``--measure`` in a subprocess whose ``DATABASE_URL``, ``KOTACERDAS_MEDIA_DIR`` and
``KOTACERDAS_SIGNER_P12`` point there (Django's settings are read once per process). The subprocess:

1. migrates and loads the demo (the 2024 programme: 191 participants, 140 of them with published results);
2. gives the other 51 participants synthetic published dimension scores (fixed seed) and publishes a new
   revision, so that all 191 participants have a result, as the programme's letter counts them;
3. times one report (Kabupaten Badung, the longest: 115 question scores and five assessors' findings):
   build the data, chart, Typst → PDF/A-2b, PAdES signature, storage; median of several runs after a
   warm-up, with the share of each step;
4. times ``kotacerdas reports --year 2024 -o DIR --workers N`` for all 191: the wall time of the command,
   from queuing the tasks to the last file written, including the start of the worker processes.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from kotacerdas.core.actors import CLI

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
DATABASE = BENCH_DIR / "reports.sqlite3"
ONE_REGION = "51.03"
RUNS_ONE = 7
AIM_ONE_S = 0.5
AIM_ALL_S = 60.0
SEED = 20241125


def prepare() -> dict[str, str]:
    """A fresh database and signer for the measuring subprocess; returns its environment."""
    sys.path.insert(0, str(ROOT))
    from kotacerdas.reports.signing import DEMO_P12, DEMO_PASSWORD, create_demo_signer

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for old in [*BENCH_DIR.glob("media-*"), *BENCH_DIR.glob("reports-*")]:
        shutil.rmtree(old, ignore_errors=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    signer = BENCH_DIR / "signer"
    create_demo_signer(signer)
    media = Path(tempfile.mkdtemp(prefix="media-", dir=BENCH_DIR))
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{DATABASE}",
        "KOTACERDAS_MEDIA_DIR": str(media),
        "KOTACERDAS_SIGNER_P12": str(signer / DEMO_P12),
        "KOTACERDAS_SIGNER_PASSWORD_FILE": str(signer / DEMO_PASSWORD),
        "DJANGO_SETTINGS_MODULE": "kotacerdas.settings",
    }


def complete_participants(say: object) -> int:
    """Synthetic published scores for the participants without a result; returns how many were added."""
    from kotacerdas.cycles.models import Cycle, Participation, Track
    from kotacerdas.instrument.models import Dimension
    from kotacerdas.instrument.services import track_weights
    from kotacerdas.results.models import PublishedScore, RegionResult
    from kotacerdas.results.services import latest_published, publish_results, recompute_results

    rng = random.Random(SEED)
    cycle = Cycle.objects.get(year=2024)
    with_result = set(
        RegionResult.objects.filter(result_set=latest_published(cycle)).values_list(
            "participation_id", flat=True
        )
    )
    weights = track_weights(cycle.instrument)
    dimensions = {d.code: d for d in Dimension.objects.filter(instrument=cycle.instrument)}
    added = 0
    for participation in Participation.objects.filter(cycle=cycle).exclude(pk__in=with_result):
        track = Track.KPPN_IKN if rng.random() < 0.45 else Track.REGULER
        participation.track = track
        participation.save(update_fields=["track"])
        level = rng.uniform(1.6, 3.6)
        PublishedScore.objects.bulk_create(
            PublishedScore(
                participation=participation,
                dimension=dimensions[code],
                score=Decimal(str(round(min(4.0, max(1.0, level + rng.uniform(-0.5, 0.5))), 2))),
            )
            for code in weights[track]
        )
        added += 1
    recompute_results(cycle)
    publish_results(cycle, reason="bench: synthetic results for the participants without one", actor=CLI)
    return added


def measure(workers: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from kotacerdas.cycles.models import Participation
    from kotacerdas.reports import builder, charts, render, services, signing
    from kotacerdas.reports.demo import load_report_demo
    from kotacerdas.results.demo import load_demo

    def say(text: str) -> None:
        print(f"  {text}", flush=True)

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    load_demo(say=lambda _: None)
    load_report_demo(say=lambda _: None)
    added = complete_participants(say)
    participants = Participation.objects.filter(cycle__year=2024).count()
    say(
        f"data set: {participants} participants ({added} given synthetic results); "
        f"prepared in {time.perf_counter() - started:.1f} s (not measured)"
    )

    # Step timings of one report, by wrapping the steps the service calls.
    steps: dict[str, float] = {}

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0.0) + time.perf_counter() - t

        return wrapper

    builder.build_region_part = timed("data", builder.build_region_part)  # type: ignore[method-assign]
    charts.render_svg = timed("chart", charts.render_svg)  # type: ignore[method-assign]
    render.render_pdf = timed("typst", render.render_pdf)  # type: ignore[method-assign]
    signing.sign_pdf = timed("sign", signing.sign_pdf)  # type: ignore[method-assign]
    services._store = timed("store", services._store)  # type: ignore[attr-defined]

    participation = Participation.objects.select_related("region", "cycle").get(
        cycle__year=2024, region__code=ONE_REGION
    )
    t = time.perf_counter()
    first = services.generate_report(participation, actor=CLI)
    cold = time.perf_counter() - t
    steps.clear()
    times, cpu = [], []
    for _ in range(RUNS_ONE):
        t, c = time.perf_counter(), time.process_time()
        report = services.generate_report(participation, actor=CLI)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    one, one_cpu = statistics.median(times), statistics.median(cpu)
    say(
        f"one report ({participation.region.table_name}, {report.pages} pages, {report.size / 1024:.0f} KB): "
        f"median {one:.3f} s wall, {one_cpu:.3f} s CPU, of {RUNS_ONE} (wall min {min(times):.3f}, "
        f"max {max(times):.3f}); first in a fresh process {cold:.3f} s"
    )
    data = steps.get("data", 0.0) - steps.get("chart", 0.0)  # the chart is made while building the data
    shares = {"data": data, **{k: v for k, v in steps.items() if k != "data"}}
    share = ", ".join(f"{k} {v / RUNS_ONE * 1000:.0f} ms" for k, v in shares.items())
    say(
        f"  per step (mean wall): {share}; "
        f"other {(sum(times) - sum(shares.values())) / RUNS_ONE * 1000:.0f} ms"
    )
    assert services.verify_report(services.read_report(first)).valid

    out = Path(tempfile.mkdtemp(prefix="reports-", dir=BENCH_DIR))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    call_command("reports", "--year", "2024", "-o", str(out), "--workers", str(workers), "--restart")
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    files = list(out.glob("*.pdf"))
    sample = sorted(files)[:: max(1, len(files) // 10)]
    assert all(services.verify_report(p.read_bytes()).valid for p in sample)
    say(
        f"all participants: {len(files)} signed reports with {workers} workers in {wall:.1f} s wall "
        f"({wall / max(1, len(files)):.3f} s per report); the workers used {workers_cpu:.1f} s CPU "
        f"({workers_cpu / max(1, len(files)):.3f} s per report, worker start-up included); "
        f"a tenth of the files verified"
    )
    load = os.getloadavg()[0]
    print()
    print(f"Report benchmark (SQLite; {os.cpu_count()} CPUs; load average {load:.1f} at the end)")
    print(
        f"  one signed report : {one:.3f} s wall, {one_cpu:.3f} s CPU   "
        f"(aim ≤ {AIM_ONE_S} s: {'met' if one <= AIM_ONE_S else 'MISSED'})"
    )
    print(
        f"  {len(files)} reports      : {wall:.1f} s wall with {workers} workers, {workers_cpu:.1f} s CPU   "
        f"(aim ≤ {AIM_ALL_S:.0f} s for 191: {'met' if wall <= AIM_ALL_S and len(files) >= 191 else 'MISSED'})"
    )
    if load > (os.cpu_count() or 1):
        print("  note: the machine was busy with other work; wall times are longer than on an idle one")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--measure", action="store_true", help="(internal) measure in this process")
    args = parser.parse_args()
    if args.measure:
        measure(args.workers)
        return 0
    print("== reports ==", flush=True)
    env = prepare()
    return subprocess.run(
        [sys.executable, __file__, "--measure", "--workers", str(args.workers)], env=env
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
