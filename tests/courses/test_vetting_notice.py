"""What an unvetted learner sees of a course with law-enforcement-only parts: the public
lessons, the locked parts marked, a notice saying why and who vets them, and a course that
does not complete until they are vetted."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.services import membership_approve, membership_reconfirm
from assessments.models import Attempt
from assessments.services import attempt_start, attempt_submit
from courses.models import Enrollment, GlossaryTerm, Lesson
from courses.services import enrollment_create, lesson_complete
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_course,
    correct_answers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory(name="Royal Thai Police", country="TH")


@pytest.fixture
def mixed_course():
    """Two modules; the second has an le_only lesson, quiz and glossary."""
    course = build_course(modules=2, lessons_per_module=2)
    second = course.modules.order_by("order").last()
    locked = second.lessons.order_by("order").last()
    Lesson.objects.filter(pk=locked.pk).update(access=Lesson.Access.LAW_ENFORCEMENT)
    second.glossary_access = Lesson.Access.LAW_ENFORCEMENT
    second.save(update_fields=["glossary_access"])
    GlossaryTerm.objects.create(module=second, term="Freeze", anchor="freeze", definition_html="x")
    second.quiz.access = Lesson.Access.LAW_ENFORCEMENT
    second.quiz.save(update_fields=["access"])
    return course


def pending_officer(agency):
    return MembershipFactory(agency=agency, status=Membership.Status.PENDING, vetted_at=None).user


def test_pending_officer_sees_what_is_locked_why_and_which_admin_vets_them(
    client, agency, mixed_course
):
    admin_of(agency, full_name="Somchai Wongsawat")
    admin_of(AgencyFactory(name="Korean National Police"), full_name="Kim Other")
    officer = pending_officer(agency)
    enrollment_create(user=officer, course=mixed_course)
    client.force_login(officer)
    page = client.get(mixed_course.get_absolute_url()).text
    assert "Parts of this course are for vetted law enforcement only" in page
    assert "Why: your agency, Royal Thai Police, has not vetted your account yet." in page
    assert "Who vets you: your agency admin at Royal Thai Police: Somchai Wongsawat." in page
    assert "Kim Other" not in page
    assert "1 lesson" in page and "1 module quiz" in page and "1 glossary" in page
    assert "Completing this course waits for your vetting" in page
    locked = Lesson.objects.get(access=Lesson.Access.LAW_ENFORCEMENT)
    second = locked.module
    assert locked.get_absolute_url() not in page
    assert reverse("assessments:quiz", args=[mixed_course.slug, second.slug]) not in page
    assert reverse("courses:glossary", args=[mixed_course.slug, second.slug]) not in page
    public = Lesson.objects.filter(module=second, access=Lesson.Access.PUBLIC).get()
    assert public.get_absolute_url() in page


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        (
            {"vetted_at": timezone.now() - timedelta(days=settings.VETTING_RECONFIRM_DAYS + 1)},
            "Why: your vetting by Royal Thai Police has lapsed and must be re-confirmed.",
        ),
        (
            {"status": Membership.Status.REJECTED},
            "Why: Royal Thai Police did not approve your request for law-enforcement access.",
        ),
        (
            {"status": Membership.Status.LEFT},
            "Why: you are recorded as having left Royal Thai Police.",
        ),
    ],
)
def test_notice_says_why_for_lapsed_rejected_and_left(client, agency, mixed_course, changes, why):
    admin_of(agency, full_name="Somchai Wongsawat")
    membership = MembershipFactory(agency=agency)
    Membership.objects.filter(pk=membership.pk).update(**changes)
    client.force_login(membership.user)
    page = client.get(mixed_course.get_absolute_url()).text
    assert why in page
    assert "Somchai Wongsawat" in page


def test_user_without_agency_is_told_to_join_through_one(client, mixed_course):
    client.force_login(UserFactory())
    page = client.get(mixed_course.get_absolute_url()).text
    assert "your account is not linked to a law-enforcement agency" in page


def test_vetted_officer_sees_no_notice_and_no_lock(client, agency, mixed_course):
    officer = MembershipFactory(agency=agency).user
    enrollment_create(user=officer, course=mixed_course)
    client.force_login(officer)
    page = client.get(mixed_course.get_absolute_url()).text
    assert "vetting-notice" not in page and "Locked" not in page
    locked = Lesson.objects.get(access=Lesson.Access.LAW_ENFORCEMENT)
    assert locked.get_absolute_url() in page


def course_page_queries(client, course) -> int:
    client.get(course.get_absolute_url())  # the outline is cached from here on
    with CaptureQueriesContext(connection) as queries:
        assert client.get(course.get_absolute_url()).status_code == 200
    return len(queries)


def test_course_page_query_count_is_flat_with_the_notice(client, agency):
    for _ in range(2):
        admin_of(agency)
    officer = pending_officer(agency)
    client.force_login(officer)
    small = build_course(modules=1, lessons_per_module=1)
    large = build_course(modules=4, lessons_per_module=5)
    for course in (small, large):
        Lesson.objects.filter(module__course=course).update(access=Lesson.Access.LAW_ENFORCEMENT)
        enrollment_create(user=officer, course=course)
    # None per module, lesson or admin: the user and the viewer's memberships (every
    # request's), the course with the enrollment, the lessons read, and for the notice the
    # agency's admins (the officer's membership and agency come from the viewer's read).
    assert course_page_queries(client, small) == course_page_queries(client, large) == 5


def finish_open_parts(officer, course) -> Enrollment:
    """Read every lesson and pass every quiz, as far as services allow."""
    enrollment = enrollment_create(user=officer, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    for module in course.modules.all():
        attempt = attempt_start(user=officer, quiz=module.quiz, enrollment=enrollment)
        attempt_submit(
            attempt_id=attempt.pk, user=officer, raw_answers=correct_answers(module.quiz)
        )
    enrollment.refresh_from_db()
    return enrollment


def test_lapsed_officer_does_not_complete_a_course_with_locked_parts(client, agency, mixed_course):
    membership = MembershipFactory(agency=agency)
    Membership.objects.filter(pk=membership.pk).update(
        vetted_at=timezone.now() - timedelta(days=settings.VETTING_RECONFIRM_DAYS + 1)
    )
    enrollment = finish_open_parts(membership.user, mixed_course)
    assert Attempt.objects.filter(enrollment=enrollment, passed=True).count() == 2
    assert enrollment.completed_at is None
    client.force_login(membership.user)
    page = client.get(mixed_course.get_absolute_url()).text
    assert "Completing this course waits for your vetting" in page
    # Re-confirmed by the agency admin: the course completes without another step.
    membership_reconfirm(membership=membership, actor=admin_of(agency))
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None


def test_pending_officer_reads_public_lessons_but_cannot_complete_until_approved(
    client, agency, mixed_course
):
    membership = MembershipFactory(agency=agency, status=Membership.Status.PENDING, vetted_at=None)
    officer = membership.user
    enrollment = enrollment_create(user=officer, course=mixed_course)
    client.force_login(officer)
    public = list(
        Lesson.objects.filter(module__course=mixed_course, access=Lesson.Access.PUBLIC).order_by(
            "module__order", "order"
        )
    )
    for lesson in public:
        response = client.post(reverse("courses:lesson_complete", args=[
            mixed_course.slug, lesson.module.slug, lesson.slug
        ]))  # fmt: skip
        assert response.status_code == 302
    # The last open lesson leads back to the course page, not to the locked lesson.
    assert response["Location"] == mixed_course.get_absolute_url()
    assert (
        client.get(reverse("courses:resume", args=[mixed_course.slug]))["Location"]
        == mixed_course.get_absolute_url()
    )
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    page = client.get(mixed_course.get_absolute_url()).text
    assert "You have done everything open to you. Completing this course waits" in page

    membership_approve(membership=membership, actor=admin_of(agency))
    locked = Lesson.objects.get(access=Lesson.Access.LAW_ENFORCEMENT)
    assert client.get(locked.get_absolute_url()).status_code == 200
    assert (
        client.get(reverse("courses:resume", args=[mixed_course.slug]))["Location"]
        == locked.get_absolute_url()
    )


def test_notice_names_every_admin_of_the_agency(client, agency, mixed_course):
    admin_of(agency, full_name="Somchai Wongsawat")
    admin_of(agency, full_name="Anong Srisuk")
    client.force_login(pending_officer(agency))
    page = client.get(mixed_course.get_absolute_url()).text
    assert (
        "Who vets you: your agency admins at Royal Thai Police: Anong Srisuk, Somchai Wongsawat."
    ) in page


def test_notice_says_when_the_agency_has_no_admin_yet(client, agency, mixed_course):
    client.force_login(pending_officer(agency))
    page = client.get(mixed_course.get_absolute_url()).text
    assert "Who vets you: an agency admin at Royal Thai Police. None is set up yet" in page


def test_lesson_pager_counts_every_lesson_and_skips_locked_ones(client, agency, mixed_course):
    officer = pending_officer(agency)
    enrollment_create(user=officer, course=mixed_course)
    client.force_login(officer)
    first, second, third, locked = Lesson.objects.filter(module__course=mixed_course).order_by(
        "module__order", "order"
    )
    assert locked.access == Lesson.Access.LAW_ENFORCEMENT
    page = client.get(third.get_absolute_url()).text
    assert "Lesson 3 of 4" in page
    assert f'<a href="{second.get_absolute_url()}" rel="prev">' in page
    assert 'rel="next"' not in page and locked.get_absolute_url() not in page
    page = client.get(first.get_absolute_url()).text
    assert "Lesson 1 of 4" in page and 'rel="prev"' not in page
    assert f'<a href="{second.get_absolute_url()}" rel="next">' in page


def test_reading_every_open_lesson_tells_an_unvetted_officer_the_rest_waits(
    client, agency, mixed_course
):
    officer = pending_officer(agency)
    enrollment = enrollment_create(user=officer, course=mixed_course)
    first, second, third, _locked = Lesson.objects.filter(module__course=mixed_course).order_by(
        "module__order", "order"
    )
    for lesson in (first, second):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    client.force_login(officer)
    url = reverse(
        "courses:lesson_complete", args=[mixed_course.slug, third.module.slug, third.slug]
    )
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == mixed_course.get_absolute_url()
    assert "You have read every lesson open to you." in response.text
    assert "Pass the module quizzes" not in response.text
