"""Scale-out run on the production layout (docs/operations.md, "Scale beyond one machine").

    KOTACERDAS_SURVEY_RATE_LIMIT=off KOTACERDAS_SURVEY_LINK_RATE_LIMIT=off deploy/up-local.sh --demo
    .venv/bin/python bench/scale_out.py                     # 3,000 survey submissions, then the bulk reports
    .venv/bin/python bench/scale_out.py --submissions 10000 --kill-app-server

Unlike ``bench/survey_load.py``, which starts its own gunicorn, this drives an installation that is already
running: the layout of ``deploy/up-local.sh`` (nginx with TLS in front of two gunicorn app servers, two
``db_worker`` processes, one PostgreSQL), through the proxy's address only. It reads the layout's settings
(``var/deploy-local/env``: database, secret key) to find the survey links and to check the outcome.

1. Survey load: the demo's survey links (six per region); concurrent HTTPS clients post submissions with
   client-made ids and retry each until it is acknowledged (201 or 200); 5 % are sent twice at the same
   moment, 5 % again after their acknowledgement (survey_load.py's plan). With ``--kill-app-server`` the
   first app server is killed (SIGKILL, master and workers) half-way and started again a few seconds later:
   the proxy sends new requests to the other one meanwhile. Then, in the database: every submission stored
   exactly once with its nine answers (0 lost, 0 duplicated), and the share of requests each app server
   answered (from the proxy's JSON access log).
2. Bulk reports: a new batch of every region's signed report, queued as one task per region and taken by the
   layout's two workers; then 0 lost (every item done, with its report), 0 duplicated (one report per
   region and one successful task per item), and how many tasks each worker ran.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import ssl
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("KOTACERDAS_LOCAL_DIR") or ROOT / "var" / "deploy-local")
SUBMISSION_LIMIT_S = 120


def load_layout_settings() -> None:
    """The layout's environment (database, secret key: survey links are signed with it) for this process."""
    env_file = STATE / "env"
    if not env_file.exists():
        sys.exit(f"{env_file} is missing: start the layout first with deploy/up-local.sh --demo")
    for line in env_file.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            os.environ[name] = value
    os.environ["DJANGO_SETTINGS_MODULE"] = "kotacerdas.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class Client:
    """HTTPS to the proxy, trusting the layout's own certificate; a fresh connection per request, as
    separate citizens' phones would open."""

    def __init__(self, url: str, cafile: Path) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 443
        self.context = ssl.create_default_context(cafile=str(cafile))

    def post(self, path: str, body: bytes) -> int:
        connection = http.client.HTTPSConnection(self.host, self.port, timeout=30, context=self.context)
        try:
            connection.request("POST", path, body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.errors = 0

    def add(self, code: int, seconds: float) -> None:
        with self.lock:
            self.codes[code] += 1
            if code in (200, 201):
                self.latencies.append(seconds)

    def error(self) -> None:
        with self.lock:
            self.errors += 1


def deliver(client: Client, path: str, body: bytes, stats: Stats) -> int | None:
    """POST until acknowledged (201/200) or refused (4xx); None when given up after two minutes."""
    deadline = time.monotonic() + SUBMISSION_LIMIT_S
    delay = 0.05
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            code = client.post(path, body)
        except (OSError, http.client.HTTPException):
            stats.error()
        else:
            stats.add(code, time.perf_counter() - started)
            if code in (200, 201) or 400 <= code < 500:
                return code
        time.sleep(delay)
        delay = min(2.0, delay * 2)
    return None


def links() -> list[tuple[str, list[int]]]:
    from kotacerdas.core.actors import CLI
    from kotacerdas.cycles.models import Participation
    from kotacerdas.survey import services
    from kotacerdas.survey.views import link_path

    found = []
    for participation in (
        Participation.objects.filter(cycle__year=2024).exclude(track="").select_related("cycle", "region")
    ):
        for link in services.ensure_links(participation, actor=CLI):
            if link.closed_at is None:
                found.append((link_path(link), [q.number for q in services.survey_questions(link)]))
    return found


class AppServerKiller:
    """Kills the first app server of the layout (gunicorn master and workers) and starts it again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.pidfile = STATE / "run" / f"web-{port}.pid"

    def kill(self) -> None:
        pid = int(self.pidfile.read_text())
        os.killpg(os.getpgid(pid), signal.SIGKILL)

    def start(self) -> None:
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                *("--config", "deploy/gunicorn.conf.py", "--daemon", "--pid", str(self.pidfile)),
                *("--error-logfile", str(STATE / "logs" / f"web-{self.port}.log"), "--capture-output"),
                "kotacerdas.wsgi:application",
            ],
            cwd=ROOT,
            env={**os.environ, "KOTACERDAS_BIND": f"127.0.0.1:{self.port}"},
            check=True,
        )


def upstream_shares(offset: int) -> Counter[str]:
    """Which app server answered the survey posts, from the proxy's access log written since ``offset``."""
    shares: Counter[str] = Counter()
    with (STATE / "logs" / "nginx-access.log").open("rb") as log:
        log.seek(offset)
        for line in log:
            entry = json.loads(line)
            if entry["method"] == "POST" and entry["uri"].startswith("/s/"):
                # After a refused connection nginx names both servers: "127.0.0.1:8001, 127.0.0.1:8002".
                shares[entry["upstream"].split(", ")[-1] or "proxy"] += 1
    return shares


def survey_run(args: argparse.Namespace) -> bool:
    sys.path.insert(0, str(ROOT / "bench"))
    from survey_load import verify

    client = Client(args.url, args.cacert)
    found = links()
    rng = random.Random(20241125)
    now = datetime.now(UTC)
    plan = []
    for i in range(args.submissions):
        path, numbers = found[i % len(found)]
        body = {
            "submission_id": str(uuid.uuid4()),
            "answers": {str(n): rng.randint(1, 4) for n in numbers},
            "started_at": (now - timedelta(seconds=rng.randint(90, 600))).isoformat(),
        }
        plan.append((path, json.dumps(body).encode()))
    rng.shuffle(plan)
    twice = set(rng.sample(range(len(plan)), len(plan) // 20))
    again = set(rng.sample(range(len(plan)), len(plan) // 20))
    print(f"survey: {len(plan)} submissions over {len(found)} links, {args.clients} clients → {args.url}")

    log_offset = (STATE / "logs" / "nginx-access.log").stat().st_size
    from kotacerdas.survey.models import SurveyResponse

    stored_before = SurveyResponse.objects.count()
    stats = Stats()
    outcome: dict[int, list[int | None]] = {}
    done = [0]
    lock = threading.Lock()
    killed: list[str] = []

    def one(i: int) -> None:
        path, body = plan[i]
        if i in twice:
            with ThreadPoolExecutor(2) as pair:
                codes = list(pair.map(lambda _: deliver(client, path, body, stats), range(2)))
        else:
            codes = [deliver(client, path, body, stats)]
        if i in again:
            codes.append(deliver(client, path, body, stats))
        with lock:
            outcome[i] = codes
            done[0] += 1

    def killer() -> None:
        target = AppServerKiller(args.app_port)
        while done[0] < len(plan) // 2:
            time.sleep(0.05)
        target.kill()
        down_at = time.perf_counter()
        time.sleep(args.down_seconds)
        target.start()
        killed.append(
            f"127.0.0.1:{args.app_port} killed at {len(plan) // 2}, back after "
            f"{time.perf_counter() - down_at:.1f} s"
        )

    threads = [threading.Thread(target=killer)] if args.kill_app_server else []
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(one, range(len(plan))))
    elapsed = time.perf_counter() - started
    for thread in threads:
        thread.join()
    time.sleep(0.5)  # the proxy's last log lines

    ids = [json.loads(body)["submission_id"] for _, body in plan]
    checks = verify(ids)
    # survey_load.verify counts every other response as a duplicate (it expects a fresh database); here the
    # database keeps earlier runs, so duplicates are the responses stored by this run beyond one per id.
    stored = SurveyResponse.objects.count() - stored_before
    checks["duplicated"] = stored - (len(ids) - checks["lost"])
    unacknowledged = sum(1 for codes in outcome.values() if any(c not in (200, 201) for c in codes))
    both_created = sum(1 for i in twice if outcome.get(i, [None])[:2] == [201, 201])
    latencies = sorted(stats.latencies)
    p50, p99 = statistics.median(latencies) * 1000, latencies[int(0.99 * (len(latencies) - 1))] * 1000
    shares = upstream_shares(log_offset)
    print(
        f"  responses by status: {dict(sorted(stats.codes.items()))}; "
        f"connection errors retried: {stats.errors}"
    )
    for line in killed:
        print(f"  app server {line}")
    print(f"  answered by: {', '.join(f'{k} {v}' for k, v in sorted(shares.items()))}")
    print(
        f"  lost {checks['lost']}, duplicated {checks['duplicated']}, incomplete {checks['incomplete']}, "
        f"unacknowledged {unacknowledged}, quota counters wrong {checks['quota_mismatch']}, "
        f"pairs both answered 201: {both_created}"
    )
    print(
        f"  {len(plan) / elapsed:.0f} submissions/s ({len(plan)} in {elapsed:.1f} s); latency p50 "
        f"{p50:.0f} ms, p99 {p99:.0f} ms"
    )
    return not (
        checks["lost"]
        or checks["duplicated"]
        or checks["incomplete"]
        or checks["quota_mismatch"]
        or unacknowledged
        or both_created
    )


def reports_run(args: argparse.Namespace) -> bool:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from kotacerdas.core.actors import CLI
    from kotacerdas.cycles.models import Cycle
    from kotacerdas.reports import services
    from kotacerdas.reports.models import ReportVersion

    cycle = Cycle.objects.get(year=2024)
    before = set(DBTaskResult.objects.values_list("id", flat=True))
    started = time.perf_counter()
    batch, _ = services.start_report_batch(cycle, resume=False, actor=CLI)
    total = services.batch_progress(batch).total
    print(f"reports: batch #{batch.pk}, {total} regions, queued for the layout's workers")
    deadline = time.monotonic() + args.reports_timeout
    while time.monotonic() < deadline:
        progress = services.batch_progress(batch)
        if progress.done + progress.failed >= total:
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    progress = services.batch_progress(batch)
    tasks = DBTaskResult.objects.exclude(id__in=before).filter(task_path__endswith="generate_batch_item")
    by_status = Counter(tasks.values_list("status", flat=True))
    workers = Counter(worker for ids in tasks.values_list("worker_ids", flat=True) for worker in ids)
    reports = ReportVersion.objects.filter(batch_item__batch=batch)
    per_region = reports.values("participation").annotate(n=Count("id"))
    duplicated = sum(row["n"] - 1 for row in per_region) + (tasks.count() - total)
    lost = total - progress.done + batch.items.filter(report__isnull=True).count()
    print(f"  tasks by status: {dict(by_status)}; run by worker: {dict(sorted(workers.items()))}")
    print(f"  lost {lost}, duplicated {duplicated}; {reports.count()} signed reports")
    print(
        f"  {total} reports in {elapsed:.1f} s ({total / elapsed:.1f} per second) with {len(workers)} workers"
    )
    return lost == 0 and duplicated == 0 and len(workers) >= 2


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="https://127.0.0.1:8443", help="the proxy's address")
    parser.add_argument("--cacert", type=Path, default=STATE / "tls" / "cert.pem")
    parser.add_argument("--submissions", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kill-app-server", action="store_true", help="kill one app server half-way")
    parser.add_argument("--app-port", type=int, default=8001, help="the app server --kill-app-server kills")
    parser.add_argument("--down-seconds", type=float, default=5.0)
    parser.add_argument("--skip-survey", action="store_true")
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--reports-timeout", type=float, default=900)
    args = parser.parse_args()
    load_layout_settings()
    ok = True
    if not args.skip_survey:
        ok = survey_run(args) and ok
    if not args.skip_reports:
        ok = reports_run(args) and ok
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
