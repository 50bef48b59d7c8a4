"""WSGI entry point for gunicorn."""

import gc
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Refuse to serve without a secret key (DEBUG off and SECRET_KEY unset) rather than fail on
# the first request that signs something: Django raises ImproperlyConfigured here.
if not settings.SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")

# Every view module now (the first request would import them), then set everything loaded
# so far (modules, classes, URL patterns: about 130,000 objects the collector tracks, kept
# until the process ends) aside from the garbage collector. Its full collections no longer
# walk them, and a worker that exits (gunicorn starts each again after about 1,000 requests)
# no longer spends a quarter of a second collecting them on the way out. Measured on the
# dashboard: 3 % less CPU per request and 0.25 s less per worker exit (deploy/README.md,
# "Capacity").
get_resolver().url_patterns  # noqa: B018
gc.freeze()
