"""WSGI entry point for gunicorn: `gunicorn config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Load the URLconf, and with it every view module (and matplotlib, which the chart views import),
# now rather than on a worker's first request: under `gunicorn --preload` the master pays those
# imports once, before forking.
get_resolver().url_patterns  # noqa: B018
