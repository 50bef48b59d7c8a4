"""Site-wide views: the home page, the public liveness check and the internal readiness
check."""

import hmac
import ipaddress
import logging

from celery import current_app as celery_app
from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from core.clientip import client_ip

logger = logging.getLogger(__name__)


def home(request):
    if request.user.is_authenticated:
        return redirect("certificates:dashboard")
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
    """Liveness, for anyone (load balancers, uptime monitors): the process answers. It asks
    nothing of the database, the broker or the workers, so it costs nothing to call often
    and cannot be used to load them."""
    return JsonResponse({"status": "ok"})


# Loopback and the private ranges a deployment's own machines use (RFC 1918, IPv6 ULA).
INTERNAL_NETWORKS = [
    ipaddress.ip_network(network)
    for network in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
]


def _readiness_allowed(request) -> bool:
    """Internal callers (loopback or private addresses, as core.clientip sees them) or
    callers holding READYZ_TOKEN."""
    token = settings.READYZ_TOKEN
    offered = request.headers.get("X-Readyz-Token", "")
    if token and offered and hmac.compare_digest(offered.encode(), token.encode()):
        return True
    address = client_ip(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return ip.is_loopback or any(ip in network for network in INTERNAL_NETWORKS)


@never_cache
def readyz(request):
    """Readiness: the database, the broker and the workers. Not for the public: it opens
    connections and pings workers, and tells what is down."""
    if not _readiness_allowed(request):
        raise Http404
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
