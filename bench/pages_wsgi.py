"""The app as gunicorn serves it, plus the floor of bench/pages.py: a trivial view behind the same middleware
(``/bench-floor/``, one short response, no database). Used only by the benchmark."""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def _application():  # type: ignore[no-untyped-def]
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    settings.ROOT_URLCONF = __name__
    return get_wsgi_application()


application = _application()
# After setup: the project's URLs import its models.
urlpatterns = [path("bench-floor/", floor), path("", include("kotacerdas.urls"))]
