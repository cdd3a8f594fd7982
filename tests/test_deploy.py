"""The deployment files (deploy/) are valid as shipped: nginx accepts the site, systemd the units, gunicorn
its configuration; and the one-machine layout comes up healthy behind the proxy and goes down again."""

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_nginx_accepts_the_production_site(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    site = (DEPLOY / "nginx" / "kotacerdas.conf").read_text()
    for production, here in {
        "/etc/ssl/kotacerdas/fullchain.pem": str(cert),
        "/etc/ssl/kotacerdas/privkey.pem": str(key),
        "/etc/kotacerdas/nginx-app.conf": str(DEPLOY / "nginx" / "app.conf"),
        "/var/log/nginx/": f"{tmp_path}/",
    }.items():
        assert production in site
        site = site.replace(production, here)
    (tmp_path / "site.conf").write_text(site)
    # The site file as /etc/nginx/nginx.conf includes it: inside `http`, beside Debian's mime types.
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_nginx_overwrites_the_headers_django_trusts() -> None:
    app = (DEPLOY / "nginx" / "app.conf").read_text()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in app
    assert "proxy_set_header X-Request-ID $kc_request_id;" in app
    assert "location = /kesehatan/ {\n  allow 127.0.0.1;" in app and "  deny all;\n" in app
    assert "client_max_body_size 25m;" in app  # evidence files of 20 MB pass


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    env = tmp_path / "env"
    env.write_text("KOTACERDAS_ENV=production\n")
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace("/opt/kotacerdas", str(ROOT)).replace("/etc/kotacerdas/env", str(env))
        (tmp_path / unit.name).write_text(text)
    instances = [
        "kotacerdas-web@8001.service",
        "kotacerdas-worker@1.service",
        "kotacerdas-migrate.service",
        "kotacerdas-reminders.service",
        "kotacerdas-reminders.timer",
    ]
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in instances)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kotacerdas-web@" not in done.stderr, done.stderr  # no warning about our own units either


def test_gunicorn_loads_the_configuration_and_the_application() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOTACERDAS_")}
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            "deploy/gunicorn.conf.py",
            "--check-config",
            "--print-config",
            "kotacerdas.wsgi:application",
        ],
        cwd=ROOT,
        env={**env, "KOTACERDAS_BIND": "127.0.0.1:18001", "KOTACERDAS_WEB_WORKERS": "3"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    printed = {
        k.strip(): v.strip() for k, _, v in (line.partition(" = ") for line in done.stdout.splitlines())
    }
    assert printed["bind"] == "['127.0.0.1:18001']"
    assert printed["workers"] == "3"
    assert printed["preload_app"] == "True"


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the layout always runs on PostgreSQL: .ci/run brings it up once, in its PostgreSQL pass",
)
def test_the_local_layout_comes_up_healthy_and_goes_down(tmp_path: Path) -> None:
    """deploy/up-local.sh as the runbook runs it (own ports, folder and database), then down-local.sh."""
    https, http, web1, web2, smtp = _free_ports(5)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("KOTACERDAS_", "DATABASE_URL"))},
        "KOTACERDAS_LOCAL_DIR": str(tmp_path / "layout"),
        "KOTACERDAS_LOCAL_DB": f"kotacerdas_layout_test_{os.getpid()}",
        "KOTACERDAS_LOCAL_HTTPS_PORT": str(https),
        "KOTACERDAS_LOCAL_HTTP_PORT": str(http),
        "KOTACERDAS_LOCAL_APP_PORTS": f"{web1} {web2}",
        "KOTACERDAS_LOCAL_SMTP_PORT": str(smtp),
    }
    try:
        up = subprocess.run(
            [str(DEPLOY / "up-local.sh")], env=env, capture_output=True, text=True, timeout=300
        )
        assert up.returncode == 0, up.stdout + up.stderr
        state = tmp_path / "layout"
        context = ssl.create_default_context(cafile=str(state / "tls" / "cert.pem"))
        request = urllib.request.Request(
            f"https://127.0.0.1:{https}/kesehatan/", headers={"X-Request-ID": "layout-test-0001"}
        )
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            assert response.status == 200
            assert json.loads(response.read())["status"] == "ok"
            assert response.headers["X-Request-ID"] == "layout-test-0001"
            assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
        # Plain http is sent to https by the proxy.
        redirect = subprocess.run(
            [
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{redirect_url}",
                f"http://127.0.0.1:{http}/",
            ],
            capture_output=True,
            text=True,
        )
        assert redirect.stdout == f"301 https://127.0.0.1:{https}/"
        # Both app servers answer, and both workers run.
        for port in (web1, web2):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/kesehatan/", timeout=30) as direct:
                assert direct.status == 200
        pids = {p.stem: int(p.read_text()) for p in (state / "run").glob("*.pid")}
        assert set(pids) == {"nginx", "smtp", f"web-{web1}", f"web-{web2}", "worker-1", "worker-2"}
        access = (state / "logs" / "nginx-access.log").read_text().splitlines()
        assert any(json.loads(line)["request_id"] == "layout-test-0001" for line in access)
        app_lines = [
            json.loads(line)
            for port in (web1, web2)
            for line in (state / "logs" / f"web-{port}.log").read_text().splitlines()
            if line.startswith("{")
        ]
        assert any(line.get("request_id") == "layout-test-0001" for line in app_lines)
        # Mail leaves through SMTP (production refuses the file backend): here, the layout's local sink.
        layout_env = dict(
            line.split("=", 1) for line in (state / "env").read_text().splitlines() if "=" in line
        )
        sent = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "kotacerdas"), "sendtestemail", "pemantau@example.go.id"],
            env={**env, **layout_env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert sent.returncode == 0, sent.stderr
        [mail] = (state / "mail").glob("*.eml")
        assert "rcpt TO:<pemantau@example.go.id>" in mail.read_text()
    finally:
        down = subprocess.run(
            [str(DEPLOY / "down-local.sh"), "--drop"], env=env, capture_output=True, text=True, timeout=180
        )
    assert down.returncode == 0, down.stdout + down.stderr
    for pid in pids.values():
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    assert not (tmp_path / "layout").exists()


def test_the_scripts_are_executable() -> None:
    for script in ("up-local.sh", "down-local.sh"):
        assert os.access(DEPLOY / script, os.X_OK)
    assert shutil.which("nginx"), "nginx (Debian's) is needed by the deployment tests; .ci/run installs it"
