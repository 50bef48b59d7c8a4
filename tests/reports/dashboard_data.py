"""A small known data set for the dashboard tests (unit, HTTP, export and browser tests)."""

from datetime import timedelta

from django.utils import timezone

from assessments.models import Attempt
from certificates.models import Certificate
from cohorts.models import Attendance, Seat
from courses.models import Enrollment
from reports.selectors.dashboards import DashboardFilters, default_date_range
from tests.factories import (
    AgencyFactory,
    AttemptFactory,
    CertificateFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
    admin_of,
    build_cohort,
    build_course,
    lesson_read,
)


def filters_for(course, **kwargs) -> DashboardFilters:
    date_from, date_to = default_date_range()
    return DashboardFilters(course=course, **{"date_from": date_from, "date_to": date_to, **kwargs})


def read(enrollment: Enrollment, module, *, when=None) -> None:
    for lesson in module.lessons.all():
        lesson_read(enrollment, lesson, completed_at=when or timezone.now())


def graded(user, quiz, *, passed: bool, when=None) -> Attempt:
    return AttemptFactory(
        user=user,
        quiz=quiz,
        status=Attempt.Status.GRADED,
        score=90 if passed else 30,
        passed=passed,
        submitted_at=when or timezone.now(),
    )


def officer_of(agency, **kwargs):
    return MembershipFactory(agency=agency, user=UserFactory(), **kwargs).user


class Scene:
    """An agency of four current officers (and a lapsed one, an admin, and another agency's
    officer, none counted), a course of two modules of two lessons with a quiz each:

    - o1 read everything, passed quiz 1 at the first try and quiz 2 at the second, completed
      the course and holds a certificate expiring in 30 days;
    - o2 read module 1 and failed quiz 1 once;
    - o3 is enrolled and did nothing else;
    - o4 is not enrolled."""

    def __init__(self, course=None):
        self.course = course or build_course(modules=2, lessons_per_module=2, questions=1)
        self.agency = AgencyFactory(country="KR", name="Seoul Police")
        self.unit = UnitFactory(agency=self.agency, name="Cyber unit")
        self.m1, self.m2 = list(self.course.modules.order_by("order"))
        self.q1, self.q2 = self.m1.quiz, self.m2.quiz
        self.o1 = officer_of(self.agency, unit=self.unit)
        self.o2 = officer_of(self.agency)
        self.o3 = officer_of(self.agency)
        self.o4 = officer_of(self.agency)
        self.lapsed = officer_of(self.agency, vetted_at=timezone.now() - timedelta(days=2000))
        self.admin = admin_of(self.agency)
        now = timezone.now()
        e1 = Enrollment.objects.create(user=self.o1, course=self.course, completed_at=now)
        e2 = Enrollment.objects.create(user=self.o2, course=self.course)
        Enrollment.objects.create(user=self.o3, course=self.course)
        Enrollment.objects.create(user=self.lapsed, course=self.course, completed_at=now)
        read(e1, self.m1)
        read(e1, self.m2)
        read(e2, self.m1)
        graded(self.o1, self.q1, passed=True, when=now - timedelta(hours=3))
        graded(self.o1, self.q2, passed=False, when=now - timedelta(hours=2))
        graded(self.o1, self.q2, passed=True, when=now - timedelta(hours=1))
        graded(self.o2, self.q1, passed=False)
        CertificateFactory(
            enrollment=e1,
            status=Certificate.Status.ISSUED,
            pdf="certificates/test.pdf",
            issued_at=now,
            valid_until=now + timedelta(days=30),
        )
        other = AgencyFactory(country="KR", name="Busan Police")
        self.other = other
        stranger = officer_of(other)
        Enrollment.objects.create(user=stranger, course=self.course, completed_at=now)

    def filters(self, **kwargs) -> DashboardFilters:
        return filters_for(self.course, **kwargs)


def grow(scene, officers: int) -> None:
    """Officers with progress, attempts, certificates and seats, like the scene's."""
    cohort = build_cohort(
        course=scene.course,
        host=scene.agency,
        days=1,
        first_day=timezone.localdate() - timedelta(days=2),
    )
    session = cohort.sessions.first()
    now = timezone.now()
    for index in range(officers):
        user = officer_of(scene.agency)
        enrollment = Enrollment.objects.create(
            user=user, course=scene.course, completed_at=now if index % 2 else None
        )
        read(enrollment, scene.m1)
        graded(user, scene.q1, passed=bool(index % 3))
        if index % 2:
            CertificateFactory(
                enrollment=enrollment,
                status="issued",
                issued_at=now,
                pdf="certificates/test.pdf",
                valid_until=now + timedelta(days=60),
            )
        seat = Seat.objects.create(
            cohort=cohort, user=user, agency=scene.agency, status=Seat.Status.APPROVED
        )
        Attendance.objects.create(seat=seat, session=session, status="present", source="roster")


def count_queries(django_assert_max_num_queries, client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
