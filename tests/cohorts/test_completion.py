"""Blended completion: prerequisite modules done, attendance at or above the threshold and the
cohort's assessment passed complete the seat and write the certificate in the same
transaction; a real worker renders it like any other."""

import pytest
from django.db import transaction

from accounts.models import AuditEvent
from assessments.services import attempt_start, attempt_submit
from certificates.models import Certificate
from cohorts.models import Attendance, Cohort, Seat
from cohorts.services.attendance import attendance_mark
from cohorts.services.completion import cohort_evaluate_completion, seat_evaluate_completion
from cohorts.services.schedule import cohort_set_status
from courses.models import Lesson
from courses.services import enrollment_create, lesson_complete
from tests.certificates.pdf import pdf_facts
from tests.factories import build_cohort, build_course, correct_answers, seated
from tests.polling import wait_for

PRESENT, ABSENT = Attendance.Status.PRESENT, Attendance.Status.ABSENT


def _blended_cohort(*, days=2, threshold=80):
    course = build_course(modules=2, lessons_per_module=2, questions=2)
    first, second = course.modules.order_by("order")
    cohort = build_cohort(course=course, days=days, attendance_threshold=threshold)
    cohort.prerequisite_modules.set([first])
    cohort.assessment = second.quiz
    cohort.save(update_fields=["assessment"])
    return cohort


def _do_prerequisites(seat):
    module = seat.cohort.prerequisite_modules.get()
    enrollment = enrollment_create(user=seat.user, course=seat.cohort.course)
    for lesson in Lesson.objects.filter(module=module):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    _pass(seat, module.quiz, enrollment)
    return enrollment


def _pass(seat, quiz, enrollment):
    attempt = attempt_start(user=seat.user, quiz=quiz, enrollment=enrollment)
    attempt_submit(attempt_id=attempt.pk, user=seat.user, raw_answers=correct_answers(quiz))


def _attend(seat, statuses):
    trainer = seat.cohort.trainers.first()
    for session, status in zip(seat.cohort.sessions.order_by("starts_at"), statuses, strict=True):
        attendance_mark(session=session, seat=seat, status=status, actor=trainer)


@pytest.mark.django_db
def test_all_three_conditions_complete_the_seat_with_a_cohort_certificate():
    cohort = _blended_cohort()
    seat = seated(cohort)
    enrollment = _do_prerequisites(seat)
    _attend(seat, [PRESENT, Attendance.Status.LATE])
    seat.refresh_from_db()
    assert seat.completed_at is None  # the assessment is not passed yet
    assert not Certificate.objects.filter(cohort=cohort).exists()

    _pass(seat, cohort.assessment, enrollment)  # the quiz_passed signal evaluates the seat

    seat.refresh_from_db()
    assert seat.completed_at is not None
    certificate = Certificate.objects.get(cohort=cohort, user=seat.user)
    assert certificate.status == Certificate.Status.PENDING
    assert certificate.enrollment == enrollment
    assert certificate.hours == 16  # two days of 09:00-17:00
    assert certificate.delivery.startswith("In person: Bangkok, TH")
    assert AuditEvent.objects.filter(action="cohort.complete", target_id=str(seat.pk)).exists()


@pytest.mark.django_db
def test_attendance_below_the_threshold_does_not_complete():
    cohort = _blended_cohort(days=5, threshold=80)
    seat = seated(cohort)
    enrollment = _do_prerequisites(seat)
    _pass(seat, cohort.assessment, enrollment)
    _attend(seat, [PRESENT, PRESENT, PRESENT, Attendance.Status.EXCUSED, ABSENT])  # 60%
    seat.refresh_from_db()
    assert seat.completed_at is None
    # A correction to the roster brings it to 80%: now it completes.
    session = cohort.sessions.order_by("starts_at")[3]
    attendance_mark(session=session, seat=seat, status=PRESENT, actor=cohort.trainers.first())
    seat.refresh_from_db()
    assert seat.completed_at is not None


@pytest.mark.django_db
def test_missing_prerequisites_block_completion():
    cohort = _blended_cohort()
    seat = seated(cohort)
    enrollment = enrollment_create(user=seat.user, course=cohort.course)
    _pass(seat, cohort.assessment, enrollment)
    _attend(seat, [PRESENT, PRESENT])
    assert seat_evaluate_completion(seat=seat) is False
    _do_prerequisites(seat)  # passing the module quiz re-evaluates the seat
    seat.refresh_from_db()
    assert seat.completed_at is not None


@pytest.mark.django_db
def test_evaluating_twice_writes_one_certificate():
    cohort = _blended_cohort()
    seat = seated(cohort)
    enrollment = _do_prerequisites(seat)
    _pass(seat, cohort.assessment, enrollment)
    _attend(seat, [PRESENT, PRESENT])
    assert seat_evaluate_completion(seat=seat) is True
    assert seat_evaluate_completion(seat=seat) is True
    assert cohort_evaluate_completion(cohort_id=cohort.pk) == []
    assert Certificate.objects.filter(cohort=cohort).count() == 1


@pytest.mark.django_db
def test_a_cohort_without_prerequisites_or_assessment_completes_on_attendance():
    cohort = build_cohort(days=2, attendance_threshold=50)
    seat = seated(cohort)
    _attend(seat, [PRESENT, ABSENT])
    seat.refresh_from_db()
    assert seat.completed_at is not None
    assert Certificate.objects.filter(cohort=cohort, user=seat.user).exists()


@pytest.mark.django_db
def test_an_online_certificate_and_a_cohort_certificate_can_both_exist():
    cohort = build_cohort(days=1, attendance_threshold=100)
    seat = seated(cohort)
    enrollment = enrollment_create(user=seat.user, course=cohort.course)
    for lesson in Lesson.objects.filter(module__course=cohort.course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    for module in cohort.course.modules.all():
        _pass(seat, module.quiz, enrollment)
    _attend(seat, [PRESENT])
    assert Certificate.objects.filter(user=seat.user, cohort__isnull=True).count() == 1
    assert Certificate.objects.filter(user=seat.user, cohort=cohort).count() == 1


@pytest.mark.django_db
def test_a_waitlisted_officer_never_completes():
    cohort = build_cohort(days=1, capacity=1, attendance_threshold=1)
    seated(cohort)
    waiting = seated(cohort)
    assert waiting.status == Seat.Status.WAITLISTED
    assert seat_evaluate_completion(seat=waiting) is False


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_closing_the_cohort_issues_certificates_through_the_worker(celery_worker):
    """The close path: marks recorded, the trainer closes the cohort, Celery evaluates every
    seat, and the same worker renders the PDFs."""
    cohort = build_cohort(days=2, attendance_threshold=100)
    trainer = cohort.trainers.first()
    seats = [seated(cohort) for _ in range(3)]
    cohort_set_status(cohort=cohort, status=Cohort.Status.RUNNING, actor=trainer)
    # Marks written in bulk, as an old import would: nothing has evaluated the seats yet.
    with transaction.atomic():
        Attendance.objects.bulk_create(
            Attendance(session=session, seat=seat, status=PRESENT, source="roster")
            for seat in seats[:2]
            for session in cohort.sessions.all()
        )
    cohort_set_status(cohort=cohort, status=Cohort.Status.CLOSED, actor=trainer)

    issued = Certificate.objects.filter(cohort=cohort, status=Certificate.Status.ISSUED)
    wait_for(lambda: issued.count() == 2, interval=0.2, message="not two certificates issued")
    assert set(issued.values_list("user_id", flat=True)) == {s.user_id for s in seats[:2]}
    facts = pdf_facts(issued.first().pdf.read())
    assert "In person: Bangkok" in facts["text"]
    assert not Seat.objects.filter(pk=seats[2].pk, completed_at__isnull=False).exists()
