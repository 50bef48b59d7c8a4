"""Hours per category (reports.selectors.hours): recorded lesson minutes in the module's
category, attended session hours in the cohort's category, inside a window, in two queries."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from cohorts.models import Attendance
from courses.models import LessonProgress, TrainingCategory
from reports.selectors.hours import TOTAL, hours_by_category
from tests.factories import (
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    SessionFactory,
    UserFactory,
    build_cohort,
    seated,
)

pytestmark = pytest.mark.django_db

JAN = datetime(2026, 1, 15, 10, tzinfo=UTC)
MAR = datetime(2026, 3, 15, 10, tzinfo=UTC)


def read(user, lesson, when):
    enrollment = EnrollmentFactory(user=user, course=lesson.module.course)
    return LessonProgress.objects.create(
        enrollment=enrollment, lesson=lesson, version=lesson.current_version, completed_at=when
    )


def test_lesson_minutes_count_in_their_module_category():
    officer = UserFactory()
    tracing = ModuleFactory(category=TrainingCategory.TRACING)
    legal = ModuleFactory(course=tracing.course, category=TrainingCategory.LEGAL)
    enrollment = EnrollmentFactory(user=officer, course=tracing.course)
    for module, minutes in ((tracing, 45), (tracing, 45), (legal, 30)):
        lesson = LessonFactory(module=module, minutes=minutes)
        LessonProgress.objects.create(
            enrollment=enrollment, lesson=lesson, version=lesson.current_version, completed_at=JAN
        )

    hours = hours_by_category(user_ids=[officer.pk])[officer.pk]

    assert hours[TrainingCategory.TRACING] == Decimal("1.5")
    assert hours[TrainingCategory.LEGAL] == Decimal("0.5")
    assert hours[TOTAL] == Decimal(2)


def test_the_window_keeps_what_was_done_inside_it():
    officer = UserFactory()
    module = ModuleFactory(category=TrainingCategory.BLOCKCHAIN)
    enrollment = EnrollmentFactory(user=officer, course=module.course)
    for when in (JAN, MAR):
        lesson = LessonFactory(module=module, minutes=60)
        LessonProgress.objects.create(
            enrollment=enrollment, lesson=lesson, version=lesson.current_version, completed_at=when
        )

    inside = hours_by_category(
        user_ids=[officer.pk], since=datetime(2026, 2, 1, tzinfo=UTC), until=MAR + timedelta(1)
    )
    before = hours_by_category(user_ids=[officer.pk], until=datetime(2026, 2, 1, tzinfo=UTC))
    # The end is exclusive: a lesson completed at `until` is not counted.
    at_the_end = hours_by_category(user_ids=[officer.pk], since=JAN, until=MAR)

    assert inside[officer.pk][TOTAL] == Decimal(1)
    assert before[officer.pk][TOTAL] == Decimal(1)
    assert at_the_end[officer.pk][TOTAL] == Decimal(1)


def test_attended_sessions_count_their_length_in_the_cohort_category():
    cohort = build_cohort(days=2, category=TrainingCategory.PRACTICAL)  # 9:00-17:00 each day
    late_session, absent_session = cohort.sessions.order_by("starts_at")
    seat = seated(cohort)
    Attendance.objects.create(
        session=late_session, seat=seat, status=Attendance.Status.LATE, source="roster"
    )
    Attendance.objects.create(
        session=absent_session, seat=seat, status=Attendance.Status.ABSENT, source="roster"
    )
    cancelled = SessionFactory(
        cohort=cohort, start_time=time(9), end_time=time(12), is_cancelled=True
    )
    Attendance.objects.create(
        session=cancelled, seat=seat, status=Attendance.Status.PRESENT, source="roster"
    )

    hours = hours_by_category(user_ids=[seat.user_id])[seat.user_id]

    assert hours == {TrainingCategory.PRACTICAL: Decimal(8), TOTAL: Decimal(8)}


def test_officers_without_hours_are_absent_and_two_queries_serve_any_number(
    django_assert_num_queries,
):
    module = ModuleFactory(category=TrainingCategory.TRACING)
    lesson = LessonFactory(module=module, minutes=20)
    officers = [UserFactory() for _ in range(12)]
    for officer in officers[:10]:
        read(officer, lesson, JAN)

    with django_assert_num_queries(2):
        hours = hours_by_category(user_ids=[o.pk for o in officers])

    assert set(hours) == {o.pk for o in officers[:10]}
    assert all(h[TOTAL] == Decimal(20) / 60 for h in hours.values())
