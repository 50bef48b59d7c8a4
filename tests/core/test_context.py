"""The request id (core.middleware.RequestIdMiddleware) and the audit context services take
instead of the request (core.audit.AuditContext): the same address as the proxy saw it, the
user agent cut short, the request id echoed to the client and written in the audit row."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.audit import audit_log
from accounts.models import AuditEvent
from core.audit import USER_AGENT_MAX, AuditContext
from core.middleware import REQUEST_ID_HEADER, request_id_for
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NGINX = "10.0.0.5"
CLIENT = "203.0.113.10"
HEX_ID = re.compile(r"[0-9a-f]{32}")


def login(client, email, password, **meta):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **meta)


def test_context_from_request_takes_the_proxys_client_address_agent_and_id(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=CLIENT, HTTP_USER_AGENT="x" * 1000
    )
    request.request_id = "abc-123"
    context = AuditContext.from_request(request)
    assert context == AuditContext(ip=CLIENT, user_agent="x" * USER_AGENT_MAX, request_id="abc-123")
    assert USER_AGENT_MAX == 256


def test_context_of_no_request_is_none():
    assert AuditContext.from_request(None) is None


def test_every_response_carries_a_new_request_id(client):
    first = client.get(reverse("account_login"))
    second = client.get(reverse("account_login"))
    assert HEX_ID.fullmatch(first[REQUEST_ID_HEADER])
    assert first[REQUEST_ID_HEADER] != second[REQUEST_ID_HEADER]


def test_behind_the_proxy_its_request_id_is_kept(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get(reverse("account_login"), headers={REQUEST_ID_HEADER: "0a1b-c2"})
    assert response[REQUEST_ID_HEADER] == "0a1b-c2"


@pytest.mark.parametrize(
    ("count", "incoming", "kept"),
    [
        (0, "0a1b2c", False),  # no trusted proxy: the client wrote it
        (1, "0a1b2c", True),
        (1, "a" * 64, True),
        (1, "a" * 65, False),  # too long
        (1, "ABC", False),  # nginx's $request_id is lower-case hex
        (1, "a b", False),
        (1, "a\nX-Injected: 1", False),
        (1, "", False),
    ],
)
def test_only_a_well_formed_id_from_a_trusted_proxy_is_kept(settings, count, incoming, kept):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", headers={REQUEST_ID_HEADER: incoming})
    request_id = request_id_for(request)
    assert (request_id == incoming) is kept
    if not kept:
        assert HEX_ID.fullmatch(request_id)


def test_audit_rows_carry_the_user_agent_and_the_request_id_of_the_response(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="agent@knpa.example")
    meta = {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": CLIENT, "HTTP_USER_AGENT": "Firefox/140"}
    failed = login(client, user.email, "wrong password", **meta)
    login(client, user.email, TEST_PASSWORD, **meta, headers={REQUEST_ID_HEADER: "nginx-id-1"})
    refused = AuditEvent.objects.get(action="auth.login_failed")
    logged_in = AuditEvent.objects.get(action="auth.login", actor=user)
    assert (refused.ip_address, refused.user_agent) == (CLIENT, "Firefox/140")
    assert refused.request_id == failed[REQUEST_ID_HEADER]
    assert (logged_in.ip_address, logged_in.request_id) == (CLIENT, "nginx-id-1")


def test_audit_rows_written_outside_a_request_carry_no_context():
    event = audit_log(action="test.batch")
    assert (event.ip_address, event.user_agent, event.request_id) == (None, "", "")


def test_nginx_sends_its_request_id_and_both_access_logs_carry_it():
    deploy = Path(__file__).resolve().parents[2] / "deploy"
    nginx = (deploy / "nginx" / "cryptocops.conf").read_text()
    assert nginx.count("proxy_set_header X-Request-ID $request_id;") == 1
    assert "rid=$request_id" in nginx
    assert "access_log /var/log/nginx/cryptocops.access.log cryptocops;" in nginx
    assert '"rid=%({x-request-id}o)s"' in (deploy / "gunicorn.conf.py").read_text()
