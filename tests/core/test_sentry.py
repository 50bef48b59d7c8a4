"""Error reporting: off unless SENTRY_DSN is set; with it, an error reaches the DSN's server
(a local one here) without cookies, credentials, query string or user."""

import gzip
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

from core.observability.sentry import sentry_scrub
from tests.processes import project_python


class _Collector(BaseHTTPRequestHandler):
    """Sentry's ingestion endpoint, as far as a test needs: keeps each envelope posted."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.envelopes.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)  # a free port
    server.envelopes = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _events(envelopes) -> list[dict]:
    events = []
    for _path, body in envelopes:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_sentry_is_not_started_without_a_dsn():
    import sentry_sdk

    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


# A failing page, in a process of its own (sentry-sdk patches Django once started), through
# the WSGI application as gunicorn calls it: the database is unreachable, so reading the
# session behind the cookie raises.
FAILING_REQUEST = """
import json, sentry_sdk
from wsgiref.util import setup_testing_defaults
from config.wsgi import application
client = sentry_sdk.get_client()
print(json.dumps([client.is_active(), sorted(client.integrations)]))
environ = {
    "REQUEST_METHOD": "GET",
    "PATH_INFO": "/dashboard/",
    "QUERY_STRING": "token=query-secret",
    "HTTP_HOST": "localhost",
    "HTTP_COOKIE": "sessionid=cookie-secret",
    "HTTP_AUTHORIZATION": "Bearer header-secret",
}
setup_testing_defaults(environ)
answered = []
body = application(environ, lambda status, headers, exc_info=None: answered.append(status))
b"".join(body)
body.close()
print(answered[0].split()[0])
sentry_sdk.flush(timeout=10)
"""


def test_an_error_reaches_the_dsn_without_secrets(sentry_server):
    port = sentry_server.server_address[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/42",
        "DATABASE_URL": "postgres://nobody:pw@127.0.0.1:1/unreachable",
        "DEBUG": "true",
    }
    done = project_python("-c", FAILING_REQUEST, env=env)
    assert done.returncode == 0, done.stderr
    started, status = done.stdout.strip().splitlines()[-2:]
    active, integrations = json.loads(started)
    assert active and {"django", "celery"} <= set(integrations)
    assert status == "500"
    assert {path for path, _ in sentry_server.envelopes} == {"/api/42/envelope/"}
    # One event per failure: the user's session read, and (at times) the session
    # middleware's own.
    events = _events(sentry_server.envelopes)
    assert events
    for event in events:
        assert event["exception"]["values"][-1]["type"] == "OperationalError"
        assert event["request"]["method"] == "GET"
        assert event["transaction"] == "/dashboard/"
        sent = json.dumps(event)
        for secret in ("cookie-secret", "header-secret", "query-secret"):
            assert secret not in sent, secret
        assert "user" not in event


def test_scrub_drops_credentials_and_keeps_the_rest():
    event = {
        "request": {
            "method": "POST",
            "url": "https://training.example.org/verify/token-in-path/",
            "query_string": "next=/x",
            "cookies": {"sessionid": "s"},
            "data": {"password": "p"},
            "headers": {"Authorization": "Bearer t", "Cookie": "a=b", "User-Agent": "UA"},
        },
        "user": {"ip_address": "203.0.113.7"},
        "message": "kept",
    }
    scrubbed = sentry_scrub(event)
    assert scrubbed["request"] == {"method": "POST", "headers": {"User-Agent": "UA"}}
    assert scrubbed["message"] == "kept" and "user" not in scrubbed
