"""Gunicorn settings for the CryptoCops web process.

Started as::

    gunicorn config.wsgi:application -c deploy/gunicorn.conf.py

Everything tunable comes from the environment (the systemd units read
/etc/cryptocops/env):

PORT                 listen on all interfaces on this port (web nodes behind a
                     separate nginx host); unset: listen on 127.0.0.1:8000 only
WEB_CONCURRENCY      number of worker processes (default: 2 * CPUs + 1, max 12)
GUNICORN_THREADS     threads per worker process (default: 4)
FORWARDED_ALLOW_IPS  comma-separated proxy addresses/networks whose
                     X-Forwarded-Proto header is trusted (default: 127.0.0.1)
GUNICORN_LOG_LEVEL   error-log level (default: info)
LOG_FORMAT           json (default unless DEBUG is true) or text: gunicorn's own lines
                     (access and error log) as one JSON object each, like the site's
PROMETHEUS_MULTIPROC_DIR
                     a directory only this service writes (the unit's RuntimeDirectory):
                     each worker process keeps its metrics there, /metrics adds them up;
                     emptied when gunicorn starts

Only the standard library may be imported here; the hooks and the JSON formatter import
the project's stdlib-only logging module and prometheus_client when they run.
"""

import os

MAX_DEFAULT_WORKERS = 12


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, got {value}")
    return value


def _cpu_count() -> int:
    # Honour CPU affinity / cgroup cpusets where the platform exposes them.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _bind() -> list[str]:
    port = os.environ.get("PORT", "").strip()
    if not port:
        return ["127.0.0.1:8000"]
    _env_int("PORT", 8000)  # validate
    # Web nodes are reached by nginx over the private network; restrict the
    # port to the nginx host(s) with the host firewall.
    return [f"0.0.0.0:{port}"]


# --- Server socket -----------------------------------------------------------
bind = _bind()
backlog = 2048

# --- Worker processes --------------------------------------------------------
default_workers = min(2 * _cpu_count() + 1, MAX_DEFAULT_WORKERS)
workers = _env_int("WEB_CONCURRENCY", default_workers)
worker_class = "gthread"
threads = _env_int("GUNICORN_THREADS", 4)

# A request that takes longer than this is a bug (slow work such as
# certificate rendering runs in Celery); nginx waits a little longer.
timeout = 30
graceful_timeout = 30
# Slightly longer than nginx's upstream keepalive_timeout (4s) so that nginx,
# not gunicorn, closes idle upstream connections.
keepalive = 5

# Recycle workers periodically to contain slow memory growth; the jitter keeps
# all workers from restarting at the same moment.
max_requests = 1000
max_requests_jitter = 100

# The application is imported in each worker (no preload): a HUP reload then
# picks up new code, and database connections are never shared across fork.
preload_app = False

# --- Proxy -------------------------------------------------------------------
# X-Forwarded-Proto from these addresses sets wsgi.url_scheme, so Django's
# request.is_secure() and SECURE_SSL_REDIRECT see the original https scheme.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# --- Logging -----------------------------------------------------------------
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address as set by nginx (X-Forwarded-For), not nginx's own address; last, the
# request id the site answered with (nginx's, or one the site made up without a proxy).
access_log_format = " ".join(
    [
        "%({x-forwarded-for}i)s",
        "%(l)s",
        "%(u)s",
        "%(t)s",
        '"%(r)s"',
        "%(s)s",
        "%(b)s",
        '"%(f)s"',
        '"%(a)s"',
        "%(M)sms",
        "rid=%({x-request-id}o)s",
    ]
)


def _json_logs() -> bool:
    chosen = os.environ.get("LOG_FORMAT", "").strip().lower()
    if chosen:
        return chosen == "json"
    return os.environ.get("DEBUG", "").strip().lower() not in {"1", "true", "yes", "on"}


if _json_logs():
    # The same JSON lines as the site's (core.observability.logs): the access log's fields
    # (method, path, status, duration, client, request id) become keys of their own.
    def _stream(name: str) -> dict:
        return {"class": "logging.StreamHandler", "formatter": "json", "stream": name}

    logconfig_dict = {
        "formatters": {"json": {"()": "core.observability.logs.JsonFormatter"}},
        "handlers": {"stdout": _stream("ext://sys.stdout"), "stderr": _stream("ext://sys.stderr")},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {
                "level": loglevel.upper(),
                "handlers": ["stderr"],
                "propagate": False,
            },
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }

# --- Process naming ----------------------------------------------------------
proc_name = "cryptocops-web"


# --- Metrics (prometheus_client's multiprocess mode) --------------------------
def _metrics_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()


def on_starting(server) -> None:
    """Values left by a previous run's processes would be added to this run's: start empty
    (a reload with HUP keeps them, as the counters must keep counting)."""
    directory = _metrics_dir()
    if not directory:
        if server.cfg.workers > 1:
            server.log.warning(
                "PROMETHEUS_MULTIPROC_DIR is not set: /metrics shows only the worker process "
                "that answers each scrape"
            )
        return
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith(".db"):
            os.remove(os.path.join(directory, name))


def child_exit(server, worker) -> None:
    """A worker that exited (recycled after max_requests, killed, crashed) stops counting
    towards the live gauges; its counters and histograms stay in the sums."""
    if _metrics_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
