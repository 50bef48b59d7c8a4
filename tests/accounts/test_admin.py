"""The Django admin, where programme staff grant roles: the password is asked again before a
save, and the audit row names the role before and after."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    MembershipFactory,
    admin_of,
    staff_user,
)

pytestmark = pytest.mark.django_db


def membership_form(membership: Membership, **changes) -> dict:
    data = {
        "user": membership.user_id,
        "agency": membership.agency_id or "",
        "country": membership.country,
        "unit": "",
        "role": membership.role,
        "status": membership.status,
        "vetted_at_0": membership.vetted_at.date().isoformat() if membership.vetted_at else "",
        "vetted_at_1": membership.vetted_at.strftime("%H:%M:%S") if membership.vetted_at else "",
        "decided_by": "",
        "decision_reason": "",
        "created_at_0": membership.created_at.date().isoformat(),
        "created_at_1": membership.created_at.strftime("%H:%M:%S"),
    }
    return {**data, **changes}


def test_staff_granting_a_role_in_the_admin_is_asked_for_the_password_then_audited(client):
    staff = staff_user(is_superuser=True)  # the admin's model permissions
    member = MembershipFactory(agency=AgencyFactory(), vetted_at=timezone.now())
    client.force_login(staff)
    url = reverse("admin:accounts_membership_change", args=[member.pk])
    assert client.get(url).status_code == 200  # reading asks nothing
    asked = client.post(url, membership_form(member, role="agency_admin"))
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    member.refresh_from_db()
    assert member.role == Membership.Role.OFFICER
    done = client.post(asked["Location"], {"password": TEST_PASSWORD})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.role == Membership.Role.AGENCY_ADMIN
    event = AuditEvent.objects.get(action="admin.change", target_id=str(member.pk))
    assert event.actor == staff
    assert event.details["role"] == {"from": "officer", "to": "agency_admin"}


def test_agency_admins_and_officers_cannot_open_the_admin(client):
    agency = AgencyFactory()
    for user in (admin_of(agency), MembershipFactory(agency=agency).user):
        client.force_login(user)
        response = client.get(reverse("admin:accounts_membership_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
