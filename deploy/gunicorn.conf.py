"""gunicorn settings for one Kota Cerdas app server (deploy/RUNBOOK.md).

Each app server is one gunicorn master on a loopback port behind the reverse proxy; run one per machine
(or several on one machine, each its own port). The address comes from ``KOTACERDAS_BIND``
(``127.0.0.1:8001``), the worker count from ``KOTACERDAS_WEB_WORKERS`` (2 × cores + 1).
"""

import multiprocessing
import os

bind = os.environ.get("KOTACERDAS_BIND", "127.0.0.1:8001")
# Sync workers: every request is short (reports are made by the db_worker processes, not here).
workers = int(os.environ.get("KOTACERDAS_WEB_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
# A worker stuck longer than this is killed and replaced (an upload of 20 MB over a slow line included).
timeout = 60
graceful_timeout = 30
# Import the application once in the master: workers fork ready, and a broken configuration fails start-up.
preload_app = True
# Workers are recycled now and then, so that a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
backlog = 2048
# The proxy speaks to gunicorn over the loopback only; it sets X-Forwarded-Proto, which Django trusts
# (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = "127.0.0.1"
# The app writes one JSON line per request with its request id (kotacerdas.ops); gunicorn's own access
# log would only repeat it without the id. Its error log (start, stop, worker timeouts) goes to stderr.
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "kotacerdas-web"
