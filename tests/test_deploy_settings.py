"""Production settings (KOTACERDAS_ENV=production): Django's deployment checks pass, what production must
have is required by name, and idle sessions end."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "KOTACERDAS_ENV": "production",
    "KOTACERDAS_SECRET_KEY": "k" * 20 + "-production-test-secret-with-enough-entropy-0123456789",
    "KOTACERDAS_EMAIL_HOST": "smtp.kotacerdas.example.go.id",
    "KOTACERDAS_PUBLIC_URL": "https://kotacerdas.example.go.id",
    "KOTACERDAS_ALLOWED_HOSTS": "kotacerdas.example.go.id",
}


def _run(code_or_args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A production process starts without the project's variables and without the async guard's switch
    # that the browser tests set for the test process itself.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KOTACERDAS_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(env: dict[str, str], *names: str) -> dict[str, object]:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    done = _run(["-c", code], {**env, "DJANGO_SETTINGS_MODULE": "kotacerdas.settings"})
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_deployment_checks_pass_with_production_settings() -> None:
    done = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_deployment_checks_fail_without_the_production_environment() -> None:
    done = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {})
    assert done.returncode != 0
    assert "security.W004" in done.stderr  # no HSTS: the checks above are not vacuous


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("KOTACERDAS_EMAIL_HOST", "KOTACERDAS_EMAIL_HOST is required when KOTACERDAS_ENV=production"),
        ("KOTACERDAS_SECRET_KEY", "KOTACERDAS_SECRET_KEY is required"),
    ],
)
def test_production_refuses_to_start_without(missing: str, message: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    done = _run(["manage.py", "check"], env)
    assert done.returncode != 0
    assert message in done.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KOTACERDAS_PUBLIC_URL", "http://kotacerdas.example.go.id", "an https:// address"),
        ("KOTACERDAS_DEBUG", "1", "KOTACERDAS_DEBUG must be off"),
        ("KOTACERDAS_ENV", "staging", "KOTACERDAS_ENV='staging': development or production"),
    ],
)
def test_production_refuses_unsafe_values(name: str, value: str, message: str) -> None:
    done = _run(["manage.py", "check"], {**PRODUCTION, name: value})
    assert done.returncode != 0
    assert message in done.stderr


def test_production_settings_values() -> None:
    values = _settings(
        PRODUCTION,
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_AGE",
        "SESSION_SAVE_EVERY_REQUEST",
        "CSRF_TRUSTED_ORIGINS",
        "MAILERS",
        "LOG_FORMAT",
    )
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_AGE"] == 30 * 60
    assert values["SESSION_SAVE_EVERY_REQUEST"] is True
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://kotacerdas.example.go.id"]
    mailer = values["MAILERS"]["default"]  # type: ignore[index]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["LOG_FORMAT"] == "json"
    idle = _settings({**PRODUCTION, "KOTACERDAS_SESSION_IDLE_MINUTES": "10"}, "SESSION_COOKIE_AGE")
    assert idle["SESSION_COOKIE_AGE"] == 600


@pytest.mark.django_db
def test_an_idle_session_ends_and_an_active_one_goes_on(settings, admin_user) -> None:  # type: ignore[no-untyped-def]
    settings.SESSION_COOKIE_AGE = 30 * 60
    settings.SESSION_SAVE_EVERY_REQUEST = True
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        active = Client()
        active.force_login(admin_user)
        idle = Client()
        idle.force_login(admin_user)
        for _ in range(4):  # 80 minutes of work, a request every 20
            clock.shift(timedelta(minutes=20))
            assert active.get("/survei/").status_code == 200
        assert idle.get("/survei/").status_code == 302  # 80 minutes idle: signed out
        clock.shift(timedelta(minutes=31))
        assert active.get("/survei/").status_code == 302
