"""Account services: the audit writer and agency placement by email domain."""

import pytest

from accounts.models import AuditEvent, Membership
from accounts.selectors import agency_for_email
from accounts.services import audit_log, membership_assign_from_email
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_agency_for_email_matches_domain_case_insensitively():
    agency = AgencyFactory(email_domains=["police.example"])
    assert agency_for_email(email="A.Officer@POLICE.example") == agency
    assert agency_for_email(email="someone@notpolice.example") is None


def test_membership_assign_is_idempotent():
    agency = AgencyFactory(email_domains=["rtp.example"])
    user = UserFactory(email="malee@rtp.example")
    first = membership_assign_from_email(user=user)
    second = membership_assign_from_email(user=user)
    assert first.pk == second.pk
    assert Membership.objects.get(user=user).agency == agency


def test_audit_log_records_target_and_facts():
    user = UserFactory()
    event = audit_log(action="test.action", actor=user, target=user, details={"n": 1})
    assert (event.target_type, event.target_id) == ("accounts.user", str(user.pk))
    assert event.outcome == AuditEvent.Outcome.SUCCESS
    assert event.details == {"n": 1}
