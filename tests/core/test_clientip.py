"""The client's address behind the trusted proxy: one helper (core.clientip) for allauth's
rate limits, django-axes, the audit trail and the site's own limits; a forged
X-Forwarded-For is ignored unless a trusted proxy wrote it."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import AuditEvent
from core.clientip import client_ip
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NGINX = "10.0.0.5"
CLIENT_A = "203.0.113.10"
CLIENT_B = "198.51.100.20"


def through_proxy(client_address: str) -> dict:
    """What gunicorn sees behind the nginx of deploy/: nginx's socket address, and the
    client's address in X-Forwarded-For."""
    return {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": client_address}


def login(client, email, password, **meta):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **meta)


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.5", "203.0.113.10", "10.0.0.5"),  # no trusted proxy: header ignored
        (1, "10.0.0.5", "203.0.113.10", "203.0.113.10"),
        # The client wrote the left entry; nginx appended the right one.
        (1, "10.0.0.5", "1.2.3.4, 203.0.113.10", "203.0.113.10"),
        (2, "10.0.0.5", "1.2.3.4, 203.0.113.10, 10.0.0.9", "203.0.113.10"),
        (1, "10.0.0.5", "", "10.0.0.5"),  # reached without the proxy
        (2, "10.0.0.5", "203.0.113.10", "10.0.0.5"),  # fewer entries than proxies
        (1, "10.0.0.5", "not-an-address", "10.0.0.5"),
        (1, "10.0.0.5", " 2001:db8::7 ", "2001:db8::7"),
    ],
)
def test_client_ip_counts_trusted_proxies_from_the_right(
    settings, count, remote, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_one_proxy_eleven_wrong_logins_from_a_do_not_block_b(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # allauth allows 10 failed logins a minute per address.
    for i in range(11):
        login(client, f"person{i}@knpa.example", "wrong password", **through_proxy(CLIENT_A))
    blocked = login(client, "person99@knpa.example", "wrong password", **through_proxy(CLIENT_A))
    assert "Too many failed login attempts" in blocked.text
    user = UserFactory(email="officer.b@knpa.example")
    response = login(client, user.email, TEST_PASSWORD, **through_proxy(CLIENT_B))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_without_a_trusted_proxy_everyone_behind_nginx_shares_one_limit(client, settings):
    """The failure the setting fixes: with the count at 0 every client is nginx."""
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(11):
        login(client, f"person{i}@knpa.example", "wrong password", **through_proxy(CLIENT_A))
    response = login(client, "other@knpa.example", "wrong password", **through_proxy(CLIENT_B))
    assert "Too many failed login attempts" in response.text


def test_audit_rows_carry_the_clients_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="audited@knpa.example")
    login(client, user.email, "wrong password", **through_proxy(CLIENT_A))
    login(client, user.email, TEST_PASSWORD, **through_proxy(CLIENT_B))
    failed = AuditEvent.objects.get(action="auth.login_failed")
    succeeded = AuditEvent.objects.get(action="auth.login", actor=user)
    assert (failed.ip_address, succeeded.ip_address) == (CLIENT_A, CLIENT_B)


def test_with_no_trusted_proxy_a_forged_header_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    user = UserFactory(email="forger@knpa.example")
    forged = {"REMOTE_ADDR": CLIENT_A, "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    login(client, user.email, "wrong password", **forged)
    assert AuditEvent.objects.get(action="auth.login_failed").ip_address == CLIENT_A
    # Nor does rotating the forged header escape the per-address limit.
    for i in range(11):
        forged = {"REMOTE_ADDR": CLIENT_A, "HTTP_X_FORWARDED_FOR": f"192.0.2.{i}"}
        login(client, f"person{i}@knpa.example", "wrong password", **forged)
    response = login(client, "last@knpa.example", "wrong password", REMOTE_ADDR=CLIENT_A)
    assert "Too many failed login attempts" in response.text


def test_axes_records_the_clients_address(client, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory(email="axes@knpa.example")
    login(client, user.email, "wrong password", **through_proxy(CLIENT_A))
    assert AccessAttempt.objects.get(username=user.email).ip_address == CLIENT_A
