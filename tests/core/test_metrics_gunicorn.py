"""The metrics of several gunicorn worker processes, run as deploy/gunicorn.conf.py runs them
(prometheus_client's multiprocess mode): one scrape adds up every process, a killed worker's
counts stay, a previous run's files are cleared at start; and gunicorn's own JSON lines."""

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import _database_url
from tests.metricsread import parse, value
from tests.polling import wait_for


@dataclass
class Gunicorn:
    base: str
    metrics_dir: Path
    log: Path

    def get(self, path: str) -> tuple[int, dict, bytes]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except OSError:  # not answering yet (URLError, a reset, a timeout)
            return 0, {}, b""

    def healthz_count(self) -> float | None:
        status, _, body = self.get("/metrics")
        if status != 200:
            return None
        samples = parse(body.decode())
        return value(
            samples,
            "cryptocops_http_requests_total",
            view="core:healthz",
            method="GET",
            status="200",
        )


@pytest.fixture
def gunicorn(django_db_setup, tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_424242.db").write_bytes(b"left by a previous run")
    # A free port, bound here and handed over, so nothing can take it in between.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DEBUG": "true",
        "LOG_FORMAT": "json",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    command += ["-c", str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py")]
    command += ["--bind", f"fd://{sock.fileno()}", "--control-socket", str(tmp_path / "g.ctl")]
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
        )
    sock.close()
    server = Gunicorn(f"http://127.0.0.1:{port}", metrics_dir, log)
    try:
        wait_for(lambda: server.get("/healthz")[0] == 200, timeout=60, message="gunicorn")
        yield server
    finally:
        process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _worker_pids(metrics_dir: Path) -> set[int]:
    return {int(path.stem.rsplit("_", 1)[1]) for path in metrics_dir.glob("counter_*.db")}


def test_one_scrape_counts_every_worker_process(gunicorn):
    assert not (gunicorn.metrics_dir / "counter_424242.db").exists()
    before = wait_for(gunicorn.healthz_count, timeout=30, message="no metrics")
    ids = {gunicorn.get("/healthz")[1]["X-Request-ID"] for _ in range(10)}
    assert wait_for(lambda: gunicorn.healthz_count() == before + 10, message="not counted")

    # A worker killed outright (the other answers the scrape; gunicorn's child_exit hook
    # marks the dead one): its counts stay in the sum.
    pids = _worker_pids(gunicorn.metrics_dir)
    assert pids
    os.kill(max(pids), signal.SIGKILL)
    assert wait_for(gunicorn.healthz_count, message="no metrics after the kill") >= before + 10

    # gunicorn's access lines are JSON too, under the id each response carried.
    lines = [json.loads(line) for line in gunicorn.log.read_text().splitlines() if line]
    logged = {
        line["request_id"]
        for line in lines
        if line["logger"] == "gunicorn.access" and line.get("path") == "/healthz"
    }
    assert ids <= logged
    assert not [line for line in lines if "Traceback" in line["message"]]
