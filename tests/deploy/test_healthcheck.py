"""deploy/docker/healthcheck.py, the containers' health checks: web against a real HTTP
server on a free port, beat against schedule files of known age."""

import importlib.util
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.deploy.composefile import DEPLOY

spec = importlib.util.spec_from_file_location("healthcheck", DEPLOY / "docker" / "healthcheck.py")
healthcheck = importlib.util.module_from_spec(spec)
spec.loader.exec_module(healthcheck)


class _Site(BaseHTTPRequestHandler):
    """Answers /healthz like the site behind nginx: 200 only for its host over https, else
    the redirect to https that SECURE_SSL_REDIRECT gives."""

    def do_GET(self):
        if (
            self.path == "/healthz"
            and self.headers["Host"] == "training.example.org"
            and self.headers["X-Forwarded-Proto"] == "https"
        ):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')
        else:
            self.send_response(301)
            self.send_header("Location", f"https://{self.headers['Host']}{self.path}")
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def site_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_web_is_healthy_when_the_site_answers_its_host_over_https(site_port, monkeypatch):
    monkeypatch.setenv("PORT", str(site_port))
    monkeypatch.setenv("SITE_URL", "https://training.example.org")

    assert healthcheck.main(["web"]) == 0


def test_web_is_unhealthy_when_the_site_only_redirects(site_port, monkeypatch):
    monkeypatch.setenv("PORT", str(site_port))
    monkeypatch.setenv("SITE_URL", "https://another.example.org")

    assert healthcheck.main(["web"]) == 1


def test_web_is_unhealthy_when_nothing_listens(monkeypatch):
    with socket.socket() as probe:  # a free port, closed again: nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("PORT", str(port))

    assert healthcheck.main(["web"]) == 1


def test_beat_is_healthy_only_while_it_keeps_writing_its_schedule(tmp_path, monkeypatch):
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    (tmp_path / "beat").mkdir()
    assert healthcheck.main(["beat"]) == 1  # not started yet

    schedule = tmp_path / "beat" / "celerybeat-schedule"
    schedule.write_bytes(b"")
    wal = tmp_path / "beat" / "celerybeat-schedule-wal"
    wal.write_bytes(b"")
    stale = time.time() - healthcheck.BEAT_STALE_SECONDS - 5
    os.utime(schedule, (stale, stale))
    assert healthcheck.main(["beat"]) == 0  # the -wal file is fresh

    os.utime(wal, (stale, stale))
    assert healthcheck.main(["beat"]) == 1


def test_an_unknown_check_is_a_usage_error():
    assert healthcheck.main(["nginx"]) == 2
