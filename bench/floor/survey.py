"""The floor of bench/survey_load.py: the least a Django view on this stack can do for a survey submission.

``POST /bench-floor/survey/`` reads the JSON body and does ONE INSERT into a bench table with a unique
constraint on the client's id (a replay inserts nothing and answers 200, a new id 201). It is served by the
same gunicorn command, behind the project's own middleware and settings, and driven by the same load
generator as the project's endpoint, so the ratio of the two is what the project's intake costs over it.
``bench/survey_load.py`` creates the table (``TABLE_SQL``) and points gunicorn at ``application`` here.
"""

import json
import os

from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")

TABLE = "bench_floor_submission"
TABLE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, submission_id uuid NOT NULL UNIQUE, "
    "path text NOT NULL, body jsonb NOT NULL, submitted_at timestamptz NOT NULL DEFAULT now())"
)


@csrf_exempt
def survey_floor(request: HttpRequest, signed: str) -> HttpResponse:
    body = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (submission_id, path, body) VALUES (%s, %s, %s) "
            "ON CONFLICT (submission_id) DO NOTHING",
            [body["submission_id"], signed, request.body.decode()],
        )
        created = cursor.rowcount == 1
    return JsonResponse(
        {"status": "stored" if created else "replay", "submission_id": body["submission_id"]},
        status=201 if created else 200,
    )


def _application() -> WSGIHandler:
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    settings.ROOT_URLCONF = __name__
    return get_wsgi_application()


application = _application()
# After setup: the project's URLs import its models.
urlpatterns = [path("bench-floor/survey/<str:signed>/", survey_floor), path("", include("kotacerdas.urls"))]
