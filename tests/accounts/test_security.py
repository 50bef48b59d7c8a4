"""Account security: MFA enforcement and encrypted secrets, lockout, idle sessions, rate
limits, no enumeration, and the permission matrix documentation."""

import io
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.adapters import MFAAdapter
from accounts.models import AuditEvent, Membership
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory, with_totp
from tests.sessions import forget_cached_session, session_cache_ttl

pytestmark = pytest.mark.django_db


def login(client, email, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.mark.parametrize("role", [Membership.Role.TRAINER, Membership.Role.AGENCY_ADMIN])
def test_staff_roles_are_sent_to_set_up_mfa_first(client, role):
    user = MembershipFactory(role=role).user
    client.force_login(user)
    for url in (reverse("certificates:dashboard"), reverse("courses:catalog")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    # Setting up MFA is itself an MFA change: allauth asks for the password first.
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 302 and setup["Location"].startswith(
        reverse("account_reauthenticate")
    )
    with_totp(user)
    assert client.get(reverse("certificates:dashboard")).status_code == 200


def test_programme_staff_need_mfa(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("certificates:dashboard"))["Location"] == reverse("mfa_activate_totp")


def test_officers_need_mfa_only_when_the_setting_says(client, officer, settings):
    client.force_login(officer)
    assert client.get(reverse("certificates:dashboard")).status_code == 200
    settings.MFA_REQUIRED_FOR_OFFICERS = True
    assert client.get(reverse("certificates:dashboard"))["Location"] == reverse("mfa_activate_totp")


def test_totp_secret_is_encrypted_at_rest():
    user = UserFactory()
    secret = with_totp(user)
    stored = Authenticator.objects.get(user=user, type="totp").data["secret"]
    assert secret not in stored
    assert MFAAdapter().decrypt(stored) == secret


def test_login_with_totp_asks_for_the_code(client):
    from tests.factories import totp_code

    user = MembershipFactory(role=Membership.Role.AGENCY_ADMIN).user
    secret = with_totp(user)
    response = login(client, user.email)
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("certificates:dashboard")).status_code == 200


def test_five_failures_lock_the_login_even_with_the_right_password(client):
    user = UserFactory(email="locked@knpa.example")
    other = UserFactory(email="other@knpa.example")
    for _ in range(5):
        login(client, user.email, "wrong password here")
    response = login(client, user.email)
    assert response.status_code == 429
    assert "Sign-in locked" in response.text
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    # Another person's login is not affected.
    assert login(client, other.email).status_code == 302


def test_admin_login_goes_through_the_site_login(client):
    user = UserFactory(email="admin.try@knpa.example", is_staff=True)
    response = client.post(
        reverse("admin:login"), {"username": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session  # no password check happened there
    # So the site's lockout (and MFA) applies to staff as to everyone.
    for _ in range(5):
        login(client, user.email, "wrong password")
    assert login(client, user.email).status_code == 429


def test_staff_unlock_releases_the_lock(client):
    from axes.utils import reset

    user = UserFactory(email="unlock@knpa.example")
    for _ in range(5):
        login(client, user.email, "wrong password here")
    assert login(client, user.email).status_code == 429
    reset(username=user.email)
    assert login(client, user.email).status_code == 302


def test_failed_logins_from_one_address_are_rate_limited(client):
    for i in range(10):
        login(client, f"person{i}@knpa.example", "wrong password")
    response = login(client, "person99@knpa.example", "wrong password")
    assert "Too many failed login attempts" in response.text


def test_idle_session_ends_after_thirty_minutes(client, officer, settings):
    """Both copies of the session end 30 minutes after the last touch: the database row's
    expiry, and the Redis copy's time to live (Redis's clock does not travel, so the test
    reads its TTL and then checks the database alone)."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_TOUCH_SECONDS == 60
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    dashboard = reverse("certificates:dashboard")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(officer)
        key = client.session.session_key
        assert client.get(dashboard).status_code == 200
        expires = Session.objects.get(session_key=key).expire_date
        assert abs(expires - (start + timedelta(minutes=30))) < timedelta(seconds=1)
        assert 30 * 60 - 5 <= session_cache_ttl(key) <= 30 * 60
    with time_machine.travel(start + timedelta(minutes=29, seconds=59), tick=False):
        forget_cached_session(key)
        assert client.get(dashboard).status_code == 200  # and this request touches it
    with time_machine.travel(start + timedelta(minutes=59, seconds=59), tick=False):
        forget_cached_session(key)
        response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_reads_write_the_session_at_most_once_a_minute_and_the_idle_timeout_holds(client, officer):
    """A page view is not a database write: the idle expiry slides forward at most once a
    minute, so a session ends 29 to 30 minutes after the last request, never later."""

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(dashboard).status_code == 200
        return sum(
            1
            for q in queries.captured_queries
            if '"django_session"' in q["sql"] and q["sql"].startswith(("UPDATE", "INSERT"))
        )

    dashboard = reverse("certificates:dashboard")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(officer)  # signing in starts the idle clock
        key = client.session.session_key
        assert session_writes() == 0
        assert session_writes() == 0
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert session_writes() == 0
        expires = Session.objects.get(pk=key).expire_date
        assert abs(expires - (start + timedelta(minutes=30))) < timedelta(seconds=1)
    last = start + timedelta(seconds=61)
    with time_machine.travel(last, tick=False):
        assert session_writes() == 1
        expires = Session.objects.get(pk=key).expire_date
        assert abs(expires - (last + timedelta(minutes=30))) < timedelta(seconds=1)
        assert 30 * 60 - 5 <= session_cache_ttl(key) <= 30 * 60
        assert session_writes() == 0
    # Requests in the next 59 seconds write nothing and do not move the end: at most a minute
    # of activity is not counted, so the session ends 29 to 30 minutes after the last request.
    with time_machine.travel(last + timedelta(seconds=59), tick=False):
        assert session_writes() == 0
    with time_machine.travel(last + timedelta(minutes=29, seconds=59), tick=False):
        forget_cached_session(key)
        assert client.get(dashboard).status_code == 200
    # That request, 29:59 after the touch, wrote a new end 30 minutes on; past it, nothing holds.
    with time_machine.travel(last + timedelta(minutes=59, seconds=59), tick=False):
        forget_cached_session(key)
        response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_password_reset_does_not_reveal_accounts(client, mailoutbox):
    UserFactory(email="known@knpa.example")
    known = client.post(reverse("account_reset_password"), {"email": "known@knpa.example"})
    unknown = client.post(reverse("account_reset_password"), {"email": "ghost@knpa.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_permission_docs_match_the_code():
    output = io.StringIO()
    call_command("permission_matrix", stdout=output)
    from django.conf import settings

    assert (settings.BASE_DIR / "docs" / "permissions.md").read_text() == output.getvalue()
