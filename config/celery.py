"""The Celery application; tasks live in each app's tasks.py."""

import os

from celery import Celery

# Connects the request id's hand-over to tasks, the worker's logging and its outcome counts.
import core.observability.worker  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("cryptocops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
