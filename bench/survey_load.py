"""Survey intake against its floor, then the load-and-fault test (`make bench`; issues 4 and 11).

    .venv/bin/python bench/survey_load.py                   # 3 rounds of 2,000 each side; 6,000 with 2 kills
    .venv/bin/python bench/survey_load.py --quick           # 1 round of 1,000; 2,000 with 1 kill
    .venv/bin/python bench/survey_load.py --submissions 2000 --kills 1 --workers 3

What it does, all on this machine:

1. creates a fresh PostgreSQL database (127.0.0.1:5432, user postgres) and loads the demo programme into it;
   every participating region with a track gets its six public survey links;
2. throughput against the floor (issue 11): in each round, the same gunicorn command (sync workers,
   ``--preload``) serves first the floor (``bench/floor/survey.py``: a minimal Django view doing one INSERT
   with a unique constraint, behind the project's middleware) and then the project's endpoint, each driven
   by the same load generator with a plan of the same shape (no kills). The project runs with its DEFAULT
   rate limits on; every submission comes from its own client address through ``X-Forwarded-For`` from the
   trusted proxy on 127.0.0.1, as behind nginx. Medians over the rounds: submissions/s, p50, p99; the ratio
   project/floor; the load average. Written to ``var/bench/survey_load.json`` too;
3. the load-and-fault run, rate limits on as in 2: concurrent clients over loopback; every submission has
   a client-made id and is retried with the same id until the server acknowledges it (201 or 200); 5 % are
   sent twice at the same moment by two clients, 5 % are sent again after their acknowledgement;
   kills the whole gunicorn process group with SIGKILL twice during the run (at one and two thirds of the
   submissions) and starts it again: requests in flight fail, their clients retry;
4. checks in the database: every submission stored exactly once with its nine answers (0 lost,
   0 duplicated), each link's quota counter equal to its included responses;
5. prints accepted submissions per second (wall time, restarts included) and p50/p99 latency.

The run is bounded: a submission is given up after 120 s of retries (and counted as lost), the whole
run after 20 minutes; gunicorn is stopped and the database dropped at the end (``--keep`` keeps it). The
first run keeps the prepared database as a template (``kotacerdas_bench_survey_template``, stamped with the
migrations and the demo data); later runs copy it in seconds (``--fresh`` loads the demo again).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kotacerdas.core.actors import CLI

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DATABASE = "kotacerdas_bench_survey"
TEMPLATE = "kotacerdas_bench_survey_template"
RUN_LIMIT_S = 20 * 60
SUBMISSION_LIMIT_S = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """gunicorn on 127.0.0.1 in its own process group, so that SIGKILL takes the master and workers."""

    def __init__(
        self, port: int, workers: int, env: dict[str, str], app: str = "kotacerdas.wsgi:application"
    ) -> None:
        self.port, self.workers, self.env, self.app = port, workers, env, app
        self.process: subprocess.Popen[bytes] | None = None
        self.log = open(ROOT / "var" / "bench-survey-gunicorn.log", "ab")  # noqa: SIM115

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                self.app,
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)),
                # --preload: the app is imported once, so a restarted server forks ready workers at once.
                *("--backlog", "2048", "--timeout", "60", "--preload"),
            ],
            cwd=ROOT,
            env=self.env,
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
        raise RuntimeError("gunicorn did not start; see var/bench-survey-gunicorn.log")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class CpuMeter:
    """CPU seconds used by the app server's processes and the bench database's PostgreSQL backends,
    sampled from /proc (a killed worker keeps what it had used when last seen)."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.seen: dict[int, tuple[str, float]] = {}
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(0.25):
            self.sample()

    def sample(self) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (
                    Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            kind = "app" if "gunicorn" in cmdline and ":application" in cmdline else ""
            if cmdline.startswith("postgres:") and f" {self.database} " in cmdline:
                kind = "db"
            if kind:
                self.seen[int(entry.name)] = (kind, (int(fields[11]) + int(fields[12])) / self.ticks)

    def total(self, kind: str) -> float:
        return sum(cpu for k, cpu in self.seen.values() if k == kind)


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.codes: dict[int, int] = {}
        self.errors = 0

    def add(self, code: int, seconds: float) -> None:
        with self.lock:
            self.codes[code] = self.codes.get(code, 0) + 1
            if code in (200, 201):
                self.latencies.append(seconds)

    def error(self) -> None:
        with self.lock:
            self.errors += 1


def _post(port: int, request: bytes) -> int:
    """One POST over a fresh loopback connection; the status code. A bare socket keeps the load
    generator's own CPU small: it shares the two cores with the server and the database."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        connection.sendall(request)
        head = b""
        while b"\r\n" not in head:
            chunk = connection.recv(4096)
            if not chunk:
                raise ConnectionError("closed before the status line")
            head += chunk
        while connection.recv(65536):  # the server closes the connection after the response
            pass
    return int(head.split(b" ", 2)[1])


def deliver(
    port: int, path: str, body: bytes, stats: Stats, stop: threading.Event, client: str = ""
) -> int | None:
    """POST until the server acknowledges (201/200) or refuses (4xx); None when given up. ``client``: the
    respondent's address, sent as the trusted proxy would (X-Forwarded-For)."""
    forwarded = f"X-Forwarded-For: {client}\r\n" if client else ""
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{forwarded}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    deadline = time.monotonic() + SUBMISSION_LIMIT_S
    delay = 0.05
    while time.monotonic() < deadline and not stop.is_set():
        started = time.perf_counter()
        try:
            code = _post(port, request)
        except (OSError, ValueError, IndexError):
            stats.error()
            time.sleep(delay)
            delay = min(2.0, delay * 2)
            continue
        stats.add(code, time.perf_counter() - started)
        if code in (200, 201) or 400 <= code < 500:
            return code
        time.sleep(delay)
        delay = min(2.0, delay * 2)
    return None


def _stamp() -> str:
    """What the prepared database depends on: the migrations and the demo loader and its data."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("kotacerdas/*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
    for path in sorted([ROOT / "kotacerdas" / "results" / "demo.py", *(ROOT / "data").rglob("*")]):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def create_database(conn: Any, fresh: bool) -> bool:
    """A new bench database: a copy of the template kept by an earlier run when it was made from the same
    migrations and demo data (seconds instead of the minute or two the demo takes to load), else empty.
    True when it is a copy."""
    conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    found = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [TEMPLATE]
    ).fetchone()
    if found is not None and found[0] == _stamp() and not fresh:
        conn.execute(f"CREATE DATABASE {DATABASE} TEMPLATE {TEMPLATE}")
        return True
    conn.execute(f"CREATE DATABASE {DATABASE}")
    return False


def keep_template(conn: Any) -> None:
    """Keep the freshly prepared database as the template of the next runs."""
    conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    conn.execute(f"CREATE DATABASE {TEMPLATE} TEMPLATE {DATABASE}")
    conn.execute(f"COMMENT ON DATABASE {TEMPLATE} IS '{_stamp()}'")


def prepare(database_url: str, copied: bool) -> list[tuple[str, list[int]]]:
    """Migrate, load the demo (unless the database is a prepared copy), create the links; (path, question
    numbers) per link."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from kotacerdas.cycles.models import Participation
    from kotacerdas.results.demo import load_demo
    from kotacerdas.survey import services
    from kotacerdas.survey.views import link_path

    call_command("migrate", verbosity=0)
    if not copied:
        load_demo(say=lambda _: None)
    links = []
    for participation in (
        Participation.objects.filter(cycle__year=2024).exclude(track="").select_related("cycle", "region")
    ):
        for link in services.ensure_links(participation, actor=CLI):
            links.append((link_path(link), [q.number for q in services.survey_questions(link)]))
    return links


def verify(ids: list[str], earlier: set[str]) -> dict[str, int]:
    """The checks of the load-and-fault run's ``ids``; ``earlier``: the ids of the runs before it (stored
    too, neither lost nor duplicated by this one)."""
    from django.db.models import Count, Q

    from kotacerdas.survey.models import SurveyLink, SurveyResponse

    stored = SurveyResponse.objects.filter(response_id__in=ids)
    per_id = dict(stored.values_list("response_id").annotate(n=Count("id")).values_list("response_id", "n"))
    answers = stored.annotate(n=Count("answers")).filter(~Q(n=9)).count()
    quota_mismatch = sum(
        1
        for link in SurveyLink.objects.annotate(
            included=Count("responses", filter=Q(responses__included=True))
        )
        if link.quota_used != link.included
    )
    others = set(SurveyResponse.objects.exclude(response_id__in=ids).values_list("response_id", flat=True))
    return {
        "lost": sum(1 for i in ids if i not in per_id),
        "duplicated": sum(n - 1 for n in per_id.values()) + len(others - earlier),
        "incomplete": answers,
        "quota_mismatch": quota_mismatch,
    }


def make_plan(
    rng: random.Random, links: list[tuple[str, list[int]]], count: int, first_client: int
) -> tuple[list[tuple[str, bytes, str]], set[int], set[int]]:
    """``count`` submissions spread over the links (path, JSON body, client address), shuffled; the indexes
    of those sent twice at once and again after their acknowledgement (5 % each)."""
    now = datetime.now(UTC)
    plan = []
    for i in range(count):
        path, numbers = links[i % len(links)]
        body = {
            "submission_id": str(uuid.uuid4()),
            "answers": {str(n): rng.randint(1, 4) for n in numbers},
            "started_at": (now - timedelta(seconds=rng.randint(90, 600))).isoformat(),
        }
        c = first_client + i  # each respondent from an address of its own, as nginx reports it
        plan.append((path, json.dumps(body).encode(), f"10.{c >> 16 & 255}.{c >> 8 & 255}.{c & 255}"))
    rng.shuffle(plan)
    twice = set(rng.sample(range(len(plan)), len(plan) // 20))
    again = set(rng.sample(range(len(plan)), len(plan) // 20))
    return plan, twice, again


class Run:
    """One load run of ``plan`` against ``server`` with ``clients`` threads, killing it ``kills`` times."""

    def __init__(
        self,
        server: AppServer,
        plan: list[tuple[str, bytes, str]],
        twice: set[int],
        again: set[int],
        clients: int,
        kills: int,
    ) -> None:
        self.server, self.plan, self.twice, self.again = server, plan, twice, again
        self.clients = clients
        self.stats = Stats()
        self.stop = threading.Event()
        self.outcome: dict[int, list[int | None]] = {}
        self.kill_at = [len(plan) * (k + 1) // (kills + 1) for k in range(kills)]
        self.kills: list[float] = []
        self.elapsed = 0.0
        self._done = 0
        self._lock = threading.Lock()

    def _one(self, i: int) -> None:
        path, body, client = self.plan[i]
        port = self.server.port

        def send() -> int | None:
            return deliver(port, path, body, self.stats, self.stop, client)

        if i in self.twice:
            with ThreadPoolExecutor(2) as pair:
                codes = list(pair.map(lambda _: send(), range(2)))
        else:
            codes = [send()]
        if i in self.again:
            codes.append(send())
        with self._lock:
            self.outcome[i] = codes
            self._done += 1

    def _killer(self) -> None:
        for target in self.kill_at:
            while self._done < target and not self.stop.is_set():
                time.sleep(0.05)
            if self.stop.is_set():
                return
            started = time.perf_counter()
            self.server.kill()
            self.server.start()
            while not self.stop.is_set():  # serving again: a worker answers (404 for this path)
                try:
                    _post(
                        self.server.port,
                        b"GET /s/back/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                    )
                    break
                except (OSError, ValueError, IndexError):
                    time.sleep(0.02)
            self.kills.append(time.perf_counter() - started)

    def go(self) -> None:
        watchdog = threading.Timer(RUN_LIMIT_S, self.stop.set)
        watchdog.start()
        killing = threading.Thread(target=self._killer)
        started = time.perf_counter()
        killing.start()
        try:
            with ThreadPoolExecutor(self.clients) as pool:
                list(pool.map(self._one, range(len(self.plan))))
        finally:
            self.elapsed = time.perf_counter() - started
            self.stop.set()
            killing.join()
            watchdog.cancel()

    @property
    def unacknowledged(self) -> int:
        return sum(1 for codes in self.outcome.values() if any(c not in (200, 201) for c in codes))

    def percentile(self, q: float) -> float:
        latencies = sorted(self.stats.latencies)
        if not latencies:
            return float("nan")
        return latencies[int(q * (len(latencies) - 1))] * 1000


def warm(server: AppServer, workers: int) -> None:
    """Warm every worker (a process's first request loads the URL configuration and templates)."""
    for _ in range(20 * workers):
        try:
            _post(server.port, b"GET /s/warm-up/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        except OSError:
            time.sleep(0.1)


def throughput(
    args: argparse.Namespace, env: dict[str, str], links: list[tuple[str, list[int]]], rng: random.Random
) -> tuple[dict[str, list[float]], bool, set[str]]:
    """Rounds of floor then project on the same gunicorn command and load generator: per side the
    submissions/s, p50 and p99 of each round; whether every submission was acknowledged; the ids sent
    to the project."""
    figures: dict[str, list[float]] = {
        f"{side}_{m}": [] for side in ("floor", "project") for m in ("rate", "p50", "p99")
    }
    ok = True
    client = 0
    sent: set[str] = set()
    for round_ in range(args.rounds):
        for side, app in (
            ("floor", "bench.floor.survey:application"),
            ("project", "kotacerdas.wsgi:application"),
        ):
            plan, twice, again = make_plan(rng, links, args.round_submissions, client)
            client += len(plan)
            if side == "floor":
                plan = [(p.replace("/s/", "/bench-floor/survey/", 1), b, c) for p, b, c in plan]
            else:
                sent.update(json.loads(b)["submission_id"] for _, b, _ in plan)
            server = AppServer(_free_port(), args.workers, env, app)
            server.start()
            try:
                warm(server, args.workers)
                run = Run(server, plan, twice, again, args.clients, kills=0)
                run.go()
            finally:
                server.stop()
            rate = len(plan) / run.elapsed
            figures[f"{side}_rate"].append(rate)
            figures[f"{side}_p50"].append(run.percentile(0.5))
            figures[f"{side}_p99"].append(run.percentile(0.99))
            ok = ok and run.unacknowledged == 0
            print(
                f"round {round_ + 1} {side:7}: {rate:6.0f} submissions/s, p50 {run.percentile(0.5):5.1f} ms, "
                f"p99 {run.percentile(0.99):6.1f} ms; statuses {dict(sorted(run.stats.codes.items()))}; "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    return figures, ok, sent


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=6_000, help="of the load-and-fault run")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds (floor, then project)")
    parser.add_argument("--round-submissions", type=int, default=2_000, help="per side and round")
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1 round of 1,000; 2,000 with 1 kill")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--fresh", action="store_true", help="load the demo again, not the kept template")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.round_submissions, args.submissions, args.kills = 1, 1_000, 2_000, 1

    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(dbname="postgres", connect_timeout=5, autocommit=True, **PG) as conn:
        copied = create_database(conn, args.fresh)
    database_url = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DATABASE}"
    (ROOT / "var").mkdir(exist_ok=True)
    links = prepare(database_url, copied)
    from django.db import connection

    from bench.floor.survey import TABLE_SQL

    with connection.cursor() as cursor:
        cursor.execute(TABLE_SQL)
    connection.close()
    if not copied:
        with psycopg.connect(dbname="postgres", connect_timeout=5, autocommit=True, **PG) as conn:
            keep_template(conn)
    how = "a copy of the kept template" if copied else "demo loaded, kept as template"
    print(f"prepared {DATABASE} ({how}): {len(links)} survey links ({time.perf_counter() - t0:.1f} s)")

    rng = random.Random(20241125)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KOTACERDAS_ALLOWED_HOSTS": "127.0.0.1",
        # The load generator plays nginx: each respondent's address in X-Forwarded-For (ops/proxy.py).
        "KOTACERDAS_TRUSTED_PROXIES": "127.0.0.1",
    }
    # The default rate limits, whatever this shell sets.
    env.pop("KOTACERDAS_SURVEY_RATE_LIMIT", None)
    env.pop("KOTACERDAS_SURVEY_LINK_RATE_LIMIT", None)
    figures, throughput_ok, earlier_ids = throughput(args, env, links, rng)

    plan, twice, again = make_plan(rng, links, args.submissions, 1 << 20)
    server = AppServer(_free_port(), args.workers, env)
    server.start()
    warm(server, args.workers)
    meter = CpuMeter(DATABASE)
    meter.sample()
    base_app, base_db = meter.total("app"), meter.total("db")
    meter.thread.start()
    client_cpu = time.process_time()
    run = Run(server, plan, twice, again, args.clients, args.kills)
    try:
        run.go()
    finally:
        client_cpu = time.process_time() - client_cpu
        meter.sample()
        meter.stop.set()
        server.stop()

    outcome, stats = run.outcome, run.stats
    unacknowledged = run.unacknowledged
    both_acknowledged = sum(1 for i in twice if all(c in (200, 201) for c in outcome.get(i, [None])[:2]))
    both_created = sum(1 for i in twice if outcome.get(i, [None])[:2] == [201, 201])
    resent_200 = sum(1 for i in again if outcome.get(i, [None])[-1] == 200)
    ids = [json.loads(body)["submission_id"] for _, body, _ in plan]
    checks = verify(ids, earlier_ids)
    p50, p99 = run.percentile(0.5), run.percentile(0.99)
    print(
        f"load-and-fault run: submissions {len(plan)} (sent twice at once {len(twice)}, "
        f"re-sent after acknowledgement {len(again)}); "
        f"{args.clients} clients, gunicorn {args.workers} sync workers, PostgreSQL, default rate limits"
    )
    print(
        f"app server killed (SIGKILL) {len(run.kills)} times; "
        f"serving again after {', '.join(f'{k:.1f} s' for k in run.kills)}; "
        f"connection errors retried: {stats.errors}"
    )
    print(f"responses by status: {dict(sorted(stats.codes.items()))}")
    print(
        f"lost {checks['lost']}, duplicated {checks['duplicated']}, incomplete {checks['incomplete']}, "
        f"unacknowledged {unacknowledged}, quota counters wrong {checks['quota_mismatch']}; "
        f"pairs sent at once: both acknowledged {both_acknowledged}/{len(twice)}, both answered 201 "
        f"{both_created}; re-sends answered 200: {resent_200}/{len(again)}"
    )
    print(
        f"accepted {len(plan) / run.elapsed:.0f} submissions/s "
        f"({len(plan)} in {run.elapsed:.1f} s, restarts included); "
        f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )
    app_ms = (meter.total("app") - base_app) / len(plan) * 1000
    db_ms = (meter.total("db") - base_db) / len(plan) * 1000
    client_ms = client_cpu / len(plan) * 1000
    print(
        f"CPU per accepted submission: app server {app_ms:.1f} ms, PostgreSQL {db_ms:.1f} ms, load generator "
        f"{client_ms:.1f} ms; {os.cpu_count()} cores alone would carry about "
        f"{(os.cpu_count() or 1) * 1000 / (app_ms + db_ms + client_ms):.0f} submissions/s (load average now "
        f"{os.getloadavg()[0]:.1f}: other work on this machine slows the wall-clock figure above)"
    )

    med = {k: statistics.median(v) for k, v in figures.items()}
    ratio = med["project_rate"] / med["floor_rate"]
    load = [round(x, 2) for x in os.getloadavg()]
    print(
        f"\nsurvey intake, medians of {args.rounds} round(s) of {args.round_submissions} "
        f"(load average {load}):\n"
        f"  floor   {med['floor_rate']:6.0f}/s  p50 {med['floor_p50']:5.1f} ms  "
        f"p99 {med['floor_p99']:6.1f} ms\n"
        f"  project {med['project_rate']:6.0f}/s  p50 {med['project_p50']:5.1f} ms  "
        f"p99 {med['project_p99']:6.1f} ms\n"
        f"  ratio project/floor {ratio:.2f} (aim ≥ 0.60), p99 aim ≤ 100 ms"
    )
    lost_or_twice = checks["lost"] + checks["duplicated"]
    rows = [
        {
            "measure": "survey intake, PostgreSQL, default rate limits (submissions/s)",
            "project": round(med["project_rate"], 1),
            "floor": round(med["floor_rate"], 1),
            "unit": "/s",
            "ratio": round(ratio, 3),
            "target": "≥ 0.60 × floor",
            "met": ratio >= 0.60 and throughput_ok,
        },
        {
            "measure": "survey intake p99 latency",
            "project": round(med["project_p99"], 1),
            "floor": round(med["floor_p99"], 1),
            "unit": "ms",
            "ratio": round(med["project_p99"] / med["floor_p99"], 2),
            "target": "≤ 100 ms",
            "met": med["project_p99"] <= 100,
        },
        {
            "measure": f"survey SIGKILL run ({len(plan)}, {len(run.kills)} kills): lost + duplicated",
            "project": lost_or_twice,
            "floor": None,
            "unit": "submissions",
            "ratio": None,
            "target": "0",
            "met": lost_or_twice == 0 and not checks["incomplete"] and not unacknowledged,
        },
    ]
    sys.path.insert(0, str(ROOT / "bench"))
    from summary import write_figures

    print(f"figures written to {write_figures('survey_load', rows).relative_to(ROOT)}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(dbname="postgres", connect_timeout=5, autocommit=True, **PG) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    failed = checks["lost"] or checks["duplicated"] or checks["incomplete"] or unacknowledged
    return 1 if failed or checks["quota_mismatch"] or both_created or not throughput_ok else 0


if __name__ == "__main__":
    sys.exit(main())
