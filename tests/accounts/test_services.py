"""Account services: the audit writer and agency placement by email domain."""

import pytest

from accounts.models import AuditEvent, Membership
from accounts.selectors import agency_for_email
from accounts.services import audit_export_record, audit_log, membership_assign_from_email
from core.audit import AuditContext
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


def test_audit_export_record_writes_a_success_or_a_refusal_with_its_context():
    agency = AgencyFactory()
    staff = UserFactory()
    context = AuditContext(ip="203.0.113.10", user_agent="Firefox/140", request_id="r-1")
    done = audit_export_record(
        actor=staff, agency=agency, filters={"outcome": "success"}, rows=3, context=context
    )
    refused = audit_export_record(
        actor=staff, agency=None, filters={}, rows=60_000, refused="too many rows"
    )
    assert (done.action, done.outcome, done.agency, done.actor) == (
        "audit.export",
        AuditEvent.Outcome.SUCCESS,
        agency,
        staff,
    )
    assert done.details == {"filters": {"outcome": "success"}, "rows": 3}
    assert (done.ip_address, done.user_agent, done.request_id) == (
        "203.0.113.10",
        "Firefox/140",
        "r-1",
    )
    assert (refused.outcome, refused.details) == (
        AuditEvent.Outcome.FAILURE,
        {"filters": {}, "rows": 60_000, "refused": "too many rows"},
    )
