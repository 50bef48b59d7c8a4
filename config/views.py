"""Site-wide views: the home page and the health check."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: database unreachable")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("Health check: broker unreachable")
        return False


def _workers_answering() -> int:
    try:
        replies = celery_app.control.ping(timeout=1.0) or []
    except Exception:
        return 0
    return len(replies)


@never_cache
def healthz(request):
    database = _database_ok()
    broker = _broker_ok()
    workers = _workers_answering() if broker else 0
    body = {
        "status": "ok" if database and broker else "degraded",
        "database": "ok" if database else "down",
        "broker": "ok" if broker else "down",
        "worker": "ok" if workers else "none",
        "workers": workers,
    }
    return JsonResponse(body, status=200 if database and broker else 503)
