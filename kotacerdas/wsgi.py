import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")
application = get_wsgi_application()
# The URL configuration (and the views it imports) loaded now, not by each worker's first request: an app
# server started with --preload forks workers that answer at once, after a restart too.
get_resolver().url_patterns  # noqa: B018
