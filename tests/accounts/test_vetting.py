"""Agency admins' actions on people and invitations: vetting, role changes, invitations."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, Membership
from accounts.services import invitation_accept, invitation_create, membership_change_role
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
    admin_of,
    coordinator_of,
    reauthenticated_now,
    staff_user,
    with_totp,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase for training"


def pending_officer(agency, **kwargs):
    return MembershipFactory(
        agency=agency, status=Membership.Status.PENDING, vetted_at=None, **kwargs
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def audit_rows(action: str):
    return AuditEvent.objects.filter(action=action)


# --- member page and vetting decisions -------------------------------------------------------


def test_member_page_shows_the_person_and_every_form(client, agency):
    admin = admin_of(agency)
    target = MembershipFactory(
        agency=agency,
        user=UserFactory(full_name="Park Ji-woo", email="park@knpa.example"),
        status=Membership.Status.REJECTED,
        decision_reason="Not an investigator",
    )
    response = signed_in(client, admin).get(reverse("accounts:member", args=[target.pk]))
    assert response.status_code == 200
    for text in ("Park Ji-woo", "park@knpa.example", "Officer", "Rejected", "Not an investigator"):
        assert text in response.text
    for name in ("member_approve", "member_left"):
        assert reverse(f"accounts:{name}", args=[target.pk]) in response.text
    assert 'name="reason"' not in response.text  # already rejected: no second rejection
    # Roles are granted by programme staff only: no role form for the agency admin.
    assert reverse("accounts:member_role", args=[target.pk]) not in response.text
    assert '<label for="id_role"' not in response.text


def test_member_page_offers_programme_staff_the_role_form(client, agency):
    target = MembershipFactory(agency=agency)
    response = signed_in(client, staff_user()).get(reverse("accounts:member", args=[target.pk]))
    assert response.status_code == 200
    assert reverse("accounts:member_role", args=[target.pk]) in response.text
    assert '<label for="id_role"' in response.text


def test_admin_approves_a_pending_officer_with_audit_and_email(
    client, agency, django_capture_on_commit_callbacks, deliver_outbox
):
    admin = admin_of(agency)
    target = pending_officer(agency)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, admin).post(
            reverse("accounts:member_approve", args=[target.pk])
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:member", args=[target.pk])
    target.refresh_from_db()
    assert target.status == Membership.Status.APPROVED
    assert target.vetted_at is not None
    assert target.decided_by == admin
    event = audit_rows("vetting.approve").get()
    assert (event.actor, event.agency, event.target_id) == (admin, agency, str(target.pk))
    deliver_outbox()  # what the worker does
    assert [m.to for m in mail.outbox] == [[target.user.email]]
    assert "approved" in mail.outbox[0].subject
    followed = client.get(response["Location"])
    assert "is approved" in followed.text


def test_admin_rejects_with_a_reason_with_audit_and_email(
    client, agency, django_capture_on_commit_callbacks, deliver_outbox
):
    admin = admin_of(agency)
    target = pending_officer(agency)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, admin).post(
            reverse("accounts:member_reject", args=[target.pk]),
            {"reason": "Not a member of the investigations unit"},
        )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == Membership.Status.REJECTED
    assert target.decision_reason == "Not a member of the investigations unit"
    assert audit_rows("vetting.reject").filter(actor=admin, agency=agency).count() == 1
    deliver_outbox()  # what the worker does
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [target.user.email]
    assert "Not a member of the investigations unit" in mail.outbox[0].body


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_a_reason_shows_an_error_and_changes_nothing(
    client, agency, reason, django_capture_on_commit_callbacks, deliver_outbox
):
    admin = admin_of(agency)
    target = pending_officer(agency)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, admin).post(
            reverse("accounts:member_reject", args=[target.pk]), {"reason": reason}
        )
    assert response.status_code == 200
    assert "Give a reason" in response.text
    target.refresh_from_db()
    assert target.status == Membership.Status.PENDING
    assert not audit_rows("vetting.reject").exists()
    deliver_outbox()  # what the worker does
    assert mail.outbox == []


def test_admin_marks_an_officer_as_left(client, agency):
    admin = admin_of(agency)
    target = MembershipFactory(agency=agency)
    response = signed_in(client, admin).post(reverse("accounts:member_left", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == Membership.Status.LEFT
    assert audit_rows("vetting.left").filter(actor=admin, target_id=str(target.pk)).exists()


def test_admin_reconfirms_a_lapsed_officer(client, agency, settings):
    admin = admin_of(agency)
    long_ago = timezone.now() - timedelta(days=settings.VETTING_RECONFIRM_DAYS + 10)
    target = MembershipFactory(agency=agency, vetted_at=long_ago)
    page = signed_in(client, admin).get(reverse("accounts:member", args=[target.pk]))
    assert "Re-confirmation due" in page.text
    response = client.post(reverse("accounts:member_reconfirm", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == Membership.Status.APPROVED
    assert target.vetted_at > timezone.now() - timedelta(minutes=1)
    assert target.decided_by == admin
    assert audit_rows("vetting.reconfirm").filter(actor=admin, agency=agency).count() == 1


def test_role_change_without_recent_reauthentication_asks_for_the_password(client, agency):
    admin = staff_user()
    target = MembershipFactory(agency=agency)
    response = signed_in(client, admin).post(
        reverse("accounts:member_role", args=[target.pk]), {"role": "agency_admin"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    target.refresh_from_db()
    assert target.role == Membership.Role.OFFICER
    assert not audit_rows("role.change").exists()


def test_role_change_goes_through_once_the_password_is_given_again(client, agency):
    admin = staff_user()
    target = MembershipFactory(agency=agency)
    signed_in(client, admin)
    asked = client.post(reverse("accounts:member_role", args=[target.pk]), {"role": "trainer"})
    reauthenticated = client.post(asked["Location"], {"password": TEST_PASSWORD})
    assert reauthenticated.status_code == 302
    target.refresh_from_db()
    assert target.role == Membership.Role.TRAINER
    assert audit_rows("role.change").filter(actor=admin).count() == 1


def test_role_change_after_reauthentication_changes_the_role_with_audit(client, agency):
    admin = staff_user()
    target = MembershipFactory(agency=agency)
    signed_in(client, admin)
    reauthenticated_now(client, admin)
    response = client.post(reverse("accounts:member_role", args=[target.pk]), {"role": "trainer"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:member", args=[target.pk])
    target.refresh_from_db()
    assert target.role == Membership.Role.TRAINER
    event = audit_rows("role.change").get()
    assert event.details["from"] == "officer"
    assert event.details["to"] == "trainer"
    assert event.actor == admin


def test_role_change_to_a_role_the_person_already_holds_shows_the_error(client, agency):
    admin = staff_user()
    user = UserFactory()
    target = MembershipFactory(agency=agency, user=user)
    MembershipFactory(agency=agency, user=user, role=Membership.Role.TRAINER)
    signed_in(client, admin)
    reauthenticated_now(client, admin)
    response = client.post(reverse("accounts:member_role", args=[target.pk]), {"role": "trainer"})
    assert response.status_code == 200
    assert "already has that role" in response.text
    target.refresh_from_db()
    assert target.role == Membership.Role.OFFICER


def test_role_change_refuses_coordinator_role(client, agency):
    admin = staff_user()
    target = MembershipFactory(agency=agency)
    signed_in(client, admin)
    reauthenticated_now(client, admin)
    response = client.post(
        reverse("accounts:member_role", args=[target.pk]), {"role": "coordinator"}
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.role == Membership.Role.OFFICER


def test_agency_admin_cannot_change_a_role_even_after_reauthentication(client, agency):
    admin = admin_of(agency)
    target = MembershipFactory(agency=agency)
    signed_in(client, admin)
    reauthenticated_now(client, admin)
    for role in ("trainer", "agency_admin", "officer"):
        response = client.post(reverse("accounts:member_role", args=[target.pk]), {"role": role})
        assert response.status_code == 404  # the matrix: grant_roles is programme staff's
    target.refresh_from_db()
    assert target.role == Membership.Role.OFFICER
    assert not audit_rows("role.change").exists()


def test_role_change_service_refuses_an_agency_admin_and_audits_the_refusal(agency):
    admin = admin_of(agency)
    target = MembershipFactory(agency=agency)
    with pytest.raises(ValidationError) as refused:
        membership_change_role(membership=target, role="trainer", actor=admin)
    assert "Only programme staff can grant the trainer role" in refused.value.messages[0]
    target.refresh_from_db()
    assert target.role == Membership.Role.OFFICER
    event = audit_rows("role.change").get()
    assert (event.actor, event.outcome, event.target_id) == (
        admin,
        AuditEvent.Outcome.FAILURE,
        str(target.pk),
    )
    assert event.details["role"] == "trainer"


# --- who may reach which URL ------------------------------------------------------------------


def urls_for(*, membership, agency, invitation):
    """Every URL of these pages that carries an id, with the method it answers."""
    return [
        ("get", reverse("accounts:member", args=[membership.pk])),
        ("post", reverse("accounts:member_approve", args=[membership.pk])),
        ("post", reverse("accounts:member_reject", args=[membership.pk])),
        ("post", reverse("accounts:member_left", args=[membership.pk])),
        ("post", reverse("accounts:member_reconfirm", args=[membership.pk])),
        ("post", reverse("accounts:member_role", args=[membership.pk])),
        ("get", reverse("accounts:invitations", args=[agency.pk])),
        ("post", reverse("accounts:invitations", args=[agency.pk])),
        ("post", reverse("accounts:invitation_resend", args=[invitation.pk])),
        ("get", reverse("accounts:invitation_import", args=[agency.pk])),
        ("post", reverse("accounts:invitation_import", args=[agency.pk])),
    ]


@pytest.fixture
def targets(agency):
    membership = pending_officer(agency)
    invitation = invitation_create(
        agency=agency, email="invited@mail.example", actor=admin_of(agency), send=False
    )
    return {"membership": membership, "agency": agency, "invitation": invitation}


def assert_404_everywhere(client, targets):
    for method, url in urls_for(**targets):
        response = getattr(client, method)(url, {"reason": "x", "role": "agency_admin"})
        assert response.status_code == 404, (method, url)


def assert_nothing_changed(targets):
    membership = targets["membership"]
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert membership.role == Membership.Role.OFFICER
    assert Invitation.objects.get(pk=targets["invitation"].pk).sent_count == 0
    assert not AuditEvent.objects.filter(action__startswith="vetting.").exists()


def test_admin_of_another_agency_gets_404_on_every_url(client, targets):
    other_admin = admin_of(AgencyFactory(country="KR"))
    signed_in(client, other_admin)
    reauthenticated_now(client, other_admin)
    assert_404_everywhere(client, targets)
    assert_nothing_changed(targets)


def test_officer_gets_404_on_every_url_even_in_their_own_agency(client, targets, agency):
    officer = MembershipFactory(agency=agency).user
    signed_in(client, officer)
    reauthenticated_now(client, officer)
    assert_404_everywhere(client, targets)
    assert_nothing_changed(targets)


def test_trainer_of_the_agency_gets_404_on_every_url(client, targets, agency):
    trainer = MembershipFactory(agency=agency, role=Membership.Role.TRAINER).user
    with_totp(trainer)
    signed_in(client, trainer)
    assert_404_everywhere(client, targets)


def test_coordinator_of_another_country_gets_404_on_every_url(client, targets):
    signed_in(client, coordinator_of("TH"))
    assert_404_everywhere(client, targets)
    assert_nothing_changed(targets)


def test_signed_out_visitor_is_sent_to_sign_in(client, targets):
    for method, url in urls_for(**targets):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_coordinator_approves_in_their_country(
    client, targets, django_capture_on_commit_callbacks, deliver_outbox
):
    coordinator = coordinator_of("KR")
    membership = targets["membership"]
    signed_in(client, coordinator)
    page = client.get(reverse("accounts:member", args=[membership.pk]))
    assert page.status_code == 200
    assert reverse("accounts:member_role", args=[membership.pk]) not in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:member_approve", args=[membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert audit_rows("vetting.approve").filter(actor=coordinator).exists()
    deliver_outbox()  # what the worker does
    assert len(mail.outbox) == 1


def test_coordinator_gets_404_on_invitations_import_and_role_change(client, targets):
    coordinator = coordinator_of("KR")
    signed_in(client, coordinator)
    reauthenticated_now(client, coordinator)
    agency, membership = targets["agency"], targets["membership"]
    for method, url in [
        ("get", reverse("accounts:invitations", args=[agency.pk])),
        ("post", reverse("accounts:invitations", args=[agency.pk])),
        ("post", reverse("accounts:invitation_resend", args=[targets["invitation"].pk])),
        ("get", reverse("accounts:invitation_import", args=[agency.pk])),
        ("post", reverse("accounts:invitation_import", args=[agency.pk])),
        ("post", reverse("accounts:member_role", args=[membership.pk])),
    ]:
        response = getattr(client, method)(url, {"role": "agency_admin"})
        assert response.status_code == 404, (method, url)
    membership.refresh_from_db()
    assert membership.role == Membership.Role.OFFICER


def test_coordinator_without_recent_reauthentication_still_gets_404_on_role_change(client, targets):
    signed_in(client, coordinator_of("KR"))
    response = client.post(
        reverse("accounts:member_role", args=[targets["membership"].pk]), {"role": "trainer"}
    )
    assert response.status_code == 404


def test_coordinator_memberships_are_not_reachable_as_agency_people(client, agency):
    admin = admin_of(agency)
    coordinator = MembershipFactory(agency=None, country="KR", role=Membership.Role.COORDINATOR)
    response = signed_in(client, admin).get(reverse("accounts:member", args=[coordinator.pk]))
    assert response.status_code == 404


def test_unknown_ids_get_404(client, agency):
    signed_in(client, admin_of(agency))
    assert client.get(reverse("accounts:member", args=[999_999])).status_code == 404
    assert client.get(reverse("accounts:invitations", args=[999_999])).status_code == 404
    assert client.post(reverse("accounts:invitation_resend", args=[999_999])).status_code == 404


# --- invitations ----------------------------------------------------------------------------


def test_admin_invites_one_person_with_audit_and_email(
    client, agency, django_capture_on_commit_callbacks, deliver_outbox
):
    admin = admin_of(agency)
    unit = UnitFactory(agency=agency, name="Cyber Bureau")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, admin).post(
            reverse("accounts:invitations", args=[agency.pk]),
            {
                "email": "Lee.Prosecutor@Mail.example",
                "full_name": "Lee Seo-yeon",
                "role": "officer",
                "unit": unit.pk,
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(agency=agency)
    assert invitation.email == "lee.prosecutor@mail.example"
    assert (invitation.full_name, invitation.role, invitation.unit) == (
        "Lee Seo-yeon",
        "officer",
        unit,
    )
    assert invitation.sent_count == 1
    assert invitation.invited_by == admin
    assert audit_rows("invitation.create").filter(actor=admin, agency=agency).count() == 1
    deliver_outbox()  # what the worker does
    assert [m.to for m in mail.outbox] == [["lee.prosecutor@mail.example"]]
    assert invitation.token in mail.outbox[0].body


def test_invitation_form_offers_an_agency_admin_the_officer_role_only(client, agency):
    page = signed_in(client, admin_of(agency)).get(
        reverse("accounts:invitations", args=[agency.pk])
    )
    assert '<option value="officer"' in page.text
    assert '<option value="trainer"' not in page.text
    assert '<option value="agency_admin"' not in page.text
    staff_page = signed_in(Client(), staff_user()).get(
        reverse("accounts:invitations", args=[agency.pk])
    )
    for role in ("officer", "trainer", "agency_admin"):
        assert f'<option value="{role}"' in staff_page.text


@pytest.mark.parametrize(
    ("role", "label"), [("trainer", "trainer"), ("agency_admin", "agency admin")]
)
def test_agency_admin_asking_for_a_higher_role_is_refused_with_a_clear_message(
    client, agency, role, label, deliver_outbox
):
    admin = admin_of(agency)
    signed_in(client, admin)
    reauthenticated_now(client, admin)
    response = client.post(
        reverse("accounts:invitations", args=[agency.pk]),
        {"email": "chief@mail.example", "role": role},
    )
    assert response.status_code == 200
    assert f"Only programme staff can grant the {label} role" in response.text
    assert not Invitation.objects.exists()
    deliver_outbox()  # what the worker does
    assert mail.outbox == []


def test_invitation_service_refuses_an_agency_admin_a_higher_role_and_audits_it(agency):
    admin = admin_of(agency)
    for role in ("trainer", "agency_admin"):
        with pytest.raises(ValidationError) as refused:
            invitation_create(agency=agency, email="x@mail.example", actor=admin, role=role)
        assert "Only programme staff can grant" in refused.value.messages[0]
    assert not Invitation.objects.exists()
    refusals = audit_rows("invitation.create").filter(outcome=AuditEvent.Outcome.FAILURE)
    assert sorted(refusals.values_list("details__role", flat=True)) == ["agency_admin", "trainer"]
    assert set(refusals.values_list("actor", flat=True)) == {admin.pk}


def test_staff_inviting_a_trainer_is_asked_for_the_password_then_invites_with_audit(
    client, agency, django_capture_on_commit_callbacks
):
    staff = staff_user()
    signed_in(client, staff)
    url = reverse("accounts:invitations", args=[agency.pk])
    asked = client.post(url, {"email": "trainer@mail.example", "role": "trainer"})
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not Invitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(asked["Location"], {"password": TEST_PASSWORD})
    assert done.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.invited_by) == ("trainer", staff)
    event = audit_rows("invitation.create").get()
    assert (event.actor, event.outcome, event.details["role"]) == (staff, "success", "trainer")


def test_invitation_accepted_grants_a_higher_role_only_when_staff_invited(agency):
    staff = staff_user()
    by_staff = invitation_create(
        agency=agency, email="t@mail.example", actor=staff, role="trainer", send=False
    )
    trainer = invitation_accept(invitation=by_staff, user=UserFactory(email="t@mail.example"))
    assert trainer.role == Membership.Role.TRAINER
    granted = audit_rows("invitation.accept").get(target_id=str(by_staff.pk))
    assert granted.details["granted_by"] == staff.pk

    # An invitation an agency admin could create before roles were staff's alone.
    admin = admin_of(agency)
    by_admin = invitation_create(agency=agency, email="a@mail.example", actor=admin, send=False)
    Invitation.objects.filter(pk=by_admin.pk).update(role="agency_admin")
    by_admin.refresh_from_db()
    member = invitation_accept(invitation=by_admin, user=UserFactory(email="a@mail.example"))
    assert member.role == Membership.Role.OFFICER
    downgraded = audit_rows("invitation.accept").get(target_id=str(by_admin.pk))
    assert downgraded.details["role_not_granted"] == "agency_admin"
    assert downgraded.details["role"] == "officer"


def test_invite_offers_only_the_agencys_own_units(client, agency):
    admin = admin_of(agency)
    UnitFactory(agency=agency, name="Cyber Bureau")
    foreign = UnitFactory(name="Foreign Unit")
    signed_in(client, admin)
    page = client.get(reverse("accounts:invitations", args=[agency.pk]))
    assert "Cyber Bureau" in page.text
    assert "Foreign Unit" not in page.text
    response = client.post(
        reverse("accounts:invitations", args=[agency.pk]),
        {"email": "x@mail.example", "role": "officer", "unit": foreign.pk},
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_inviting_a_member_or_an_already_invited_person_shows_the_error(client, agency):
    admin = admin_of(agency)
    signed_in(client, admin)
    url = reverse("accounts:invitations", args=[agency.pk])
    client.post(url, {"email": "twice@mail.example", "role": "officer"})
    again = client.post(url, {"email": "twice@mail.example", "role": "officer"})
    assert again.status_code == 200
    assert "already has an open invitation" in again.text
    member = client.post(url, {"email": admin.email, "role": "officer"})
    assert "already belongs to this agency" in member.text
    assert Invitation.objects.count() == 1


def test_resend_counts_and_extends_the_expiry(
    client, agency, settings, django_capture_on_commit_callbacks, deliver_outbox
):
    admin = admin_of(agency)
    invitation = invitation_create(agency=agency, email="again@mail.example", actor=admin)
    deliver_outbox()  # the first sending
    mail.outbox.clear()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, admin).post(
            reverse("accounts:invitation_resend", args=[invitation.pk])
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:invitations", args=[agency.pk])
    invitation.refresh_from_db()
    assert invitation.sent_count == 2
    assert invitation.expires_at > timezone.now() + timedelta(days=settings.INVITATION_DAYS - 1)
    assert audit_rows("invitation.resend").filter(actor=admin).count() == 1
    deliver_outbox()  # what the worker does
    assert [m.to for m in mail.outbox] == [["again@mail.example"]]


def test_resend_of_an_accepted_invitation_is_refused(client, agency):
    admin = admin_of(agency)
    invitation = invitation_create(agency=agency, email="done@mail.example", actor=admin)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    response = signed_in(client, admin).post(
        reverse("accounts:invitation_resend", args=[invitation.pk]), follow=True
    )
    assert "already been accepted" in response.text
    invitation.refresh_from_db()
    assert invitation.sent_count == 1


def test_invitations_page_lists_open_and_accepted_with_resend_for_open_only(client, agency):
    admin = admin_of(agency)
    open_one = invitation_create(agency=agency, email="open@mail.example", actor=admin)
    accepted = invitation_create(agency=agency, email="accepted@mail.example", actor=admin)
    Invitation.objects.filter(pk=accepted.pk).update(accepted_at=timezone.now())
    invitation_create(agency=AgencyFactory(), email="elsewhere@mail.example", actor=admin)
    response = signed_in(client, admin).get(reverse("accounts:invitations", args=[agency.pk]))
    assert response.status_code == 200
    assert "open@mail.example" in response.text
    assert "accepted@mail.example" in response.text
    assert "elsewhere@mail.example" not in response.text
    assert reverse("accounts:invitation_resend", args=[open_one.pk]) in response.text
    assert reverse("accounts:invitation_resend", args=[accepted.pk]) not in response.text


# --- query counts ---------------------------------------------------------------------------


def test_invitations_page_query_count_does_not_grow(client, agency, django_assert_max_num_queries):
    admin = admin_of(agency)
    signed_in(client, admin)
    unit = UnitFactory(agency=agency, name="Cyber Bureau")
    invitation_create(agency=agency, email="first@mail.example", actor=admin, unit=unit)
    url = reverse("accounts:invitations", args=[agency.pk])
    with django_assert_max_num_queries(20) as few:
        response = client.get(url)
    assert response.status_code == 200
    for number in range(20):
        unit = UnitFactory(agency=agency, name=f"Unit {number}")
        invitation_create(
            agency=agency, email=f"p{number}@mail.example", actor=admin, unit=unit, send=False
        )
    Invitation.objects.filter(email="p3@mail.example").update(accepted_at=timezone.now())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_member_page_query_count_is_pinned(client, agency, django_assert_max_num_queries):
    admin = admin_of(agency)
    target = MembershipFactory(agency=agency, unit=UnitFactory(agency=agency, name="U"))
    signed_in(client, admin)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("accounts:member", args=[target.pk]))
    assert response.status_code == 200


# --- the invited person's side ----------------------------------------------------------------


def test_invited_person_signs_up_confirms_and_is_an_approved_member(
    client, agency, django_capture_on_commit_callbacks, deliver_outbox
):
    admin = admin_of(agency)
    unit = UnitFactory(agency=agency, name="Cyber Bureau")
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(client, admin).post(
            reverse("accounts:invitations", args=[agency.pk]),
            {"email": "analyst@mail.example", "role": "officer", "unit": unit.pk},
        )
    deliver_outbox()  # what the worker does
    link = re.search(r"https?://\S+/account/invitation/\S+/", mail.outbox[0].body).group(0)
    invitation_path = "/" + link.split("/", 3)[3]
    assert invitation_path == reverse("accounts:invitation", args=[Invitation.objects.get().token])

    invitee = Client()
    assert invitee.get(invitation_path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        signup = invitee.post(
            reverse("account_signup"),
            {
                "email": "analyst@mail.example",
                "full_name": "Choi Analyst",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert signup.status_code == 302
    assert signup["Location"] == reverse("account_email_verification_sent")
    deliver_outbox()  # what the worker does
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["analyst@mail.example"]
    confirm_link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation.body)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = invitee.post("/" + confirm_link.group(0).split("/", 3)[3])
    assert confirmed.status_code == 302
    assert invitee.get(reverse("certificates:dashboard")).status_code == 200

    membership = Membership.objects.get(user__email="analyst@mail.example")
    assert (membership.agency, membership.role, membership.unit) == (agency, "officer", unit)
    assert membership.status == Membership.Status.APPROVED
    assert membership.vetted_at is not None
    assert membership.decided_by == admin
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == membership.user
    assert audit_rows("invitation.accept").filter(actor=membership.user).exists()

    # The admin's list now shows it as accepted, without a resend button.
    page = client.get(reverse("accounts:invitations", args=[agency.pk]))
    assert reverse("accounts:invitation_resend", args=[invitation.pk]) not in page.text
