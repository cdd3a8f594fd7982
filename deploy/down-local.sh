#!/usr/bin/env bash
# Stops what deploy/up-local.sh started (by the process ids it recorded); --drop also drops its database.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${KOTACERDAS_LOCAL_DIR:-$PWD/var/deploy-local}
DB=${KOTACERDAS_LOCAL_DB:-kotacerdas_local}
DROP=0
for arg in "$@"; do
  case $arg in
    --drop) DROP=1 ;;
    *) echo "usage: deploy/down-local.sh [--drop]" >&2; exit 2 ;;
  esac
done

stop() {  # stop the processes of these pid files together; SIGKILL what still runs after 30 s
  local pids=() pidfile pid
  for pidfile in "$@"; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      echo "== stopping $(basename "$pidfile" .pid) ($pid)"
      kill -TERM "$pid"
      pids+=("$pid")
    fi
    rm -f "$pidfile"
  done
  for _ in $(seq 1 60); do
    local running=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
    [ "$running" = 0 ] && return 0
    sleep 0.5
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      echo "   $pid still running after 30 s: SIGKILL"
      kill -KILL "$pid"
    fi
  done
}

# nginx first (no new requests), then the app servers, the workers (each finishes its task) and the mail
# sink, together.
stop "$STATE/run/nginx.pid"
stop "$STATE"/run/web-*.pid "$STATE"/run/worker-*.pid "$STATE/run/smtp.pid"
if [ "$DROP" = 1 ]; then
  echo "== dropping database $DB"
  psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  rm -rf "$STATE"
fi
echo "== down"
