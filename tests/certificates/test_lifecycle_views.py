"""The certificate page: the holder's page (download, verify link, LinkedIn) and, for staff
and the holder's agency admin, the history and the forms that revoke, suspend, reinstate and
correct, each after the password again; the verify page and JSON for every status."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership
from certificates.models import Certificate
from certificates.services import (
    certificate_create_for_completion,
    certificate_reinstate,
    certificate_reissue,
    certificate_render,
    certificate_revoke,
    certificate_suspend,
)
from certificates.services.statuslist import status_list_bit
from courses.services import enrollment_create
from tests.certificates.issuing import issued_certificate
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    MembershipFactory,
    admin_of,
    coordinator_of,
    staff_user,
    with_totp,
)

pytestmark = pytest.mark.django_db

Status = Certificate.Status


@pytest.fixture
def issued(officer, course):
    return issued_certificate(officer, course)


@pytest.fixture
def agency_admin(agency):
    return admin_of(agency, full_name="Ada Admin")


def _with_mfa(user):
    with_totp(user)
    return user


def url(name, certificate):
    return reverse(f"certificates:{name}", args=[certificate.pk])


REVOKE = {
    "revoke-category": "misconduct",
    "revoke-reason": "Shared the final assessment",
    "revoke-password": TEST_PASSWORD,
}


def bit(certificate, purpose) -> bool:
    certificate = Certificate.objects.get(pk=certificate.pk)
    return status_list_bit(
        status_list=getattr(certificate, f"{purpose}_list"),
        index=int(getattr(certificate, f"{purpose}_index")),
    )


# --- The holder's page ---------------------------------------------------------------------


def test_the_holder_sees_download_verify_link_and_linkedin_but_no_forms(officer_client, issued):
    response = officer_client.get(url("detail", issued))
    assert response.status_code == 200
    text = response.text
    assert url("download", issued) in text
    assert url("credential", issued) in text
    assert f'value="{issued.verify_url}"' in text and "readonly" in text
    assert 'data-copy="verify-url"' in text
    assert "js/copy_field.js" in text
    assert "https://www.linkedin.com/profile/add?" in text
    assert 'rel="noopener"' in text
    assert url("revoke", issued) not in text
    assert "History" not in text


def test_the_linkedin_link_carries_the_certification(officer_client, issued, settings):
    settings.CERT_ISSUER_NAME = "Crypto Crime Programme"
    issued.valid_until = timezone.now().replace(year=2029, month=3, day=1)
    issued.save(update_fields=["valid_until"])
    response = officer_client.get(url("detail", issued))
    href = response.context["linkedin_url"]
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    issued_at = issued.issued_at
    assert params == {
        "startTask": "CERTIFICATION_NAME",
        "name": issued.course_title,
        "organizationName": "Crypto Crime Programme",
        "issueYear": str(issued_at.year),
        "issueMonth": str(issued_at.month),
        "expirationYear": "2029",
        "expirationMonth": "3",
        "certUrl": issued.verify_url,
        "certId": issued.serial,
    }
    # Escaped once for HTML: the & between parameters, nothing else.
    assert href.replace("&", "&amp;") in response.text


def test_no_linkedin_link_for_a_revoked_certificate(officer_client, issued):
    certificate_revoke(
        certificate=issued, actor=staff_user(), reason_category="other", reason="Error"
    )
    response = officer_client.get(url("detail", issued))
    assert response.status_code == 200
    assert "linkedin.com" not in response.text
    assert url("download", issued) not in response.text


def test_the_detail_page_has_a_pinned_query_count_for_the_holder_and_for_staff(
    client, issued, django_assert_num_queries
):
    # The user and the viewer's memberships (MFA and time zone), then the certificate (and
    # for staff the revisions and the history, one query each, whatever their length).
    client.force_login(issued.user)
    with django_assert_num_queries(3):
        assert client.get(url("detail", issued)).status_code == 200
    staff = staff_user()
    client.force_login(staff)
    # Staff hold no membership: their MFA device is a query of its own.
    with django_assert_num_queries(6):
        assert client.get(url("detail", issued)).status_code == 200
    new = certificate_reissue(certificate=issued, actor=staff, reason="Typo", holder_name="A B")
    new = certificate_render(certificate_id=new.pk)
    certificate_suspend(certificate=new, actor=staff, reason="Inquiry")
    certificate_reinstate(certificate=new, actor=staff, reason="Cleared")
    with django_assert_num_queries(6):
        response = client.get(url("detail", new))
    assert response.status_code == 200
    assert "Reinstated" in response.text and "Correction requested" in response.text


# --- Who may manage ------------------------------------------------------------------------


def test_staff_see_the_history_and_the_forms(client, issued):
    client.force_login(staff_user())
    response = client.get(url("detail", issued))
    assert response.status_code == 200
    for name in ("revoke", "suspend", "correct"):
        assert url(name, issued) in response.text
    assert url("reinstate", issued) not in response.text  # only once suspended
    assert "Issued" in response.text  # the history
    assert 'autocomplete="current-password"' in response.text


def test_the_holders_agency_admin_revokes_with_the_password(
    client, issued, agency_admin, deliver_outbox, mailoutbox
):
    client.force_login(agency_admin)
    response = client.post(url("revoke", issued), REVOKE)
    assert response.status_code == 302
    assert response["Location"] == url("detail", issued)
    issued.refresh_from_db()
    assert issued.status == Status.REVOKED
    assert issued.revocation_reason == "misconduct"
    assert bit(issued, "revocation")
    event = AuditEvent.objects.get(action="certificate.revoke")
    assert event.actor == agency_admin and event.details["reason"] == REVOKE["revoke-reason"]
    page = client.get(response["Location"])
    assert "The certificate is revoked." in page.text
    assert "Shared the final assessment" in page.text  # the staff page shows the free text
    deliver_outbox()
    assert [mail.to for mail in mailoutbox] == [[issued.user.email]]


def test_a_wrong_password_changes_nothing_and_is_audited_as_a_failure(
    client, issued, agency_admin, deliver_outbox, mailoutbox
):
    client.force_login(agency_admin)
    response = client.post(url("revoke", issued), {**REVOKE, "revoke-password": "wrong guess"})
    assert response.status_code == 200
    assert "That is not your password." in response.text
    # The form comes back filled in, beside the error.
    assert REVOKE["revoke-reason"] in response.text
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED and not bit(issued, "revocation")
    assert not AuditEvent.objects.filter(action="certificate.revoke").exists()
    failure = AuditEvent.objects.get(action="auth.login_failed")
    assert failure.outcome == AuditEvent.Outcome.FAILURE
    assert failure.details["login"] == agency_admin.email
    deliver_outbox()
    assert mailoutbox == []


def test_the_holder_cannot_revoke_their_own_certificate(officer_client, issued):
    assert officer_client.post(url("revoke", issued), REVOKE).status_code == 404
    assert officer_client.post(url("suspend", issued), {}).status_code == 404
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED


def test_an_agency_admin_does_not_manage_their_own_certificate(client, agency_admin):
    certificate = issued_certificate(agency_admin)
    client.force_login(agency_admin)
    response = client.get(url("detail", certificate))
    assert response.status_code == 200 and url("revoke", certificate) not in response.text
    assert client.post(url("revoke", certificate), REVOKE).status_code == 404


@pytest.mark.parametrize(
    "who",
    ["another agency's admin", "a coordinator", "a colleague", "an unvetted officer", "a trainer"],
)
def test_others_get_404_for_the_page_and_every_form(client, issued, agency, who):
    other = AgencyFactory(name="Other agency")
    user = {
        "another agency's admin": lambda: admin_of(other),
        "a coordinator": lambda: coordinator_of(agency.country),
        "a colleague": lambda: MembershipFactory(agency=agency).user,
        "an unvetted officer": lambda: (
            MembershipFactory(agency=agency, status=Membership.Status.PENDING, vetted_at=None).user
        ),
        "a trainer": lambda: _with_mfa(
            MembershipFactory(agency=agency, role=Membership.Role.TRAINER).user
        ),
    }[who]()
    client.force_login(user)
    assert client.get(url("detail", issued)).status_code == 404
    for name in ("revoke", "suspend", "reinstate", "correct"):
        assert client.post(url(name, issued), REVOKE).status_code == 404, name
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED


def test_anonymous_visitors_are_sent_to_sign_in(client, issued):
    response = client.get(url("detail", issued))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(url("revoke", issued), REVOKE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_forms_take_post_only(client, issued):
    client.force_login(staff_user())
    for name in ("revoke", "suspend", "reinstate", "correct"):
        assert client.get(url(name, issued)).status_code == 405


def test_an_agency_the_holder_has_only_applied_to_does_not_manage_it(client, issued):
    applied_to = AgencyFactory(name="Agency applied to")
    MembershipFactory(
        user=issued.user, agency=applied_to, status=Membership.Status.PENDING, vetted_at=None
    )
    client.force_login(admin_of(applied_to))
    assert client.get(url("detail", issued)).status_code == 404
    assert client.post(url("revoke", issued), REVOKE).status_code == 404
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED


def test_an_admin_of_the_agency_the_holder_left_may_still_manage(client, issued, agency):
    Membership.objects.filter(user=issued.user).update(status=Membership.Status.LEFT)
    client.force_login(admin_of(agency))
    assert client.post(url("revoke", issued), REVOKE).status_code == 302


def test_a_missing_certificate_is_404(client):
    client.force_login(staff_user())
    assert client.get(reverse("certificates:detail", args=[999999])).status_code == 404
    assert client.post(reverse("certificates:revoke", args=[999999]), REVOKE).status_code == 404


# --- Suspend, reinstate, correct over HTTP --------------------------------------------------


def test_staff_suspend_then_reinstate(client, issued):
    staff = staff_user()
    client.force_login(staff)
    response = client.post(
        url("suspend", issued),
        {"suspend-reason": "Inquiry open", "suspend-password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == Status.SUSPENDED and bit(issued, "suspension")
    page = client.get(url("detail", issued))
    assert url("reinstate", issued) in page.text and url("suspend", issued) not in page.text
    response = client.post(
        url("reinstate", issued),
        {"reinstate-reason": "Cleared", "reinstate-password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED and not bit(issued, "suspension")


def test_a_refused_transition_is_a_message_and_changes_nothing(client, issued):
    client.force_login(staff_user())
    response = client.post(
        url("reinstate", issued),
        {"reinstate-reason": "Cleared", "reinstate-password": TEST_PASSWORD},
        follow=True,
    )
    assert "That change is not possible in the certificate" in response.text
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED
    assert not AuditEvent.objects.filter(action="certificate.reinstate").exists()


def test_correcting_the_name_reissues_and_leads_to_the_new_revision(client, issued):
    client.force_login(staff_user())
    response = client.post(
        url("correct", issued),
        {
            "correct-holder_name": "Kim Ji-woo",
            "correct-reason": "Misspelt",
            "correct-password": TEST_PASSWORD,
        },
    )
    new = Certificate.objects.get(supersedes=issued)
    assert response.status_code == 302 and response["Location"] == url("detail", new)
    assert (new.holder_name, new.revision, new.serial) == ("Kim Ji-woo", 2, issued.serial)


def test_the_correct_form_needs_a_name(client, issued):
    client.force_login(staff_user())
    response = client.post(
        url("correct", issued),
        {"correct-holder_name": "", "correct-reason": "x", "correct-password": TEST_PASSWORD},
    )
    assert response.status_code == 200
    assert not Certificate.objects.filter(supersedes=issued).exists()


# --- The verify page and JSON for each status ------------------------------------------------


def verify_json(client, certificate):
    return client.get(reverse("certificates:verify_json", args=[certificate.verify_token])).json()


def test_verify_valid_shows_the_pdf_hash_and_how_to_compare(client, issued):
    page = client.get(issued.get_absolute_url())
    assert "This certificate is valid." in page.text
    assert issued.pdf_sha256 in page.text
    assert "sha256sum certificate.pdf" in page.text
    assert "Times are shown in the time zone UTC." in page.text
    facts = verify_json(client, issued)
    assert facts["status"] == "valid" and facts["pdf_sha256"] == issued.pdf_sha256


def test_verify_expired(client, issued):
    issued.valid_until = timezone.now() - timedelta(days=1)
    issued.save(update_fields=["valid_until"])
    page = client.get(issued.get_absolute_url())
    assert "This certificate has expired." in page.text
    assert "Valid until" in page.text
    facts = verify_json(client, issued)
    assert facts["status"] == "expired"
    assert facts["valid_until"] == issued.valid_until.isoformat()


def test_verify_revoked_shows_the_category_never_the_free_text(client, issued):
    certificate_revoke(
        certificate=issued,
        actor=staff_user(),
        reason_category="identity",
        reason="Internal case 12345",
    )
    issued.refresh_from_db()
    page = client.get(issued.get_absolute_url())
    assert "This certificate has been revoked." in page.text
    assert "Holder&#x27;s identity not confirmed" in page.text
    assert "Internal case 12345" not in page.text
    facts = verify_json(client, issued)
    assert facts["status"] == "revoked"
    assert facts["revocation_reason"] == "identity"
    assert facts["revoked_at"] == issued.revoked_at.isoformat()
    assert "Internal case 12345" not in str(facts)


def test_verify_suspended_says_since_when(client, issued):
    certificate_suspend(certificate=issued, actor=staff_user(), reason="Inquiry")
    issued.refresh_from_db()
    page = client.get(issued.get_absolute_url())
    assert "This certificate is suspended." in page.text
    assert "Suspended since" in page.text
    facts = verify_json(client, issued)
    assert facts["status"] == "suspended"
    assert facts["suspended_at"] == issued.suspended_at.isoformat()


def test_verify_superseded_links_to_the_newest_revision(
    client, issued, django_assert_max_num_queries
):
    staff = staff_user()
    second = certificate_render(
        certificate_id=certificate_reissue(certificate=issued, actor=staff, reason="a").pk
    )
    third = certificate_render(
        certificate_id=certificate_reissue(certificate=second, actor=staff, reason="b").pk
    )
    issued.refresh_from_db()
    page = client.get(issued.get_absolute_url())
    assert "A newer version of this certificate exists." in page.text
    assert third.get_absolute_url() in page.text
    assert "Superseded on" in page.text
    facts = verify_json(client, issued)
    assert facts["status"] == "superseded"
    assert facts["newest_verify_url"] == third.verify_url
    assert facts["superseded_at"] == issued.superseded_at.isoformat()
    newest = verify_json(client, third)
    assert (newest["status"], newest["revision"], newest["newest_verify_url"]) == (
        "valid",
        3,
        None,
    )


def test_verify_pending(client, officer, course):
    enrollment = enrollment_create(user=officer, course=course)
    enrollment.completed_at = timezone.now()
    enrollment.save()
    certificate = certificate_create_for_completion(enrollment=enrollment)
    page = client.get(certificate.get_absolute_url())
    assert "This certificate is being prepared." in page.text
    facts = verify_json(client, certificate)
    assert (facts["status"], facts["issue_date"], facts["pdf_sha256"]) == ("pending", None, None)


def test_verify_dates_follow_the_viewers_time_zone(client, issued):
    viewer = staff_user(time_zone="Asia/Bangkok")
    client.force_login(viewer)
    certificate_suspend(certificate=issued, actor=viewer, reason="Inquiry")
    page = client.get(issued.get_absolute_url())
    assert "Times are shown in the time zone Asia/Bangkok." in page.text


def test_verify_page_query_count_is_pinned(client, issued, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(issued.get_absolute_url()).status_code == 200
    with django_assert_num_queries(1):
        assert verify_json(client, issued)["status"] == "valid"


def test_revoking_needs_a_chosen_category(client, issued):
    client.force_login(staff_user())
    response = client.post(url("revoke", issued), {**REVOKE, "revoke-category": ""})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED


def test_the_history_lists_revisions_and_who_did_what(client, issued):
    staff = staff_user(full_name="Sam Staff")
    new = certificate_render(
        certificate_id=certificate_reissue(
            certificate=issued, actor=staff, reason="Misspelt", holder_name="Kim Ji-woo"
        ).pk
    )
    certificate_suspend(certificate=new, actor=staff, reason="Inquiry 77")
    client.force_login(staff)
    response = client.get(url("detail", new))
    history = response.context["history"]
    assert [(e.label, e.revision) for e in history if e.actor_id == staff.pk] == [
        ("Correction requested", 2),
        ("Suspended", 2),
    ]
    assert url("detail", issued) in response.text  # revision 1, linked
    assert "Kim Ji-woo" in response.text and "Inquiry 77" in response.text
    assert "Sam Staff" in response.text


def test_suspend_and_reinstate_from_the_page_show_in_the_published_status_list(client, issued):
    from tests.certificates.test_statuslist import decode_by_hand

    def published_bit() -> int:
        slug = Certificate.objects.get(pk=issued.pk).suspension_list.slug
        document = client.get(reverse("certificates:status_list", args=[slug])).json()
        bits = decode_by_hand(document["credentialSubject"]["encodedList"])
        index = int(issued.suspension_index)
        return (bits[index // 8] >> (7 - index % 8)) & 1

    client.force_login(staff_user())
    assert published_bit() == 0
    client.post(
        url("suspend", issued), {"suspend-reason": "Inquiry", "suspend-password": TEST_PASSWORD}
    )
    assert published_bit() == 1
    client.post(
        url("reinstate", issued),
        {"reinstate-reason": "Cleared", "reinstate-password": TEST_PASSWORD},
    )
    assert published_bit() == 0


def test_the_dashboard_links_a_revoked_certificate_to_its_pages_not_to_staff(
    officer_client, issued
):
    certificate_revoke(
        certificate=issued, actor=staff_user(), reason_category="other", reason="Error"
    )
    response = officer_client.get(reverse("certificates:dashboard"))
    assert url("detail", issued) in response.text
    assert issued.get_absolute_url() in response.text
    assert "Programme staff have been notified." not in response.text
