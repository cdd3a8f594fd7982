#!/usr/bin/env bash
# The production layout on one machine, on loopback ports (deploy/RUNBOOK.md, "One machine"):
#
#   nginx        https://127.0.0.1:8443 (TLS, a self-signed certificate), http://127.0.0.1:8080 → https
#   app servers  gunicorn 127.0.0.1:8001 and 127.0.0.1:8002 (KOTACERDAS_ENV=production)
#   workers      2 × `kotacerdas db_worker`
#   database     PostgreSQL 127.0.0.1:5432, database kotacerdas_local (created when missing)
#   mail         a local SMTP sink on 127.0.0.1:2525 (messages land in var/deploy-local/mail/)
#
#   deploy/up-local.sh [--demo]      # --demo loads the 2024 demo programme (idempotent)
#   deploy/down-local.sh [--drop]    # stops everything; --drop also drops the database
#
# Everything it makes lives in var/deploy-local/ (the settings in var/deploy-local/env, logs in logs/).
# Ports and names can be moved with KOTACERDAS_LOCAL_{DIR,DB,HTTPS_PORT,HTTP_PORT,APP_PORTS,WORKERS,SMTP_PORT}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv/bin
STATE=${KOTACERDAS_LOCAL_DIR:-$ROOT/var/deploy-local}
DB=${KOTACERDAS_LOCAL_DB:-kotacerdas_local}
HTTPS_PORT=${KOTACERDAS_LOCAL_HTTPS_PORT:-8443}
HTTP_PORT=${KOTACERDAS_LOCAL_HTTP_PORT:-8080}
APP_PORTS=${KOTACERDAS_LOCAL_APP_PORTS:-8001 8002}
WORKERS=${KOTACERDAS_LOCAL_WORKERS:-2}
SMTP_PORT=${KOTACERDAS_LOCAL_SMTP_PORT:-2525}
PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER=postgres
DEMO=0
for arg in "$@"; do
  case $arg in
    --demo) DEMO=1 ;;
    *) echo "usage: deploy/up-local.sh [--demo]" >&2; exit 2 ;;
  esac
done

say() { printf '== %s\n' "$*"; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

for pidfile in "$STATE"/run/*.pid; do
  if alive "$pidfile"; then
    echo "already running ($pidfile); stop it first with deploy/down-local.sh" >&2
    exit 1
  fi
done
for needed in nginx openssl curl psql; do
  command -v "$needed" >/dev/null || { echo "$needed is not installed (deploy/RUNBOOK.md, 'Packages')" >&2; exit 1; }
done
[ -x "$VENV/gunicorn" ] || { echo "gunicorn missing: .venv/bin/pip install -e '.[deploy]'" >&2; exit 1; }
pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || { echo "PostgreSQL is not answering on $PG_HOST:$PG_PORT" >&2; exit 1; }

mkdir -p "$STATE"/{run,logs,media,mail,tls,nginx-temp}

say "settings: $STATE/env"
if [ ! -f "$STATE/env" ]; then
  # The secret is made once and kept, so that sessions and signed links survive a restart.
  secret=$("$VENV/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
  umask 077
  cat > "$STATE/env" <<ENV
KOTACERDAS_ENV=production
KOTACERDAS_SECRET_KEY=$secret
DATABASE_URL=postgres://$PG_USER@$PG_HOST:$PG_PORT/$DB
KOTACERDAS_ALLOWED_HOSTS=127.0.0.1,localhost
KOTACERDAS_PUBLIC_URL=https://127.0.0.1:$HTTPS_PORT
KOTACERDAS_MEDIA_DIR=$STATE/media
KOTACERDAS_EMAIL_HOST=127.0.0.1
KOTACERDAS_EMAIL_PORT=$SMTP_PORT
KOTACERDAS_EMAIL_TLS=0
KOTACERDAS_WEB_WORKERS=2
ENV
  umask 022
fi
set -a
# shellcheck disable=SC1091
. "$STATE/env"
set +a

say "TLS certificate (self-signed, 127.0.0.1): $STATE/tls/cert.pem"
if [ ! -f "$STATE/tls/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 90 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$STATE/tls/key.pem" -out "$STATE/tls/cert.pem" 2>/dev/null
fi

say "database $DB on $PG_HOST:$PG_PORT"
if ! psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qc "CREATE DATABASE $DB"
fi
"$VENV/kotacerdas" migrate --noinput -v 0
"$VENV/kotacerdas" check --deploy --fail-level WARNING
if [ "$DEMO" = 1 ]; then
  say "demo programme"
  "$VENV/kotacerdas" load-demo
fi

say "mail sink 127.0.0.1:$SMTP_PORT → $STATE/mail/"
setsid "$VENV/python" deploy/smtp_sink.py --port "$SMTP_PORT" --dir "$STATE/mail" \
  >>"$STATE/logs/smtp.log" 2>&1 </dev/null &
echo $! >"$STATE/run/smtp.pid"

for port in $APP_PORTS; do
  say "app server 127.0.0.1:$port"
  KOTACERDAS_BIND=127.0.0.1:$port "$VENV/gunicorn" --config deploy/gunicorn.conf.py --daemon \
    --pid "$STATE/run/web-$port.pid" --error-logfile "$STATE/logs/web-$port.log" --capture-output \
    kotacerdas.wsgi:application
done

for i in $(seq 1 "$WORKERS"); do
  say "worker $i"
  setsid "$VENV/kotacerdas" db_worker --queue-name '*' --no-reload --worker-id "local-$i" \
    >>"$STATE/logs/worker-$i.log" 2>&1 </dev/null &
  echo $! >"$STATE/run/worker-$i.pid"
done

say "nginx https://127.0.0.1:$HTTPS_PORT/ (configuration: $STATE/nginx.conf)"
# The production site file with this machine's addresses, ports and paths put in.
upstreams=""
for port in $APP_PORTS; do upstreams+="  server 127.0.0.1:$port max_fails=3 fail_timeout=10s;\n"; done
sed -e "/listen \[::\]/d" \
    -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
    -e "s|server_name kotacerdas.example.go.id;|server_name 127.0.0.1 localhost;|" \
    -e "s|return 301 https://\$host\$request_uri;|return 301 https://\$host:$HTTPS_PORT\$request_uri;|" \
    -e "s|/etc/ssl/kotacerdas/fullchain.pem|$STATE/tls/cert.pem|" \
    -e "s|/etc/ssl/kotacerdas/privkey.pem|$STATE/tls/key.pem|" \
    -e "s|/var/log/nginx/kotacerdas.access.log|$STATE/logs/nginx-access.log|" \
    -e "s|/etc/kotacerdas/nginx-app.conf|$ROOT/deploy/nginx/app.conf|" \
    -e "/server 127.0.0.1:800[0-9] /d" \
    -e "s|^upstream kotacerdas_app {|upstream kotacerdas_app {\n$upstreams|" \
    deploy/nginx/kotacerdas.conf >"$STATE/kotacerdas.conf"
user_line=""
if [ "$(id -u)" = 0 ]; then
  user_line="user nobody nogroup;"
  chown -R nobody:nogroup "$STATE/nginx-temp"
fi
cat >"$STATE/nginx.conf" <<NGINX
$user_line
worker_processes 2;
pid $STATE/run/nginx.pid;
error_log $STATE/logs/nginx-error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  client_body_temp_path $STATE/nginx-temp/body;
  proxy_temp_path $STATE/nginx-temp/proxy;
  fastcgi_temp_path $STATE/nginx-temp/fastcgi;
  uwsgi_temp_path $STATE/nginx-temp/uwsgi;
  scgi_temp_path $STATE/nginx-temp/scgi;
  include $STATE/kotacerdas.conf;
}
NGINX
nginx -t -q -p "$STATE" -c "$STATE/nginx.conf"
nginx -p "$STATE" -c "$STATE/nginx.conf"

say "waiting for https://127.0.0.1:$HTTPS_PORT/kesehatan/"
for _ in $(seq 1 60); do
  if curl -fsS --cacert "$STATE/tls/cert.pem" "https://127.0.0.1:$HTTPS_PORT/kesehatan/" >"$STATE/health.json" 2>/dev/null; then
    cat "$STATE/health.json"; echo
    say "up: https://127.0.0.1:$HTTPS_PORT/ (curl --cacert $STATE/tls/cert.pem …); stop with deploy/down-local.sh"
    exit 0
  fi
  sleep 1
done
echo "not healthy after 60 s; see $STATE/logs/ and https://127.0.0.1:$HTTPS_PORT/kesehatan/" >&2
curl -sS --cacert "$STATE/tls/cert.pem" "https://127.0.0.1:$HTTPS_PORT/kesehatan/" >&2 || true
exit 1
