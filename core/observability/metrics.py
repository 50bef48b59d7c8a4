"""Per-request Prometheus metrics: rate, latency, status and database queries, labelled by
the resolved view's name (never the raw path, so the number of series stays bounded).

Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes prometheus_client keep each worker process's
values in memory-mapped files there, which /metrics adds up; without it (runserver,
tests) they live in this process. Recording a request costs a few microseconds: no query,
no Redis call, no lock held across processes."""

import hmac
import ipaddress
from functools import lru_cache
from time import perf_counter

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram

from core.clientip import client_ip
from core.observability.scrape import metrics_exposition

# Served by the middleware itself, to the callers metrics_allowed admits: a scraper reaches a
# web node directly over the private network, by its address (no allowed Host) and over
# plain HTTP (no HTTPS redirect), and needs no session or user. Anyone else goes down the
# usual path and gets the site's 404 page, as for any unknown address.
METRICS_PATH = "/metrics"

# Requests that never reached a view: answered by a middleware (a redirect to HTTPS, the
# lockout page) or matched no URL (a 404 for an unknown path).
UNRESOLVED = "<unresolved>"
# Any other verb a client makes up is counted under one label, not one series each.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "cryptocops_http_requests",
    "HTTP requests answered, by view, method and status code (errors: status 5xx).",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "cryptocops_http_request_duration_seconds",
    "Time from the first middleware to the response, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QUERIES = Histogram(
    "cryptocops_db_queries_per_request",
    "Database queries run while answering one request, by view.",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200),
)


class _QueryCounter:
    """connection.execute_wrapper: counts the statements, adds nothing else to them."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@lru_cache(maxsize=4)
def _networks(allowed: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(network, strict=False) for network in allowed)


def metrics_allowed(request: HttpRequest) -> bool:
    """A caller holding METRICS_TOKEN (Authorization: Bearer), or one whose address (as
    core.clientip sees it behind the trusted proxy) is in METRICS_ALLOWED_NETWORKS."""
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    scheme, _, credential = offered.partition(" ")
    if token and scheme == "Bearer" and hmac.compare_digest(credential.encode(), token.encode()):
        return True
    address = client_ip(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS)))


def metrics_response() -> HttpResponse:
    response = HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response


class MetricsMiddleware:
    """Outermost, so the latency includes every other middleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        # (view, method, status) -> the three series it updates: labels() validates and
        # locks on every call, a plain dict lookup does not (a race only looks one up twice).
        self._series: dict[tuple[str, str, int], tuple] = {}

    def __call__(self, request):
        if request.path == METRICS_PATH and metrics_allowed(request):
            return metrics_response()
        started = perf_counter()
        queries = _QueryCounter()
        # What connection.execute_wrapper() does, without a generator-based context manager
        # per request.
        wrappers = connection.execute_wrappers
        wrappers.append(queries)
        try:
            response = self.get_response(request)
        finally:
            wrappers.pop()
        elapsed = perf_counter() - started
        match = request.resolver_match
        key = (
            match.view_name if match is not None else UNRESOLVED,
            request.method if request.method in _METHODS else "other",
            response.status_code,
        )
        series = self._series.get(key)
        if series is None:
            view, method, status = key
            series = self._series.setdefault(
                key,
                (
                    REQUESTS.labels(view, method, str(status)),
                    LATENCY.labels(view),
                    QUERIES.labels(view),
                ),
            )
        requests, latency, query_counts = series
        requests.inc()
        latency.observe(elapsed)
        query_counts.observe(queries.count)
        return response
