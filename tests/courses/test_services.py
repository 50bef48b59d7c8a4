"""Enrollment, lesson completion and course completion."""

import pytest

from accounts.models import AuditEvent
from assessments.services import attempt_start, attempt_submit
from certificates.models import Certificate
from courses.models import Lesson, LessonProgress
from courses.services import enrollment_create, enrollment_evaluate_completion, lesson_complete
from tests.factories import CourseFactory, LessonFactory, correct_answers

pytestmark = pytest.mark.django_db


def test_enrollment_create_is_idempotent_and_audited(officer, course):
    first = enrollment_create(user=officer, course=course)
    second = enrollment_create(user=officer, course=course)
    assert first.pk == second.pk
    assert AuditEvent.objects.filter(action="enrollment.create", actor=officer).count() == 1


def test_lesson_complete_pins_the_version_read(officer, course):
    enrollment = enrollment_create(user=officer, course=course)
    lesson = Lesson.objects.filter(module__course=course).first()
    progress = lesson_complete(enrollment=enrollment, lesson=lesson)
    again = lesson_complete(enrollment=enrollment, lesson=lesson)
    assert progress.pk == again.pk
    assert progress.version_id == lesson.current_version_id
    assert AuditEvent.objects.filter(action="lesson.complete").count() == 1


def test_lesson_from_another_course_is_refused(officer, course):
    enrollment = enrollment_create(user=officer, course=course)
    other = LessonFactory(module__course=CourseFactory())
    with pytest.raises(ValueError, match="does not belong"):
        lesson_complete(enrollment=enrollment, lesson=other)
    assert not LessonProgress.objects.exists()


def test_all_lessons_without_quizzes_passed_does_not_complete(officer, course):
    enrollment = enrollment_create(user=officer, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None
    assert not Certificate.objects.exists()


def test_lessons_and_passed_quizzes_complete_and_write_a_pending_certificate(
    officer, course, django_capture_on_commit_callbacks
):
    enrollment = enrollment_create(user=officer, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    with django_capture_on_commit_callbacks() as callbacks:
        for module in course.modules.all():
            attempt = attempt_start(user=officer, quiz=module.quiz, enrollment=enrollment)
            attempt_submit(
                attempt_id=attempt.pk, user=officer, raw_answers=correct_answers(module.quiz)
            )
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.PENDING
    assert certificate.holder_name == officer.full_name
    assert certificate.agency_name == "Korean National Police Agency"
    assert str(certificate.hours) == "1.0"  # 4 lessons x 15 minutes
    assert len(callbacks) == 1  # the render task is queued only after commit
    assert AuditEvent.objects.filter(action="course.complete").count() == 1


def test_evaluating_twice_completes_once(officer, course):
    enrollment = enrollment_create(user=officer, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    for module in course.modules.all():
        attempt = attempt_start(user=officer, quiz=module.quiz, enrollment=enrollment)
        attempt_submit(
            attempt_id=attempt.pk, user=officer, raw_answers=correct_answers(module.quiz)
        )
    assert enrollment_evaluate_completion(enrollment=enrollment) is False
    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
