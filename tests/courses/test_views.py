"""HTTP tests for catalog, course, lesson, enroll, complete and resume."""

import pytest
from django.urls import reverse

from courses.models import Enrollment, GlossaryTerm, Lesson, LessonProgress
from courses.services import enrollment_create, lesson_complete
from tests.factories import CourseFactory, LessonFactory, UserFactory, build_course

pytestmark = pytest.mark.django_db


def lessons_of(course):
    return list(Lesson.objects.filter(module__course=course).order_by("module__order", "order"))


def test_pages_need_login(client, course):
    for url in (
        reverse("courses:catalog"),
        course.get_absolute_url(),
        reverse("certificates:dashboard"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_catalog_lists_published_courses(officer_client, course):
    hidden = CourseFactory(is_published=False, title="Hidden course")
    response = officer_client.get(reverse("courses:catalog"))
    assert response.status_code == 200
    assert course.title in response.text
    assert hidden.title not in response.text
    assert response["Cache-Control"] == "no-store"


def test_catalog_query_count_does_not_grow(officer_client, django_assert_max_num_queries):
    build_course()
    with django_assert_max_num_queries(12) as few:
        response = officer_client.get(reverse("courses:catalog"))
    assert response.status_code == 200
    for _ in range(5):
        build_course()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = officer_client.get(reverse("courses:catalog"))
    assert response.status_code == 200


def test_enroll_then_resume_goes_to_first_lesson(officer_client, officer, course):
    response = officer_client.post(reverse("courses:enroll", args=[course.slug]))
    assert response.status_code == 302
    assert Enrollment.objects.filter(user=officer, course=course).exists()
    response = officer_client.get(response["Location"])
    assert response["Location"] == lessons_of(course)[0].get_absolute_url()


def test_enroll_needs_post(officer_client, course):
    assert officer_client.get(reverse("courses:enroll", args=[course.slug])).status_code == 405


def test_lesson_needs_enrollment(officer_client, course):
    lesson = lessons_of(course)[0]
    assert officer_client.get(lesson.get_absolute_url()).status_code == 404


def test_lesson_shows_rendered_text_and_progress(officer_client, officer, course):
    enrollment_create(user=officer, course=course)
    lesson = lessons_of(course)[0]
    response = officer_client.get(lesson.get_absolute_url())
    assert response.status_code == 200
    assert lesson.current_version.body_html in response.text
    assert '<progress id="course-progress" max="4" value="0">' in response.text


def test_lesson_page_query_count_does_not_grow(
    officer_client, officer, django_assert_max_num_queries
):
    course = build_course(lessons_per_module=2)
    small = enrollment_create(user=officer, course=course)
    lesson_complete(enrollment=small, lesson=lessons_of(course)[0])
    url = lessons_of(course)[0].get_absolute_url()
    with django_assert_max_num_queries(18) as few:
        response = officer_client.get(url)
    assert response.status_code == 200
    big = build_course(lessons_per_module=12)
    enrollment = enrollment_create(user=officer, course=big)
    for lesson in lessons_of(big)[:10]:
        lesson_complete(enrollment=enrollment, lesson=lesson)
    big_url = lessons_of(big)[0].get_absolute_url()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = officer_client.get(big_url)
    assert response.status_code == 200


def test_mark_complete_records_progress_and_moves_on(officer_client, officer, course):
    enrollment = enrollment_create(user=officer, course=course)
    first, second = lessons_of(course)[:2]
    url = reverse("courses:lesson_complete", args=[course.slug, first.module.slug, first.slug])
    response = officer_client.post(url)
    assert response["Location"] == second.get_absolute_url()
    assert LessonProgress.objects.filter(enrollment=enrollment, lesson=first).exists()
    # Resume now points at the second lesson.
    response = officer_client.get(reverse("courses:resume", args=[course.slug]))
    assert response["Location"] == second.get_absolute_url()


def test_other_users_cannot_complete_lessons_for_me(client, officer, course):
    enrollment_create(user=officer, course=course)
    stranger = UserFactory()
    client.force_login(stranger)
    lesson = lessons_of(course)[0]
    url = reverse("courses:lesson_complete", args=[course.slug, lesson.module.slug, lesson.slug])
    assert client.post(url).status_code == 404
    assert not LessonProgress.objects.exists()


def test_law_enforcement_lesson_hidden_from_users_without_agency(client, course):
    lesson = LessonFactory(module=course.modules.first(), access=Lesson.Access.LAW_ENFORCEMENT)
    outsider = UserFactory(email="someone@gmail.example")
    enrollment_create(user=outsider, course=course)
    client.force_login(outsider)
    assert client.get(lesson.get_absolute_url()).status_code == 404


def test_law_enforcement_lesson_hidden_from_pending_and_lapsed_officers(client, course, settings):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Membership
    from tests.factories import MembershipFactory

    lesson = LessonFactory(module=course.modules.first(), access=Lesson.Access.LAW_ENFORCEMENT)
    pending = MembershipFactory(status=Membership.Status.PENDING, vetted_at=None).user
    lapsed = MembershipFactory(
        vetted_at=timezone.now() - timedelta(days=settings.VETTING_RECONFIRM_DAYS + 1)
    ).user
    left = MembershipFactory(status=Membership.Status.LEFT).user
    for user in (pending, lapsed, left):
        enrollment_create(user=user, course=course)
        client.force_login(user)
        assert client.get(lesson.get_absolute_url()).status_code == 404


def test_law_enforcement_lesson_shown_to_agency_members(officer_client, officer, course):
    lesson = LessonFactory(module=course.modules.first(), access=Lesson.Access.LAW_ENFORCEMENT)
    enrollment_create(user=officer, course=course)
    assert officer_client.get(lesson.get_absolute_url()).status_code == 200


def test_course_page_shows_progress_and_quiz_links(officer_client, officer, course):
    enrollment = enrollment_create(user=officer, course=course)
    lesson_complete(enrollment=enrollment, lesson=lessons_of(course)[0])
    response = officer_client.get(course.get_absolute_url())
    assert '<progress id="course-progress" max="4" value="1">' in response.text
    assert "Continue where you left off" in response.text
    for module in course.modules.all():
        assert reverse("assessments:quiz", args=[course.slug, module.slug]) in response.text


def test_lesson_with_no_imported_text_is_404_to_read_and_to_complete(
    officer_client, officer, course
):
    enrollment = enrollment_create(user=officer, course=course)
    lesson = lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(current_version=None)
    url = reverse("courses:lesson_complete", args=[course.slug, lesson.module.slug, lesson.slug])
    assert officer_client.get(lesson.get_absolute_url()).status_code == 404
    assert officer_client.post(url).status_code == 404
    assert not LessonProgress.objects.filter(enrollment=enrollment).exists()


def test_reading_every_lesson_without_the_quizzes_says_the_quizzes_remain(
    officer_client, officer, course
):
    enrollment = enrollment_create(user=officer, course=course)
    *read, last = lessons_of(course)
    for lesson in read:
        lesson_complete(enrollment=enrollment, lesson=lesson)
    url = reverse("courses:lesson_complete", args=[course.slug, last.module.slug, last.slug])
    response = officer_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == course.get_absolute_url()
    assert "All lessons read. Pass the module quizzes to finish the course." in response.text
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None


def test_glossary_shows_each_term_in_the_reader_language(client, officer, course):
    module = course.modules.order_by("order").first()
    GlossaryTerm.objects.create(
        module=module,
        term="Mixer",
        anchor="mixer",
        definition_html="<p>Pools coins.</p>",
        translations={"ko": {"name": "믹서", "definition_html": "<p>코인을 섞음</p>"}},
    )
    client.force_login(officer)
    url = reverse("courses:glossary", args=[course.slug, module.slug])
    english = client.get(url).text
    assert "Pools coins." in english and "믹서" not in english
    client.post(reverse("accounts:set_language"), {"language": "ko", "next": "/"})
    korean = client.get(url).text
    assert "(믹서)" in korean and "코인을 섞음" in korean and "Pools coins." not in korean
