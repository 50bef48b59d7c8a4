"""Container health checks for deploy/compose.yaml: exit 0 when healthy, 1 when not.

    deploy/docker/entrypoint.sh healthcheck web|worker|beat

web     GET /healthz from gunicorn itself, as nginx would send it (the site's host name and
        X-Forwarded-Proto: https, or the site would answer with a redirect to https)
worker  the broker carries a ping to this container's worker and its answer back
beat    the schedule file was written in the last BEAT_STALE_SECONDS (600): beat saves it
        every few minutes while it runs, and the outbox sweep is due every minute
"""

import glob
import os
import socket
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

BEAT_STALE_SECONDS = int(os.environ.get("BEAT_STALE_SECONDS", "600"))


def web_healthy() -> bool:
    host = urlsplit(os.environ.get("SITE_URL", "")).hostname or "localhost"
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    # S310: a fixed http URL on loopback.
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status == 200


def worker_healthy() -> bool:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.celery import app

    replies = app.control.ping(destination=[f"worker@{socket.gethostname()}"], timeout=5)
    return bool(replies)


def beat_healthy() -> bool:
    schedule = Path(os.environ.get("VAR_DIR", "/var/lib/cryptocops")) / "beat"
    # The schedule is a dbm database: one file or several (-wal, .db, .dat), by backend.
    files = glob.glob(str(schedule / "celerybeat-schedule*"))
    if not files:
        return False
    return time.time() - max(os.path.getmtime(name) for name in files) < BEAT_STALE_SECONDS


CHECKS = {"web": web_healthy, "worker": worker_healthy, "beat": beat_healthy}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in CHECKS:
        print(f"usage: healthcheck.py {'|'.join(CHECKS)}", file=sys.stderr)
        return 2
    try:
        healthy = CHECKS[argv[0]]()
    except Exception as error:  # any failure to answer is "unhealthy", with its reason
        print(f"{argv[0]}: {error}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
