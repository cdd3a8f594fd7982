"""Benchmark of signed reports (`make bench`): one region's report, and every participant's with 2 workers.

    .venv/bin/python bench/reports.py                 # prepares var/bench/reports.sqlite3, then measures
    .venv/bin/python bench/reports.py --workers 4
    .venv/bin/python bench/reports.py --quick         # one report only (3 runs), no bulk run

The top-level run prepares a fresh SQLite database and a signer of its own under ``var/bench/``, then runs
this script again with ``--measure`` in a subprocess whose ``DATABASE_URL``, ``KOTACERDAS_MEDIA_DIR`` and
``KOTACERDAS_SIGNER_P12`` point there (Django's settings are read once per process). The subprocess:

1. migrates and loads the demo (the 2024 programme: 191 participants, 140 of them with published results);
2. gives the other 51 participants synthetic published dimension scores (fixed seed) and publishes a new
   revision, so that all 191 participants have a result, as the programme's letter counts them;
3. times one report (Kabupaten Badung, the longest: 115 question scores and five assessors' findings):
   build the data, chart, Typst → PDF/A-2b, PAdES signature, storage; median wall and CPU time of several
   runs after the first one (whose time, with the process's start-up costs, is printed apart), with the CPU
   time of each step;
4. the floor, in the same process: Typst's compilation of the same document alone (no data building, no
   chart, no signature, no storage), with Typst's memoisation cache emptied before each run as the
   renderer leaves it after each document; the ratio is the report's CPU time over the floor's;
5. times ``kotacerdas reports --year 2024 -o DIR --workers N`` for all 191: the wall time of the command,
   from queuing the tasks to the last file written, including the start of the worker processes, the
   workers' CPU time and the peak memory (maximum resident set) of the largest worker. Its floor is the
   Typst floor × 191 ÷ N workers.

The figures go to ``var/bench/reports.json`` for ``bench/summary.py``. Report CPU time is the process's
(all its threads: Typst lays pages out in parallel); on this shared, loaded machine it is the steadier
figure, wall times follow the load average printed beside them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
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
RUNS_QUICK = 3
AIM_ONE_CPU_S = 0.4
AIM_ALL_S = 40.0
AIM_WORKER_MB = 300
SEED = 20241125


def write_figures(rows: list[dict[str, object]]) -> Path:
    """``var/bench/reports.json`` in the shape ``bench/summary.py`` reads."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / "reports.json"
    path.write_text(json.dumps({"rows": rows, "load": list(os.getloadavg())}, indent=1), encoding="utf-8")
    return path


def row(
    measure: str, project: float, floor: float | None, unit: str, target: str, met: bool
) -> dict[str, object]:
    ratio = round(project / floor, 2) if floor else None
    return {
        "measure": measure,
        "project": round(project, 4),
        "floor": None if floor is None else round(floor, 4),
        "unit": unit,
        "ratio": ratio,
        "target": target,
        "met": met,
        "load": list(os.getloadavg()),
    }


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


def measure(workers: int, quick: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from kotacerdas.cycles.models import Participation
    from kotacerdas.reports import builder, charts, render, services, signing, typst_memory
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

    # Step timings of one report (CPU time of the process), by wrapping the steps the service calls.
    steps: dict[str, float] = {}
    documents: list[tuple[tuple[object, ...], dict[str, object]]] = []

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            if name == "typst":
                documents.append((args, kwargs))
            t = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0.0) + time.process_time() - t

        return wrapper

    builder.build_region_part = timed("data", builder.build_region_part)
    charts.render_svg = timed("chart", charts.render_svg)
    render.render_pdf = timed("typst", render.render_pdf)
    signing.sign_pdf = timed("sign", signing.sign_pdf)
    services._store = timed("store", services._store)

    participation = Participation.objects.select_related("region", "cycle").get(
        cycle__year=2024, region__code=ONE_REGION
    )
    runs = RUNS_QUICK if quick else RUNS_ONE
    t, c = time.perf_counter(), time.process_time()
    first = services.generate_report(participation, actor=CLI)
    cold, cold_cpu = time.perf_counter() - t, time.process_time() - c
    steps.clear()
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        report = services.generate_report(participation, actor=CLI)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    one, one_cpu = statistics.median(times), statistics.median(cpu)
    data = steps.get("data", 0.0) - steps.get("chart", 0.0)  # the chart is made while building the data
    shares = {"data": data, **{k: v for k, v in steps.items() if k != "data"}}

    # The floor: Typst alone on the same document, from an empty memoisation cache each time.
    (document,), options = documents[-1]
    compiler = render._compiler()
    inputs = {
        "document": json.dumps(document, ensure_ascii=False),
        "meta": json.dumps(options["meta"], ensure_ascii=False),
        "cycle": json.dumps(options["cycle"], ensure_ascii=False),
    }
    floor_times, floor_cpu = [], []
    for _ in range(runs):
        typst_memory.evict(0)
        t, c = time.perf_counter(), time.process_time()
        compiler.compile(
            format="pdf",
            sys_inputs=inputs,
            pdf_standards=render.PDF_STANDARD,
            pdf_tags=False,
            timestamp=options["timestamp"].replace(microsecond=0),  # type: ignore[attr-defined]
        )
        floor_times.append(time.perf_counter() - t)
        floor_cpu.append(time.process_time() - c)
    typst_memory.evict(0)
    floor, floor_c = statistics.median(floor_times), statistics.median(floor_cpu)
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    say(
        f"one report ({participation.region.table_name}, {report.pages} pages, {report.size / 1024:.0f} KB): "
        f"median {one:.3f} s wall, {one_cpu:.3f} s CPU, of {runs} (wall min {min(times):.3f}, "
        f"max {max(times):.3f}); first in this process {cold:.3f} s wall, {cold_cpu:.3f} s CPU"
    )
    share = ", ".join(f"{k} {v / runs * 1000:.0f} ms" for k, v in shares.items())
    say(f"  per step (mean CPU): {share}; other {(sum(cpu) - sum(shares.values())) / runs * 1000:.0f} ms")
    say(
        f"floor, Typst alone on the same document: median {floor:.3f} s wall, {floor_c:.3f} s CPU; "
        f"this process's peak memory {own_peak:.0f} MB"
    )
    assert services.verify_report(services.read_report(first)).valid
    rows = [
        row(
            "one signed report (CPU)",
            one_cpu,
            floor_c,
            "s",
            f"≤ {AIM_ONE_CPU_S} s CPU",
            one_cpu <= AIM_ONE_CPU_S,
        ),
        row("one signed report (wall)", one, floor, "s", "-", True),
        row("first report in a process (CPU)", cold_cpu, None, "s", "-", True),
    ]

    if quick:
        say("--quick: no bulk run")
    else:
        out = Path(tempfile.mkdtemp(prefix="reports-", dir=BENCH_DIR))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t, own = time.perf_counter(), time.process_time()
        printed = io.StringIO()
        call_command(
            "reports",
            "--year",
            "2024",
            "-o",
            str(out),
            "--workers",
            str(workers),
            "--restart",
            stdout=printed,
        )
        wall, own_cpu = time.perf_counter() - t, time.process_time() - own
        print(printed.getvalue(), end="")
        # "Memori per pekerja (puncak RSS / puncak privat): 441 / 290 MB, …" (the command's own reading)
        readings = re.findall(r"(\d+) / (\d+) MB", printed.getvalue())
        worker_private = max((float(p) for _, p in readings), default=float("nan"))
        # The workers' own peak resident sets (VmHWM). Not RUSAGE_CHILDREN's ru_maxrss: Linux keeps in it
        # the resident set of the forked copy of this process before the worker's program replaced it.
        worker_peak = max((float(r) for r, _ in readings), default=float("nan"))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        files = list(out.glob("*.pdf"))
        sample = sorted(files)[:: max(1, len(files) // 10)]
        assert all(services.verify_report(p.read_bytes()).valid for p in sample)
        bulk_floor = floor_c * len(files) / workers
        say(
            f"all participants: {len(files)} signed reports with {workers} workers in {wall:.1f} s wall "
            f"({wall / max(1, len(files)):.3f} s per report); the workers used {workers_cpu:.1f} s CPU "
            f"({workers_cpu / max(1, len(files)):.3f} s per report, worker start-up included), this "
            f"process (queuing, following the progress, writing the files) {own_cpu:.1f} s; "
            f"the largest worker's peak memory {worker_peak:.0f} MB resident, "
            f"{worker_private:.0f} MB private "
            f"(its own, not the shared libraries' pages); a tenth of the files verified"
        )
        complete = len(files) >= 191
        rows += [
            row(
                f"{len(files)} reports, {workers} workers (wall)",
                wall,
                bulk_floor,
                "s",
                f"≤ {AIM_ALL_S:.0f} s",
                complete and wall <= AIM_ALL_S,
            ),
            row(
                f"{len(files)} reports, workers' CPU per report",
                workers_cpu / max(1, len(files)),
                floor_c,
                "s",
                "-",
                complete,
            ),
            row(
                "peak memory per worker (private)",
                worker_private,
                None,
                "MB",
                f"≤ {AIM_WORKER_MB} MB",
                worker_private <= AIM_WORKER_MB,
            ),
            row(
                "peak memory per worker (resident, shared libraries included)",
                worker_peak,
                None,
                "MB",
                "-",
                True,
            ),
        ]
    path = write_figures(rows)
    load = os.getloadavg()
    print()
    print(f"Report benchmark (SQLite; {os.cpu_count()} CPUs; load average {load[0]:.1f} at the end) → {path}")
    for r in rows:
        value = f"{r['project']:.3f} {r['unit']}" if r["unit"] == "s" else f"{r['project']:.0f} {r['unit']}"
        floor_text = "" if r["floor"] is None else f"  floor {r['floor']:.3f} s  ratio {r['ratio']:.2f}"
        verdict = "" if r["target"] == "-" else f"  (aim {r['target']}: {'met' if r['met'] else 'MISSED'})"
        print(f"  {r['measure']:<38}: {value}{floor_text}{verdict}")
    if load[0] > (os.cpu_count() or 1):
        print("  note: the machine was busy with other work; wall times are longer than on an idle one")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="one report only (3 runs), no bulk run")
    parser.add_argument("--measure", action="store_true", help="(internal) measure in this process")
    args = parser.parse_args()
    if args.measure:
        measure(args.workers, args.quick)
        return 0
    print("== reports ==", flush=True)
    env = prepare()
    quick = ["--quick"] if args.quick else []
    return subprocess.run(
        [sys.executable, __file__, "--measure", "--workers", str(args.workers), *quick], env=env
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
