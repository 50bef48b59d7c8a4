"""The viewer's memberships, read once per request: one query for every middleware, check and
menu that asks, and nothing kept from one request to the next."""

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from accounts.viewer import memberships_of, reads_close, reads_open
from tests.factories import AgencyFactory, MembershipFactory, admin_of, with_totp

pytestmark = pytest.mark.django_db


def membership_reads(queries, user) -> int:
    """Reads of this user's memberships (the roster's own rows are read by agency)."""
    mine = (f'"accounts_membership"."user_id" = {user.pk}', f'm."user_id" = {user.pk}')
    return sum(1 for q in queries.captured_queries if any(m in q["sql"] for m in mine))


def test_a_page_reads_the_viewers_memberships_once(client):
    agency = AgencyFactory()
    admin = admin_of(agency)
    client.force_login(admin)
    url = reverse("reports:roster", args=[agency.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # The MFA policy and device, the time zone, three permission checks and the menu's roles.
    assert membership_reads(queries, admin) == 1
    # The MFA device comes in the same read (a subquery), not in a query of its own.
    assert not any(
        'FROM "mfa_authenticator"' in q["sql"] and '"accounts_membership"' not in q["sql"]
        for q in queries.captured_queries
    )


def test_a_role_taken_away_is_refused_on_the_next_request(client):
    agency = AgencyFactory()
    admin = admin_of(agency)
    client.force_login(admin)
    url = reverse("reports:roster", args=[agency.pk])
    assert client.get(url).status_code == 200
    # A bulk update sends no signal: nothing may have been kept from the last request.
    Membership.objects.filter(user=admin).update(status=Membership.Status.REJECTED)
    assert client.get(url).status_code == 404


def test_a_membership_saved_inside_a_request_is_read_again(django_assert_num_queries):
    membership = MembershipFactory()
    user = membership.user
    token = reads_open()
    try:
        with django_assert_num_queries(1):
            assert memberships_of(user) == [membership]
            assert memberships_of(user) == [membership]
        second = MembershipFactory(user=user, agency=AgencyFactory())
        assert memberships_of(user) == [membership, second]
        second.delete()
        assert memberships_of(user) == [membership]
        assert memberships_of(user)[0].user_has_mfa is False
        with_totp(user)
        assert memberships_of(user)[0].user_has_mfa is True
        Authenticator.objects.filter(user=user).delete()  # queryset delete: signals per row
        assert memberships_of(user)[0].user_has_mfa is False
    finally:
        reads_close(token)


def test_outside_a_request_every_ask_reads_the_database(django_assert_num_queries):
    membership = MembershipFactory()
    with django_assert_num_queries(2):
        memberships_of(membership.user)
        memberships_of(membership.user)
