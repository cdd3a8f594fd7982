"""Benchmark of the public results pages and the results API against a trivial view on the same server.

    .venv/bin/python bench/pages.py                      # SQLite, then PostgreSQL; var/bench/pages.json
    .venv/bin/python bench/pages.py --quick              # shorter load runs
    .venv/bin/python bench/pages.py --backend sqlite     # one backend (DATABASE_URL must point at it)

For each backend the top-level run prepares a fresh database (SQLite file ``var/bench/pages.sqlite3``,
PostgreSQL ``kotacerdas_bench_pages`` on 127.0.0.1:5432) and runs this script with ``--backend`` in a
subprocess (Django's settings are set up once per process). The subprocess migrates and loads the demo
(the 2024 evaluation, published), then:

1. **server time of an uncached render** (in process, through the whole middleware with Django's test
   client, the page cache emptied before each request): the national table ``/hasil/2024/``, a region page,
   the results JSON, and the trivial view beside them; medians of several runs after one warm-up;
2. **served by gunicorn** (``bench/pages_wsgi.py``: the project plus ``/bench-floor/``, a view returning
   "ok" behind the same middleware; sync workers) under ``wrk`` (Debian package ``wrk``; keep-alive
   connections): the trivial view (the floor) and each page, cached (after a warm-up request per worker), as
   requests per second and the 95th percentile latency. Each page's ratio is its rate over the floor's.

Targets (issue 11, item 3): cached pages ≥ 50 % of the floor's rate with p95 ≤ 20 ms; the uncached national
table ≤ 60 ms of server time. The machine's load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from summary import write_figures  # noqa: E402

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
PG_DATABASE = "kotacerdas_bench_pages"
SQLITE = ROOT / "var" / "bench" / "pages.sqlite3"
FLOOR = "/bench-floor/"
PAGES = [
    ("national table", "/hasil/2024/"),
    ("national table, filtered", "/hasil/2024/?track=REGULER&sort=final"),
    ("region page", "/hasil/2024/51.03/"),
    ("landing page", "/"),
    ("results JSON", "/api/v1/cycles/2024/results"),
]
UNCACHED = [
    ("national table", "/hasil/2024/"),
    ("region page", "/hasil/2024/51.03/"),
    ("results JSON", "/api/v1/cycles/2024/results"),
]
RATIO_TARGET = 0.5
P95_TARGET_MS = 20.0
UNCACHED_TARGET_MS = 60.0
# wrk prints the median and the 95th percentile in microseconds on its last line.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("KC %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- the subprocess: one backend ---------------------------------------------------------------------------


def _prepare() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "pages_wsgi"  # the project's URLs and the trivial view, as gunicorn serves them
    from django.core.management import call_command

    from kotacerdas.results.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo(say=lambda _: None)
    from django.db import connection

    if connection.vendor == "postgresql":  # what autovacuum does soon after a load: statistics for the plans
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _server_times(runs: int) -> dict[str, float]:
    """Median server time (ms) of an uncached render of each page (every per-process cache emptied before
    each request), and of the trivial view."""
    from django.test import Client

    from kotacerdas.core.cache import reset_all

    client = Client(HTTP_HOST="127.0.0.1")
    out: dict[str, float] = {}
    for label, url in [*UNCACHED, ("trivial view", FLOOR)]:
        times = []
        for i in range(runs + 1):
            reset_all()
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - t0
            assert response.status_code == 200, (url, response.status_code)
            if i:  # the first run warms up (templates, URL configuration)
                times.append(elapsed * 1000)
        out[label] = statistics.median(times)
    return out


def _cached_server_p95(hits: int) -> dict[str, float]:
    """95th percentile server time (ms) of a cached page served in process (no network, no queue), and of
    the trivial view: what a request costs the server once the page is cached."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    out: dict[str, float] = {}
    for label, url in [*PAGES, ("trivial view", FLOOR)]:
        client.get(url)
        times = []
        for _ in range(hits):
            t0 = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        out[label] = statistics.quantiles(times, n=20)[18]
    return out


class Server:
    def __init__(self, workers: int) -> None:
        self.port = _free_port()
        self.log = open(ROOT / "var" / "bench-pages-gunicorn.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "bench.pages_wsgi:application",
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--preload"),
                *("--backlog", "2048", "--timeout", "60"),
            ],
            cwd=ROOT,
            env={**os.environ, "KOTACERDAS_ALLOWED_HOSTS": "127.0.0.1"},
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start; see var/bench-pages-gunicorn.log")

    def get(self, url: str) -> tuple[int, dict[str, str]]:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", url)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _wrk(port: int, url: str, seconds: int, connections: int, script: Path) -> dict[str, float]:
    result = subprocess.run(
        [
            "wrk",
            *("-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", str(script)),
            f"http://127.0.0.1:{port}{url}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("KC "))
    requests, duration_us, p50, p95, errors = (int(x) for x in line.split()[1:])
    if errors:
        raise RuntimeError(f"{url}: {errors} errors under load\n{result.stdout}")
    return {"rate": requests / (duration_us / 1e6), "p50_ms": p50 / 1000, "p95_ms": p95 / 1000}


def _warm(server: Server, url: str, workers: int) -> None:
    """Request ``url`` until every worker has it cached: the kernel hands connections to whichever sync
    worker accepts first, so a fixed number of requests may all land on one; ``4 × workers`` hits in a row
    (each worker caches on its first miss) make it all but certain that none is left cold."""
    streak = 0
    for _ in range(400):
        status, headers = server.get(url)
        assert status == 200, (url, status)
        streak = streak + 1 if headers.get("x-kotacerdas-cache") == "hit" else 0
        if streak >= 4 * workers:
            return
    raise RuntimeError(f"{url}: not served from the cache after 400 requests")


def run_backend(backend: str, quick: bool, workers: int) -> int:
    _prepare()
    times = _server_times(5 if quick else 15)
    cached_p95 = _cached_server_p95(50 if quick else 200)
    from django.db import connections

    connections.close_all()
    # One connection per worker: the latency is the service time, not a queue in front of busy workers.
    seconds, rounds, connections_n = (3, 1, workers) if quick else (5, 3, workers)
    server = Server(workers)
    rows: list[dict[str, Any]] = []
    try:
        for _ in range(4 * workers):
            status, _headers = server.get(FLOOR)
            assert status == 200, (FLOOR, status)
        for _label, url in PAGES:
            _warm(server, url, workers)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(WRK_SCRIPT)
            script = Path(f.name)
        # Floor and pages alternate, so that each ratio compares runs made under the same load.
        measured: dict[str, list[dict[str, float]]] = {url: [] for url in [FLOOR, *(u for _, u in PAGES)]}
        for _ in range(rounds):
            for url in measured:
                measured[url].append(_wrk(server.port, url, seconds, connections_n, script))
        script.unlink()
    finally:
        server.stop()

    def median(url: str, key: str) -> float:
        return statistics.median(m[key] for m in measured[url])

    floor_rate = median(FLOOR, "rate")
    load = _load()
    print(f"\n{backend}: gunicorn {workers} sync workers, wrk 2 threads × {connections_n} connections, ")
    print(f"{rounds} × {seconds} s per page (medians); load average {' '.join(map(str, load))}")
    print(f"  {'measure':40} {'project':>12} {'floor':>12} {'ratio':>7}  p95      met")
    floor_p95 = median(FLOOR, "p95_ms")
    print(f"  {'trivial view (floor)':40} {floor_rate:>8,.0f} /s {'':>12} {'':>7}  {floor_p95:5.1f} ms")
    for label, url in PAGES:
        rate, p95 = median(url, "rate"), median(url, "p95_ms")
        ratio = rate / floor_rate
        met = ratio >= RATIO_TARGET and p95 <= P95_TARGET_MS
        figures = f"{rate:>8,.0f} /s {floor_rate:>8,.0f} /s {ratio:>7.2f}  {p95:5.1f} ms {met}"
        print(f"  {label + ', cached':40} {figures}")
        rows.append(
            {
                "measure": f"{backend}: {label}, cached (req/s)",
                "project": round(rate, 1),
                "floor": round(floor_rate, 1),
                "unit": "req/s",
                "ratio": round(ratio, 3),
                "target": f"≥ {RATIO_TARGET:.0%} of floor",
                "met": ratio >= RATIO_TARGET,
                "load": load,
            }
        )
        rows.append(
            {
                "measure": f"{backend}: {label}, cached p95",
                "project": round(p95, 2),
                "floor": round(floor_p95, 2),
                "unit": "ms",
                "ratio": round(p95 / floor_p95, 2) if floor_p95 else None,
                "target": f"≤ {P95_TARGET_MS:.0f} ms",
                "met": p95 <= P95_TARGET_MS,
                "load": load,
            }
        )
    trivial_p95 = cached_p95.pop("trivial view")
    for label, ms in cached_p95.items():
        figures = f"{ms:>9.2f} ms {trivial_p95:>9.2f} ms {ms / trivial_p95:>7.2f}"
        print(f"  {label + ', cached server p95':40} {figures}")
        rows.append(
            {
                "measure": f"{backend}: {label}, cached, server time p95 (in process)",
                "project": round(ms / 1000, 6),
                "floor": round(trivial_p95 / 1000, 6),
                "unit": "s",
                "ratio": round(ms / trivial_p95, 2),
                "target": f"≤ {P95_TARGET_MS:.0f} ms",
                "met": ms <= P95_TARGET_MS,
                "load": load,
            }
        )
    trivial = times.pop("trivial view")
    for label, ms in times.items():
        met = ms <= UNCACHED_TARGET_MS if label == "national table" else None
        note = f"  target ≤ {UNCACHED_TARGET_MS:.0f} ms: {met}" if met is not None else ""
        figures = f"{ms:>9.1f} ms {trivial:>9.2f} ms {ms / trivial:>7.0f}{note}"
        print(f"  {label + ', uncached server time':40} {figures}")
        rows.append(
            {
                "measure": f"{backend}: {label}, uncached server time",
                "project": round(ms / 1000, 5),
                "floor": round(trivial / 1000, 6),
                "unit": "s",
                "ratio": round(ms / trivial, 1),
                "target": f"≤ {UNCACHED_TARGET_MS:.0f} ms" if met is not None else "",
                "met": met if met is not None else True,
                "load": load,
            }
        )
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "bench" / f"pages-{backend}.part.json").write_text(json.dumps(rows), encoding="utf-8")
    return 0


# --- the top-level run -------------------------------------------------------------------------------------


def _database_url(backend: str) -> str | None:
    if backend == "sqlite":
        SQLITE.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE}"
    try:
        import psycopg

        with psycopg.connect(dbname="postgres", connect_timeout=5, autocommit=True, **PG) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    except Exception as exc:  # a missing server is reported and skipped
        print(f"PostgreSQL skipped: {exc}")
        return None
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{PG_DATABASE}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], help="run one backend in this process")
    parser.add_argument(
        "--only", choices=["sqlite", "postgresql"], help="the top-level run: one backend only"
    )
    parser.add_argument("--quick", action="store_true", help="shorter runs (about a minute)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    args = parser.parse_args()
    if args.backend:
        return run_backend(args.backend, args.quick, args.workers)

    rows: list[dict[str, Any]] = []
    if shutil.which("wrk") is None:
        print("pages skipped: wrk is not installed (apt-get install -y wrk)")
        write_figures("pages", [{"measure": "pages", "skipped": "wrk is not installed"}])
        return 1
    for backend in [args.only] if args.only else ["sqlite", "postgresql"]:
        url = _database_url(backend)
        if url is None:
            rows.append({"measure": f"{backend}: pages", "skipped": "PostgreSQL not reachable"})
            continue
        part = ROOT / "var" / "bench" / f"pages-{backend}.part.json"
        part.unlink(missing_ok=True)
        command = [sys.executable, __file__, "--backend", backend, "--workers", str(args.workers)]
        subprocess.run(
            [*command, *(["--quick"] if args.quick else [])],
            env={**os.environ, "DATABASE_URL": url},
            check=True,
        )
        rows.extend(json.loads(part.read_text(encoding="utf-8")))
        part.unlink()
    path = write_figures("pages", rows)
    print(f"\nfigures written to {path.relative_to(ROOT)}")
    missed = [r["measure"] for r in rows if r.get("met") is False]
    print("all targets met" if not missed else "targets missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
