"""Privacy: the profile page, "download my data", and erasure by programme staff."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership, User
from accounts.services import user_update_profile
from assessments.models import Attempt
from assessments.services import attempt_start, attempt_submit
from certificates.models import Certificate
from certificates.services import (
    certificate_create_for_completion,
    certificate_pseudonymise_holder,
)
from cohorts.services.attendance import attendance_mark
from courses.models import Enrollment, Lesson, LessonProgress
from courses.services import enrollment_create, lesson_complete
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    build_cohort,
    build_course,
    correct_answers,
    reauthenticated_now,
    seated,
    with_totp,
)

pytestmark = pytest.mark.django_db

# allauth keeps, beside its list of authentication records, whose records they are.
AUTHENTICATION_USER_SESSION_KEY = "account_authentication_methods_user"


def learning_records(user, *, course=None) -> Certificate:
    """Enroll, read every lesson, pass every quiz and get a (pending) certificate."""
    course = course or build_course(lessons_per_module=2, modules=1, questions=2)
    enrollment = enrollment_create(user=user, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    for module in course.modules.all():
        attempt = attempt_start(user=user, quiz=module.quiz, enrollment=enrollment)
        attempt_submit(attempt_id=attempt.pk, user=user, raw_answers=correct_answers(module.quiz))
    # And a seat in an in-person cohort of that course, with one session marked.
    agency = user.memberships.first().agency
    cohort = build_cohort(course=course, host=agency, days=1, attendance_threshold=100)
    seat = seated(cohort, agency=agency, user=user)
    attendance_mark(
        session=cohort.sessions.get(), seat=seat, status="excused", actor=cohort.trainers.first()
    )
    enrollment.refresh_from_db()
    if enrollment.completed_at is None:
        enrollment.completed_at = timezone.now()
        enrollment.save(update_fields=["completed_at"])
    return certificate_create_for_completion(enrollment=enrollment)


def staff_member() -> User:
    user = UserFactory(is_staff=True, email="staff@programme.example")
    with_totp(user)
    return user


@pytest.fixture
def staff_client(client):
    staff = staff_member()
    client.force_login(staff)
    reauthenticated_now(client, staff)
    client.staff = staff
    return client


# --- Profile -------------------------------------------------------------------------------


def test_profile_update_saves_fields_and_audits_only_their_names(officer_client, officer):
    response = officer_client.post(
        reverse("accounts:profile"),
        {"full_name": "Kim Min-jun", "display_name": "MJ Kim", "time_zone": "Europe/Vienna"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    officer.refresh_from_db()
    assert (officer.full_name, officer.display_name, officer.time_zone) == (
        "Kim Min-jun",
        "MJ Kim",
        "Europe/Vienna",
    )
    event = AuditEvent.objects.get(action="account.profile")
    assert event.actor == officer
    assert event.details == {"fields": ["full_name", "display_name", "time_zone"]}
    assert "Kim Min-jun" not in json.dumps(event.details)


def test_profile_audit_lists_only_the_fields_that_changed(officer):
    user_update_profile(user=officer, full_name=officer.full_name, display_name="Kim", time_zone="")
    assert AuditEvent.objects.get(action="account.profile").details == {"fields": ["display_name"]}


def test_profile_saved_unchanged_writes_no_audit_row(officer):
    user_update_profile(user=officer, full_name=officer.full_name, display_name="", time_zone="")
    assert not AuditEvent.objects.filter(action="account.profile").exists()


def test_profile_page_refuses_an_unknown_time_zone(officer_client, officer):
    response = officer_client.post(
        reverse("accounts:profile"),
        {"full_name": "Kim Min-jun", "display_name": "", "time_zone": "Mars/Olympus_Mons"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    officer.refresh_from_db()
    assert officer.full_name != "Kim Min-jun"
    assert officer.time_zone == ""
    assert not AuditEvent.objects.filter(action="account.profile").exists()


def test_profile_service_refuses_an_unknown_time_zone_and_leaves_the_user_untouched(officer):
    name = officer.full_name
    with pytest.raises(ValidationError) as raised:
        user_update_profile(
            user=officer, full_name="New Name", display_name="", time_zone="Nowhere/City"
        )
    assert "time_zone" in raised.value.message_dict
    assert officer.full_name == name
    officer.refresh_from_db()
    assert officer.full_name == name


def test_profile_service_requires_a_full_name(officer):
    with pytest.raises(ValidationError) as raised:
        user_update_profile(user=officer, full_name="   ", display_name="", time_zone="")
    assert "full_name" in raised.value.message_dict


def test_empty_time_zone_means_the_agencys(officer_client, officer):
    officer.time_zone = "Europe/Vienna"
    officer.save(update_fields=["time_zone"])
    response = officer_client.get(reverse("accounts:profile"))
    assert "My agency&#x27;s time zone (Asia/Seoul)" in response.text
    officer_client.post(
        reverse("accounts:profile"),
        {"full_name": officer.full_name, "display_name": "", "time_zone": ""},
    )
    officer.refresh_from_db()
    assert officer.time_zone == ""


def test_profile_page_explains_the_display_name_and_links_the_export(officer_client):
    response = officer_client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert "instead of your email address" in response.text
    assert reverse("reports:personal_data_export") in response.text


def test_profile_page_needs_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_page_query_count_is_pinned(officer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = officer_client.get(reverse("accounts:profile"))
    assert response.status_code == 200


# --- Download my data ----------------------------------------------------------------------


def test_export_holds_the_persons_data_and_nobody_elses(officer_client, officer):
    certificate = learning_records(officer)
    other = MembershipFactory(
        agency=AgencyFactory(name="Royal Thai Police"),
        user=UserFactory(email="somchai@rtp.example", full_name="Somchai Other"),
    ).user
    other_certificate = learning_records(other)

    response = officer_client.get(reverse("reports:personal_data_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == officer.email
    assert data["account"]["full_name"] == officer.full_name
    assert set(data["account"]) >= {"language", "time_zone", "date_joined", "last_login"}
    assert [m["agency"] for m in data["memberships"]] == ["Korean National Police Agency"]
    assert data["memberships"][0]["role"] == Membership.Role.OFFICER
    assert data["memberships"][0]["vetted_at"]
    [enrollment] = data["enrollments"]
    assert enrollment["course"] == certificate.course_title
    lessons = Lesson.objects.filter(module__course=certificate.course)
    assert {p["lesson"] for p in enrollment["lessons_completed"]} == {
        lesson.title for lesson in lessons
    }
    assert all(p["version"] == 1 and p["completed_at"] for p in enrollment["lessons_completed"])
    [attempt] = data["quiz_attempts"]
    assert attempt["passed"] is True
    assert attempt["score"] == "100.00"
    assert attempt["submitted_at"]
    [exported] = data["certificates"]
    assert exported["serial"] == certificate.serial
    [seat] = data["cohorts"]
    assert seat["status"] == "approved"
    assert [mark["status"] for mark in seat["attendance"]] == ["excused"]
    assert exported["verification_url"].endswith(certificate.get_absolute_url())
    actions = {event["action"] for event in data["audit_events"]}
    assert {"enrollment.create", "lesson.complete", "attempt.grade"} <= actions
    # Nobody else's data.
    text = response.content.decode()
    for secret in (
        other.email,
        other.full_name,
        "Royal Thai Police",
        other_certificate.serial,
        other_certificate.verify_token,
    ):
        assert secret not in text
    assert other_certificate.course_title not in {e["course"] for e in data["enrollments"]}
    assert AuditEvent.objects.filter(action="account.export", actor=officer).count() == 1
    assert not AuditEvent.objects.filter(action="account.export", actor=other).exists()


def test_export_query_count_is_the_same_for_one_or_five_enrollments(
    officer_client, officer, django_assert_num_queries
):
    learning_records(officer)
    with django_assert_num_queries(15) as few:
        response = officer_client.get(reverse("reports:personal_data_export"))
    assert response.status_code == 200
    for _ in range(4):
        learning_records(officer)
    assert Enrollment.objects.filter(user=officer).count() == 5
    with django_assert_num_queries(len(few.captured_queries)):
        response = officer_client.get(reverse("reports:personal_data_export"))
    assert response.status_code == 200
    assert len(json.loads(response.content)["enrollments"]) == 5


def test_export_needs_login(client):
    response = client.get(reverse("reports:personal_data_export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_export_is_get_only(officer_client):
    assert officer_client.post(reverse("reports:personal_data_export")).status_code == 405


# --- Erasure -------------------------------------------------------------------------------


def test_erasure_pseudonymises_the_person_and_keeps_their_records(staff_client, officer):
    certificate = learning_records(officer)
    old_email, old_name, serial = officer.email, officer.full_name, certificate.serial
    counts = {
        "enrollments": Enrollment.objects.filter(user=officer).count(),
        "progress": LessonProgress.objects.filter(enrollment__user=officer).count(),
        "attempts": Attempt.objects.filter(user=officer).count(),
        "certificates": Certificate.objects.filter(user=officer).count(),
    }
    events_before = set(AuditEvent.objects.filter(actor=officer).values_list("id", flat=True))
    assert events_before

    url = reverse("accounts:person_erase", args=[officer.pk])
    response = staff_client.post(url, {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == url
    officer.refresh_from_db()
    assert officer.erased_at is not None
    assert old_email != officer.email == f"erased-{officer.pk}@erased.invalid"
    assert old_name != officer.full_name
    assert not officer.is_active
    assert not officer.has_usable_password()
    assert not EmailAddress.objects.filter(user=officer).exists()
    assert not EmailAddress.objects.filter(email__iexact=old_email).exists()
    # Records stay.
    assert counts == {
        "enrollments": Enrollment.objects.filter(user=officer).count(),
        "progress": LessonProgress.objects.filter(enrollment__user=officer).count(),
        "attempts": Attempt.objects.filter(user=officer).count(),
        "certificates": Certificate.objects.filter(user=officer).count(),
    }
    certificate.refresh_from_db()
    assert certificate.serial == serial
    assert certificate.holder_name == officer.full_name
    # The audit trail of the erased person is intact, and the erasure itself is in it.
    assert events_before <= set(
        AuditEvent.objects.filter(actor=officer).values_list("id", flat=True)
    )
    assert AuditEvent.objects.filter(
        action="account.erase", actor=staff_client.staff, target_id=str(officer.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action="certificate.pseudonymise", target_id=str(certificate.pk)
    ).exists()

    # The public verification page shows the pseudonym, not the person.
    public = Client().get(reverse("certificates:verify", args=[certificate.verify_token]))
    assert public.status_code == 200
    assert officer.full_name in public.text
    assert old_name not in public.text

    # The erasure page now says it is done and offers nothing more.
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "was erased on" in page.text
    assert old_email not in page.text


def test_erased_person_cannot_sign_in(staff_client, officer):
    old_email = officer.email
    staff_client.post(reverse("accounts:person_erase", args=[officer.pk]), {"confirm": "on"})
    officer.refresh_from_db()
    for login in (old_email, officer.email):
        browser = Client()
        browser.post(reverse("account_login"), {"login": login, "password": TEST_PASSWORD})
        assert "_auth_user_id" not in browser.session


def test_erasure_ends_the_persons_open_sessions(staff_client, officer):
    session = Client()
    session.force_login(officer)
    assert session.get(reverse("accounts:profile")).status_code == 200
    staff_client.post(reverse("accounts:person_erase", args=[officer.pk]), {"confirm": "on"})
    response = session.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_erasure_page_explains_what_will_happen(staff_client, officer):
    response = staff_client.get(reverse("accounts:person_erase", args=[officer.pk]))
    assert response.status_code == 200
    assert officer.email in response.text
    assert "cannot be undone" in response.text
    assert "Korean National Police Agency" in response.text


def test_erasure_needs_the_confirmation_box(staff_client, officer):
    response = staff_client.post(reverse("accounts:person_erase", args=[officer.pk]), {})
    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    officer.refresh_from_db()
    assert officer.erased_at is None


@pytest.mark.parametrize("role", ["officer", "agency_admin", "coordinator"])
def test_erasure_is_404_for_everyone_but_staff(client, officer, role):
    if role == "coordinator":
        actor = MembershipFactory(role=role, agency=None, country="KR").user
        # A coordinator has no agency whose time zone the middleware could fall back on.
        actor.time_zone = "Asia/Seoul"
        actor.save(update_fields=["time_zone"])
    else:
        actor = MembershipFactory(role=role, agency=officer.memberships.get().agency).user
    with_totp(actor)
    client.force_login(actor)
    reauthenticated_now(client, actor)
    url = reverse("accounts:person_erase", args=[officer.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "on"}).status_code == 404
    officer.refresh_from_db()
    assert officer.erased_at is None


def test_erasure_is_404_when_signed_out_or_for_a_missing_person(staff_client, officer):
    url = reverse("accounts:person_erase", args=[officer.pk])
    assert Client().get(url).status_code == 302  # to the login page
    missing = reverse("accounts:person_erase", args=[officer.pk + 10_000])
    assert staff_client.get(missing).status_code == 404


def test_staff_cannot_erase_themselves(staff_client):
    url = reverse("accounts:person_erase", args=[staff_client.staff.pk])
    assert staff_client.post(url, {"confirm": "on"}).status_code == 404
    staff_client.staff.refresh_from_db()
    assert staff_client.staff.erased_at is None


def test_erasure_without_recent_reauthentication_asks_for_it(client, officer):
    staff = staff_member()
    client.force_login(staff)
    url = reverse("accounts:person_erase", args=[officer.pk])
    for response in (client.get(url), client.post(url, {"confirm": "on"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
    officer.refresh_from_db()
    assert officer.erased_at is None


def test_erasure_after_reauthentication_timeout_asks_again(client, officer, settings):
    staff = staff_member()
    client.force_login(staff)
    reauthenticated_now(client, staff)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    response = client.post(reverse("accounts:person_erase", args=[officer.pk]), {"confirm": "on"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    officer.refresh_from_db()
    assert officer.erased_at is None


def test_erasure_page_query_count_does_not_grow_with_memberships(
    staff_client, officer, django_assert_max_num_queries
):
    url = reverse("accounts:person_erase", args=[officer.pk])
    with django_assert_max_num_queries(14) as few:
        response = staff_client.get(url)
    assert response.status_code == 200
    agencies = [MembershipFactory(user=officer).agency for _ in range(3)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(url)
    assert response.status_code == 200
    assert all(agency.name in response.text for agency in agencies)


def test_certificate_pseudonymise_holder_is_idempotent(officer):
    certificate = learning_records(officer)
    officer.full_name = "Erased person #1"
    officer.save(update_fields=["full_name"])
    assert certificate_pseudonymise_holder(user=officer) == [certificate.pk]
    assert certificate_pseudonymise_holder(user=officer) == []
    assert AuditEvent.objects.filter(action="certificate.pseudonymise").count() == 1
    certificate.refresh_from_db()
    assert certificate.holder_name == "Erased person #1"
