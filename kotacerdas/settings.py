"""Django settings, read from the environment (see CONTRACT.md, "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext

from kotacerdas.conf import ConfigurationError, env_bool, env_list, env_str

# Lets classes such as ModelAdmin[Region] be subscripted at run time, for the type checker's sake.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
DATA_DIR = BASE_DIR / "data"

DEBUG = env_bool("KOTACERDAS_DEBUG", default=False)
# `production` turns on what a real installation must have (the "production" section at the end).
ENVIRONMENT = env_str("KOTACERDAS_ENV") or "development"
if ENVIRONMENT not in {"development", "production"}:
    raise ConfigurationError(f"KOTACERDAS_ENV={ENVIRONMENT!r}: development or production")
PRODUCTION = ENVIRONMENT == "production"
SECRET_KEY = env_str("KOTACERDAS_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION or (not DEBUG and env_bool("KOTACERDAS_REQUIRE_SECRET", default=False)):
        raise ConfigurationError("KOTACERDAS_SECRET_KEY is required")
    # Development and tests only: a fixed key is fine where nothing real is signed with it.
    SECRET_KEY = "kotacerdas-insecure-development-key"
ALLOWED_HOSTS = env_list("KOTACERDAS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "kotacerdas.accounts.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    # Two-factor sign-in: TOTP apps and single-use recovery codes (kotacerdas/accounts/two_factor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "kotacerdas.accounts",
    "kotacerdas.audit",
    "kotacerdas.regions",
    "kotacerdas.cycles",
    "kotacerdas.instrument",
    "kotacerdas.selfassessment",
    "kotacerdas.review",
    "kotacerdas.survey",
    "kotacerdas.results",
    "kotacerdas.reports",
    "kotacerdas.dashboard",
    "kotacerdas.api",
    "kotacerdas.backup",
    # django-ninja's own static Swagger UI for /api/v1/docs (without it, the page loads it from a CDN).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kotacerdas.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kotacerdas.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kotacerdas.middleware.PolicyRefusalMiddleware",
    # Login throttling: locks a username from an address after repeated failures (keep it last).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kotacerdas.urls"
WSGI_APPLICATION = "kotacerdas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kotacerdas" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kotacerdas.dashboard.context_processors.latest_cycle",
            ],
        },
    },
]

if not env_str("DATABASE_URL"):
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kotacerdas.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while an import writes; IMMEDIATE avoids lock upgrades mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # One test database per test process, so that several runs on one machine never share (and drop) one.
    # SQLite tests use an in-memory database, which is private to the process anyway.
    DATABASES["default"]["TEST"] = {"NAME": f"test_kotacerdas_{os.getpid()}"}
# The tables' owner (PostgreSQL), for `migrate --database owner` and `create-app-role --database owner`: the
# app servers and workers connect as DATABASE_URL, a role that owns nothing (kotacerdas/audit/roles.py).
if env_str("DATABASE_MIGRATE_URL"):
    DATABASES["owner"] = dj_database_url.parse(env_str("DATABASE_MIGRATE_URL"))
    DATABASES["owner"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form's field is "username" (it holds the e-mail), whatever USERNAME_FIELD says.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# A second factor (TOTP app, recovery codes) is asked of everyone who set one up; with this on, admins and
# assessors must set one up before anything else (on in production, optional in the demo).
KOTACERDAS_REQUIRE_2FA = env_bool("KOTACERDAS_REQUIRE_2FA", default=PRODUCTION)
OTP_TOTP_ISSUER = "Kota Cerdas"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "kotacerdas" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "kotacerdas" / "static"]
# Static files are served by the app itself (WhiteNoise), from the apps' folders: no collectstatic step,
# no CDN, nothing else to run on an offline intranet.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env_str("KOTACERDAS_MEDIA_DIR") or VAR_DIR / "media")
MEDIA_URL = "media/"

DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Evidence files: the limit is checked by the service; uploads above this are streamed to disk meanwhile.
KOTACERDAS_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024

# E-mail (invitations, reminders): written to files under var/mail unless an SMTP server is configured.
# Django 6.1's MAILERS setting (the EMAIL_* settings are deprecated).
if env_str("KOTACERDAS_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("KOTACERDAS_EMAIL_HOST"),
                "port": int(env_str("KOTACERDAS_EMAIL_PORT") or 587),
                "username": env_str("KOTACERDAS_EMAIL_USER"),
                "password": env_str("KOTACERDAS_EMAIL_PASSWORD"),
                "use_tls": env_bool("KOTACERDAS_EMAIL_TLS", default=True),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env_str("KOTACERDAS_EMAIL_FROM") or "Kota Cerdas <noreply@kotacerdas.local>"
# The address users reach the platform at: invitation links, reminders, survey links, report QR codes.
PUBLIC_URL = (env_str("KOTACERDAS_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
# Interview meetings: each session's link is this address followed by its own unguessable room name (a
# Jitsi Meet server by default; any service whose rooms are opened by their URL will do).
INTERVIEW_MEETING_URL = env_str("KOTACERDAS_MEETING_URL") or "https://meet.jit.si/"
if not INTERVIEW_MEETING_URL.startswith(("https://", "http://")):
    raise ConfigurationError(f"KOTACERDAS_MEETING_URL={INTERVIEW_MEETING_URL!r}: an http(s):// address")

# Logs go to stderr (journald under systemd): JSON lines in production, one object per record with the
# request id (kotacerdas/ops); every request is one INFO line of `kotacerdas.request`.
LOG_FORMAT = env_str("KOTACERDAS_LOG_FORMAT") or ("json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ConfigurationError(f"KOTACERDAS_LOG_FORMAT={LOG_FORMAT!r}: json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "kotacerdas.ops.logs.JsonFormatter"},
        "text": {"()": "kotacerdas.ops.logs.TextFormatter", "format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "kotacerdas.request": {
            "level": env_str("KOTACERDAS_REQUEST_LOG_LEVEL") or ("INFO" if PRODUCTION else "WARNING")
        }
    },
}

# --- survey ---
from kotacerdas.survey.rates import env_rate  # noqa: E402  (pure Python: no Django needed yet)

# Rate limits of the public survey submission: per client and link (CONTRACT.md), and per link for all
# clients together. ``off`` turns a limit off (load tests).
SURVEY_RATE_LIMIT = env_rate("KOTACERDAS_SURVEY_RATE_LIMIT", "20/h")
SURVEY_LINK_RATE_LIMIT = env_rate("KOTACERDAS_SURVEY_LINK_RATE_LIMIT", "300/h")
# Days a response keeps its contact and client hashes (repeat-contact and same-client checks); then
# `kotacerdas purge-survey-contacts` (daily, from cron or the timer in deploy/) forgets them.
_contact_days = env_str("KOTACERDAS_SURVEY_CONTACT_DAYS", "365")
if not _contact_days.isdigit():
    raise ConfigurationError(f"KOTACERDAS_SURVEY_CONTACT_DAYS={_contact_days!r}: a number of days")
SURVEY_CONTACT_RETENTION_DAYS = int(_contact_days)
# Seconds between two recomputations of a region's live results triggered by online responses (the
# first response after a quiet period recomputes at once; later ones wait for the next). 0: every
# included response recomputes; ``off``: only admin decisions, closing a link and `survey-recompute` do.
SURVEY_RECOMPUTE_EVERY = env_str("KOTACERDAS_SURVEY_RECOMPUTE_EVERY", "60")
if SURVEY_RECOMPUTE_EVERY != "off" and not SURVEY_RECOMPUTE_EVERY.isdigit():
    raise ConfigurationError(f"KOTACERDAS_SURVEY_RECOMPUTE_EVERY={SURVEY_RECOMPUTE_EVERY!r}: seconds or off")
# Counters of the rate limits and the recompute debounce live in a table of the database every app server
# shares (Django's database cache): no other service is needed.
CACHES = globals().get("CACHES") or {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES["survey"] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "kotacerdas_survey_cache",
    "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 4},
}
# The address `survey-links` prints links under (web pages build them from the request instead); the same
# variable as the reports' public address.

# --- reports ---
INSTALLED_APPS += ["django_tasks_db"]
# Background work (the reports of every region) runs in `kotacerdas db_worker --queue-name reports` processes.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "reports"]}}
# The PKCS#12 signer of reports and letters; without one, the demo signer made by `load-demo` is used.
REPORT_SIGNER_P12 = env_str("KOTACERDAS_SIGNER_P12")
REPORT_SIGNER_PASSWORD = env_str("KOTACERDAS_SIGNER_PASSWORD")
REPORT_DEMO_SIGNER_DIR = VAR_DIR / "signer"
# The public address printed on reports (verification link and QR code).

# --- operations: request ids, health, Content-Security-Policy (kotacerdas/ops, docs/operations.md) ---
INSTALLED_APPS += ["csp"]
# The request id first, so that every later middleware's log lines carry it; the CSP header on every
# response (no 'unsafe-inline': templates keep their scripts and styles in static files).
MIDDLEWARE.insert(0, "kotacerdas.ops.requestid.RequestIdMiddleware")
# Behind the proxy, the client's address comes from the proxy's X-Forwarded-For (kotacerdas/ops/proxy.py):
# the survey's per-client limits and the login lockout key on it. Only these peers are believed (in
# production the app servers listen on the loopback, where only nginx reaches them).
TRUSTED_PROXIES = env_list("KOTACERDAS_TRUSTED_PROXIES", ["127.0.0.1", "::1"] if PRODUCTION else [])
MIDDLEWARE.insert(1, "kotacerdas.ops.proxy.ProxiedClientMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# A read replica of the database (optional) serves the anonymous public pages (kotacerdas/ops/replica.py).
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(env_str("DATABASE_REPLICA_URL"), conn_max_age=60)
    # Tests read the primary under this name, as a replica would show it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["kotacerdas.ops.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "kotacerdas.ops.replica.PublicReadsMiddleware",
    )
# Health (GET /kesehatan/): 503 when the oldest ready background task has waited longer than this, or the
# media folder's disk has less free space.
HEALTH_QUEUE_MAX_AGE = int(env_str("KOTACERDAS_HEALTH_QUEUE_MAX_AGE") or 300)
HEALTH_MEDIA_MIN_FREE_BYTES = int(env_str("KOTACERDAS_HEALTH_MIN_FREE_MB") or 1024) * 1024 * 1024

# --- production (KOTACERDAS_ENV=production; deploy/RUNBOOK.md) ---
if PRODUCTION:
    if DEBUG:
        raise ConfigurationError("KOTACERDAS_DEBUG must be off when KOTACERDAS_ENV=production")
    if not env_str("KOTACERDAS_EMAIL_HOST"):
        # Invitations, password resets and reminders must leave the machine: no mail written to files.
        raise ConfigurationError("KOTACERDAS_EMAIL_HOST is required when KOTACERDAS_ENV=production (SMTP)")
    if not PUBLIC_URL.startswith("https://"):
        raise ConfigurationError(
            f"KOTACERDAS_PUBLIC_URL={PUBLIC_URL!r}: an https:// address when KOTACERDAS_ENV=production"
        )
    # TLS ends at the reverse proxy, which says so in X-Forwarded-Proto (deploy/nginx); the proxy must set
    # or overwrite that header on every request.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Health checks from the proxy and systemd come over plain HTTP on the loopback.
    SECURE_REDIRECT_EXEMPT = [r"^kesehatan/$"]
    SECURE_HSTS_SECONDS = int(env_str("KOTACERDAS_HSTS_SECONDS") or 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KOTACERDAS_HSTS_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("KOTACERDAS_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [PUBLIC_URL]
    # An idle session ends: the cookie's age restarts with every request, so it expires only after this
    # many minutes without one (a shared office computer left signed in).
    SESSION_COOKIE_AGE = int(env_str("KOTACERDAS_SESSION_IDLE_MINUTES") or 30) * 60
    SESSION_SAVE_EVERY_REQUEST = True
    SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    # Connections are reused across requests, and checked before reuse (a restarted PostgreSQL).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
