"""Signup and login by email with mandatory verification, agency placement and audit rows."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, Membership, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase for training"


def signup(client, email: str, password: str = PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"email": email, "full_name": "Kim Min-jun", "password1": password, "password2": password},
    )


def test_signup_on_agency_domain_places_officer_and_requires_verification(client, agency):
    response = signup(client, "new.officer@knpa.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.officer@knpa.example")
    assert user.full_name == "Kim Min-jun"
    assert user.password.startswith("argon2")
    membership = Membership.objects.get(user=user)
    assert (membership.agency, membership.role) == (agency, Membership.Role.OFFICER)
    assert membership.status == Membership.Status.PENDING
    assert AuditEvent.objects.filter(action="account.signup", actor=user, agency=agency).exists()

    # Not verified yet: the dashboard is out of reach.
    assert client.get(reverse("certificates:dashboard")).status_code == 302

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]
    confirm = client.post(path)
    assert confirm.status_code == 302
    assert client.get(reverse("certificates:dashboard")).status_code == 200


def test_signup_without_agency_email_or_invitation_is_refused(client, agency):
    response = signup(client, "someone@mail.example")
    assert response.status_code == 200
    assert "official agency email address" in response.text
    assert not User.objects.filter(email="someone@mail.example").exists()


@pytest.mark.usefixtures("agency")
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "at least 12 characters"),
        ("password1234", "too common"),
    ],
)
def test_weak_passwords_are_refused(client, password, message):
    response = signup(client, "weak@knpa.example", password)
    assert response.status_code == 200
    assert message in response.text
    assert not User.objects.filter(email="weak@knpa.example").exists()


def test_long_passphrase_without_symbols_is_accepted(client, agency):
    response = signup(client, "long@knpa.example", "correct horse battery staple " * 2)
    assert response.status_code == 302


def test_signup_with_a_known_email_looks_the_same(client, agency):
    UserFactory(email="taken@knpa.example")
    response = signup(client, "taken@knpa.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="taken@knpa.example").count() == 1


def test_login_and_failed_login_are_audited(client):
    user = UserFactory(email="audit@knpa.example")
    bad = client.post(
        reverse("account_login"), {"login": user.email, "password": "wrong password!"}
    )
    assert bad.status_code == 200
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.outcome == "failure"
    assert failed.details == {"login": user.email}
    assert "wrong password" not in str(failed.details)

    good = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert good.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", actor=user, outcome="success").exists()


def test_login_rotates_the_session_key(client):
    user = UserFactory(email="rotate@knpa.example")
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert client.session.session_key != before


def test_unknown_email_login_error_matches_wrong_password(client):
    UserFactory(email="known@knpa.example")
    unknown = client.post(
        reverse("account_login"), {"login": "nobody@knpa.example", "password": "x" * 14}
    )
    known = client.post(
        reverse("account_login"), {"login": "known@knpa.example", "password": "x" * 14}
    )
    assert unknown.status_code == known.status_code == 200
    assert unknown.context["form"].errors == known.context["form"].errors


def test_signup_page_holds_the_password_rules_in_a_div(client):
    """The password's help text is a list: inside allauth's paragraphs (as_p) it made the page
    invalid HTML (an unclosed span, an implied end of paragraph)."""
    html = client.get(reverse("account_signup")).content.decode()
    assert '<div class="helptext" id="id_password1_helptext"><ul>' in html
    assert '<span class="helptext"' not in html
