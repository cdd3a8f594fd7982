"""Load-and-fault test of the public survey endpoint (`make bench`; issue 4, "Proof").

    .venv/bin/python bench/survey_load.py                   # 10,000 submissions, 2 kills, PostgreSQL
    .venv/bin/python bench/survey_load.py --submissions 2000 --kills 1 --workers 3

What it does, all on this machine:

1. creates a fresh PostgreSQL database (127.0.0.1:5432, user postgres) and loads the demo programme into it;
   every participating region with a track gets its six public survey links;
2. starts gunicorn on 127.0.0.1 (sync workers, rate limits off: ``KOTACERDAS_SURVEY_RATE_LIMIT=off``);
3. runs concurrent clients over loopback: every submission has a client-made id and is retried with the
   same id until the server acknowledges it (201 or 200); 5 % are sent twice at the same moment by two
   clients, 5 % are sent again after their acknowledgement;
4. kills the whole gunicorn process group with SIGKILL twice during the run (at one and two thirds of the
   submissions) and starts it again: requests in flight fail, their clients retry;
5. checks in the database: every submission stored exactly once with its nine answers (0 lost,
   0 duplicated), each link's quota counter equal to its included responses;
6. prints accepted submissions per second (wall time, restarts included) and p50/p99 latency.

The run is bounded: a submission is given up after 120 s of retries (and counted as lost), the whole
run after 20 minutes; gunicorn is stopped and the database dropped at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
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

from kotacerdas.core.actors import CLI

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DATABASE = "kotacerdas_bench_survey"
RUN_LIMIT_S = 20 * 60
SUBMISSION_LIMIT_S = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AppServer:
    """gunicorn on 127.0.0.1 in its own process group, so that SIGKILL takes the master and workers."""

    def __init__(self, port: int, workers: int, env: dict[str, str]) -> None:
        self.port, self.workers, self.env = port, workers, env
        self.process: subprocess.Popen[bytes] | None = None
        self.log = open(ROOT / "var" / "bench-survey-gunicorn.log", "ab")  # noqa: SIM115

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "kotacerdas.wsgi:application",
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
            kind = "app" if "gunicorn" in cmdline and "kotacerdas.wsgi" in cmdline else ""
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


def deliver(port: int, path: str, body: bytes, stats: Stats, stop: threading.Event) -> int | None:
    """POST until the server acknowledges (201/200) or refuses (4xx); None when given up."""
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
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


def prepare(database_url: str) -> list[tuple[str, list[int]]]:
    """Migrate, load the demo, create the links; (path, question numbers) per link."""
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
    load_demo(say=lambda _: None)
    links = []
    for participation in (
        Participation.objects.filter(cycle__year=2024).exclude(track="").select_related("cycle", "region")
    ):
        for link in services.ensure_links(participation, actor=CLI):
            links.append((link_path(link), [q.number for q in services.survey_questions(link)]))
    return links


def verify(ids: list[str]) -> dict[str, int]:
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
    return {
        "lost": sum(1 for i in ids if i not in per_id),
        "duplicated": sum(n - 1 for n in per_id.values()) + (SurveyResponse.objects.count() - len(per_id)),
        "incomplete": answers,
        "quota_mismatch": quota_mismatch,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(dbname="postgres", connect_timeout=5, autocommit=True, **PG) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    database_url = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DATABASE}"
    (ROOT / "var").mkdir(exist_ok=True)
    t0 = time.perf_counter()
    links = prepare(database_url)
    print(f"prepared {DATABASE}: demo loaded, {len(links)} survey links ({time.perf_counter() - t0:.1f} s)")

    rng = random.Random(20241125)
    now = datetime.now(UTC)
    plan = []
    for i in range(args.submissions):
        path, numbers = links[i % len(links)]
        body = {
            "submission_id": str(uuid.uuid4()),
            "answers": {str(n): rng.randint(1, 4) for n in numbers},
            "started_at": (now - timedelta(seconds=rng.randint(90, 600))).isoformat(),
        }
        plan.append((path, json.dumps(body).encode()))
    rng.shuffle(plan)
    twice = set(rng.sample(range(len(plan)), len(plan) // 20))
    again = set(rng.sample(range(len(plan)), len(plan) // 20))

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KOTACERDAS_SURVEY_RATE_LIMIT": "off",
        "KOTACERDAS_SURVEY_LINK_RATE_LIMIT": "off",
        "KOTACERDAS_ALLOWED_HOSTS": "127.0.0.1",
    }
    server = AppServer(_free_port(), args.workers, env)
    server.start()
    # Warm every worker (first request of a process loads the URL configuration and templates), so that the
    # CPU figures below are those of serving, not of starting.
    for _ in range(20 * args.workers):
        try:
            _post(server.port, b"GET /s/warm-up/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        except OSError:
            time.sleep(0.1)
    meter = CpuMeter(DATABASE)
    meter.sample()
    base_app, base_db = meter.total("app"), meter.total("db")
    meter.thread.start()
    client_cpu = time.process_time()
    stats = Stats()
    stop = threading.Event()
    done = [0]
    outcome: dict[int, list[int | None]] = {}
    lock = threading.Lock()
    kill_at = [len(plan) * (k + 1) // (args.kills + 1) for k in range(args.kills)]
    kills: list[float] = []

    def one(i: int) -> None:
        path, body = plan[i]
        if i in twice:
            with ThreadPoolExecutor(2) as pair:
                codes = list(pair.map(lambda _: deliver(server.port, path, body, stats, stop), range(2)))
        else:
            codes = [deliver(server.port, path, body, stats, stop)]
        if i in again:
            codes.append(deliver(server.port, path, body, stats, stop))
        with lock:
            outcome[i] = codes
            done[0] += 1

    def killer() -> None:
        for target in kill_at:
            while done[0] < target and not stop.is_set():
                time.sleep(0.05)
            if stop.is_set():
                return
            started = time.perf_counter()
            server.kill()
            server.start()
            while not stop.is_set():  # serving again: a worker answers (404 for this path)
                try:
                    _post(
                        server.port, b"GET /s/back/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    )
                    break
                except (OSError, ValueError, IndexError):
                    time.sleep(0.02)
            kills.append(time.perf_counter() - started)

    watchdog = threading.Timer(RUN_LIMIT_S, stop.set)
    watchdog.start()
    killing = threading.Thread(target=killer)
    started = time.perf_counter()
    killing.start()
    try:
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(one, range(len(plan))))
    finally:
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu
        meter.sample()
        meter.stop.set()
        stop.set()
        killing.join()
        watchdog.cancel()
        server.stop()

    unacknowledged = sum(1 for codes in outcome.values() if any(c not in (200, 201) for c in codes))
    both_acknowledged = sum(1 for i in twice if all(c in (200, 201) for c in outcome.get(i, [None])[:2]))
    both_created = sum(1 for i in twice if outcome.get(i, [None])[:2] == [201, 201])
    resent_200 = sum(1 for i in again if outcome.get(i, [None])[-1] == 200)
    ids = [json.loads(body)["submission_id"] for _, body in plan]
    checks = verify(ids)
    latencies = sorted(stats.latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000
    print(
        f"submissions {len(plan)} (sent twice at once {len(twice)}, "
        f"re-sent after acknowledgement {len(again)}); "
        f"{args.clients} clients, gunicorn {args.workers} sync workers, PostgreSQL"
    )
    print(
        f"app server killed (SIGKILL) {len(kills)} times; "
        f"serving again after {', '.join(f'{k:.1f} s' for k in kills)}; "
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
        f"accepted {len(plan) / elapsed:.0f} submissions/s "
        f"({len(plan)} in {elapsed:.1f} s, restarts included); "
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
    if not args.keep:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(dbname="postgres", connect_timeout=5, autocommit=True, **PG) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    failed = checks["lost"] or checks["duplicated"] or checks["incomplete"] or unacknowledged
    return 1 if failed or checks["quota_mismatch"] or both_created else 0


if __name__ == "__main__":
    sys.exit(main())
