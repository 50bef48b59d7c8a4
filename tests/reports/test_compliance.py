"""Compliance states against a requirement set, around cycle boundaries (time-machine)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from certificates.models import Certificate
from cohorts.models import Attendance, Seat
from courses.models import Enrollment
from reports.models import AgencyRequirement, RequirementSet
from reports.selectors.compliance import (
    AT_RISK,
    COMPLIANT,
    NO_REQUIREMENT,
    OVERDUE,
    add_months,
    cycle_containing,
    officers_compliance,
)
from tests.factories import (
    AgencyFactory,
    CertificateFactory,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    SeatFactory,
    SessionFactory,
    lesson_read,
)

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def requirement_set(**fields) -> RequirementSet:
    values = {
        "slug": "test-set",
        "name": "Test set (demo)",
        "country": "KR",
        "cycle_months": 12,
        "anchor": RequirementSet.Anchor.FIXED,
        "anchor_date": date(2026, 1, 1),
        "minimum_hours": {"tracing": "1"},
        "required": [],
        "certificate_current": False,
        "source_path": "content/requirements/test-set.yaml",
        "content_hash": "0" * 64,
    }
    values.update(fields)
    return RequirementSet.objects.create(**values)


def agency_following(requirement: RequirementSet | None = None, **fields):
    agency = AgencyFactory(country="KR", time_zone="Asia/Seoul", **fields)
    if requirement is not None:
        AgencyRequirement.objects.create(agency=agency, requirement_set=requirement)
    return agency


def officer(agency, started: datetime):
    return MembershipFactory(agency=agency, created_at=started)


def complete_lessons(user, module, at: datetime, count: int = 1):
    """`count` new 30-minute lessons of `module`, completed by `user` at `at`."""
    enrollment, _created = Enrollment.objects.get_or_create(user=user, course=module.course)
    for _ in range(count):
        lesson = LessonFactory(module=module, minutes=30)
        lesson_read(enrollment, lesson, completed_at=at)


def state_of(membership, today: date | None = None):
    result = officers_compliance(
        officers=[(membership.user_id, membership.agency_id, membership.created_at)], today=today
    )
    return result[membership.user_id]


def test_cycle_containing_steps_before_the_anchor_and_clamps_month_ends():
    assert cycle_containing(anchor=date(2026, 1, 1), months=12, today=date(2025, 3, 1)) == (
        date(2025, 1, 1),
        date(2026, 1, 1),
        -1,
    )
    assert cycle_containing(anchor=date(2026, 1, 31), months=1, today=date(2026, 3, 1)) == (
        date(2026, 2, 28),
        date(2026, 3, 31),
        1,
    )
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_fixed_cycle_day_before_its_end_is_at_risk_and_day_after_is_overdue():
    member = officer(agency_following(requirement_set()), seoul(2025, 6, 1))
    with time_machine.travel(seoul(2026, 12, 31, 12), tick=False):
        before = state_of(member)
    with time_machine.travel(seoul(2027, 1, 1, 0, 30), tick=False):
        after = state_of(member)
    assert before.state == AT_RISK
    assert (before.cycle_start, before.cycle_end) == (date(2026, 1, 1), date(2027, 1, 1))
    assert after.state == OVERDUE
    assert (after.cycle_start, after.cycle_end) == (date(2027, 1, 1), date(2028, 1, 1))


def test_officer_who_met_the_last_cycle_is_compliant_the_day_after_it_ends():
    member = officer(agency_following(requirement_set()), seoul(2025, 6, 1))
    complete_lessons(member.user, ModuleFactory(category="tracing"), seoul(2026, 5, 1), count=2)
    with time_machine.travel(seoul(2027, 1, 1, 9), tick=False):
        result = state_of(member)
    assert result.state == COMPLIANT
    assert result.hours["total"] == 0
    assert result.shortfalls == ["1 h of Tracing and analysis"]


def test_officer_who_started_mid_cycle_is_not_overdue_for_that_cycle():
    member = officer(agency_following(requirement_set()), seoul(2026, 6, 1))
    with time_machine.travel(seoul(2027, 1, 2, 9), tick=False):
        assert state_of(member).state == COMPLIANT
    with time_machine.travel(seoul(2027, 11, 15, 9), tick=False):
        assert state_of(member).state == AT_RISK
    with time_machine.travel(seoul(2028, 1, 1, 9), tick=False):
        assert state_of(member).state == OVERDUE


@pytest.mark.parametrize(
    ("today", "state"),
    [(date(2026, 11, 2), COMPLIANT), (date(2026, 11, 3), AT_RISK)],
    ids=["60-days-left", "59-days-left"],
)
def test_at_risk_starts_with_fewer_than_60_days_left(today, state, settings):
    settings.REPORTS_AT_RISK_DAYS = 60
    member = officer(agency_following(requirement_set()), seoul(2026, 1, 1))
    assert (date(2027, 1, 1) - today).days in (60, 59)
    with time_machine.travel(seoul(today.year, today.month, today.day, 12), tick=False):
        assert state_of(member).state == state


def test_cycle_from_each_officers_start():
    start_set = requirement_set(anchor=RequirementSet.Anchor.START, anchor_date=None)
    member = officer(agency_following(start_set), seoul(2026, 3, 15, 10))
    with time_machine.travel(seoul(2027, 3, 14, 12), tick=False):
        last_day = state_of(member)
    with time_machine.travel(seoul(2027, 3, 15, 12), tick=False):
        next_cycle = state_of(member)
    assert (last_day.cycle_start, last_day.cycle_end) == (date(2026, 3, 15), date(2027, 3, 15))
    assert last_day.state == AT_RISK
    assert next_cycle.state == OVERDUE


def test_hours_count_inside_the_cycle_only_in_the_agencys_time_zone():
    member = officer(agency_following(requirement_set()), seoul(2025, 1, 1))
    module = ModuleFactory(category="tracing")
    complete_lessons(member.user, module, seoul(2025, 12, 31, 23, 30))  # previous cycle
    complete_lessons(member.user, module, seoul(2026, 1, 1, 0, 30))  # this one
    complete_lessons(member.user, module, seoul(2027, 1, 1, 0, 0))  # the next
    with time_machine.travel(seoul(2026, 6, 1), tick=False):
        result = state_of(member)
    assert result.hours["tracing"] == Decimal("0.5")
    assert result.hours["total"] == Decimal("0.5")
    assert result.shortfalls == ["0.5 h of Tracing and analysis"]
    assert result.state == OVERDUE  # 0.5 h in the cycle before as well


def test_in_person_hours_come_from_attended_sessions_only():
    member = officer(
        agency_following(requirement_set(minimum_hours={"practical": "16"})), seoul(2025, 1, 1)
    )
    cohort = CohortFactory(category="practical", time_zone="Asia/Seoul")
    seat = SeatFactory(cohort=cohort, user=member.user, status=Seat.Status.APPROVED)
    statuses = [
        Attendance.Status.PRESENT,
        Attendance.Status.LATE,
        Attendance.Status.ABSENT,
        Attendance.Status.EXCUSED,
    ]
    for offset, status in enumerate(statuses):
        session = SessionFactory(
            cohort=cohort, date=date(2026, 3, 2) + timedelta(days=offset), start_time=time(9)
        )
        Attendance.objects.create(session=session, seat=seat, status=status, source="roster")
    cancelled = SessionFactory(cohort=cohort, date=date(2026, 3, 9), is_cancelled=True)
    Attendance.objects.create(session=cancelled, seat=seat, status="present", source="roster")
    with time_machine.travel(seoul(2026, 6, 1), tick=False):
        result = state_of(member)
    assert result.hours["practical"] == Decimal(16)
    assert result.state == COMPLIANT
    assert result.shortfalls == []


def test_required_module_counts_once_its_last_lesson_is_completed():
    module = ModuleFactory(title="Tracing stolen funds")
    required = requirement_set(minimum_hours={}, required=[f"{module.course.slug}/{module.slug}"])
    agency = agency_following(required)
    late, early = officer(agency, seoul(2026, 1, 1)), officer(agency, seoul(2026, 1, 1))
    enrollment = EnrollmentFactory(user=late.user, course=module.course)
    first, second = LessonFactory(module=module), LessonFactory(module=module)
    for lesson, at in ((first, seoul(2025, 12, 1)), (second, seoul(2026, 2, 1))):
        lesson_read(enrollment, lesson, completed_at=at)
    early_enrollment = EnrollmentFactory(user=early.user, course=module.course)
    lesson_read(
        early_enrollment,
        first,
        completed_at=seoul(2026, 2, 1),
    )
    with time_machine.travel(seoul(2026, 6, 1), tick=False):
        result = officers_compliance(
            officers=[(m.user_id, m.agency_id, m.created_at) for m in (late, early)]
        )
    assert result[late.user_id].shortfalls == []
    assert result[early.user_id].shortfalls == ["Module Tracing stolen funds not completed"]


def test_required_module_completed_in_an_earlier_cycle_still_counts():
    """A lesson is completed once: a module done in 2025 stays done in the 2026 cycle (what
    recurs is the hours and, where asked, a current certificate)."""
    module = ModuleFactory(title="Tracing stolen funds")
    required = requirement_set(
        minimum_hours={"tracing": "1"}, required=[f"{module.course.slug}/{module.slug}"]
    )
    member = officer(agency_following(required), seoul(2024, 6, 1))
    enrollment = EnrollmentFactory(user=member.user, course=module.course)
    lesson = LessonFactory(module=module)
    lesson_read(
        enrollment,
        lesson,
        completed_at=seoul(2025, 3, 1),
    )

    with time_machine.travel(seoul(2026, 11, 15), tick=False):
        result = state_of(member)

    # The module is not missing; only this cycle's hours are.
    assert result.shortfalls == ["1 h of Tracing and analysis"]


@pytest.mark.parametrize(
    ("status", "valid_for_days", "current"),
    [
        (Certificate.Status.ISSUED, 30, True),
        (Certificate.Status.ISSUED, None, True),
        (Certificate.Status.REVOKED, 30, False),
        (Certificate.Status.ISSUED, -1, False),
        (Certificate.Status.SUSPENDED, 30, False),
    ],
    ids=["issued", "issued-no-expiry", "revoked", "expired", "suspended"],
)
def test_certificate_must_be_issued_and_valid_today(status, valid_for_days, current):
    course = CourseFactory(title="Crypto investigation")
    required = requirement_set(minimum_hours={}, required=[course.slug], certificate_current=True)
    member = officer(agency_following(required), seoul(2026, 1, 1))
    with time_machine.travel(seoul(2026, 6, 1), tick=False):
        enrollment = EnrollmentFactory(user=member.user, course=course, completed_at=timezone.now())
        CertificateFactory(
            enrollment=enrollment,
            status=status,
            pdf="certificates/c.pdf",
            issued_at=timezone.now(),
            valid_until=None
            if valid_for_days is None
            else timezone.now() + timedelta(days=valid_for_days),
        )
        result = state_of(member)
    assert ("No current certificate" in result.shortfalls) is not current
    assert result.shortfalls == ([] if current else ["No current certificate"])


def test_certificate_of_another_course_does_not_count_when_one_is_required():
    course = CourseFactory()
    required = requirement_set(minimum_hours={}, required=[course.slug], certificate_current=True)
    member = officer(agency_following(required), seoul(2026, 1, 1))
    with time_machine.travel(seoul(2026, 6, 1), tick=False):
        Enrollment.objects.create(user=member.user, course=course, completed_at=timezone.now())
        CertificateFactory(
            enrollment__user=member.user,
            status=Certificate.Status.ISSUED,
            pdf="certificates/c.pdf",
            issued_at=timezone.now(),
        )
        assert state_of(member).shortfalls == ["No current certificate"]


def test_agency_without_a_requirement_gives_no_requirement():
    member = officer(agency_following(None), seoul(2026, 1, 1))
    result = state_of(member)
    assert result.state == NO_REQUIREMENT
    assert result.requirement_set_id is None
    assert result.shortfalls == []


def test_shortfall_names_the_missing_hours_and_total():
    required = requirement_set(minimum_hours={"tracing": "4", "total": "6"})
    member = officer(agency_following(required), seoul(2026, 1, 1))
    complete_lessons(member.user, ModuleFactory(category="tracing"), seoul(2026, 2, 1))
    with time_machine.travel(seoul(2026, 6, 1), tick=False):
        assert state_of(member).shortfalls == [
            "3.5 h of Tracing and analysis",
            "5.5 h in total",
        ]


def _many_officers(count: int):
    module = ModuleFactory(category="tracing")
    course = module.course
    fixed = agency_following(
        requirement_set(
            required=[course.slug, f"{course.slug}/{module.slug}"], certificate_current=True
        )
    )
    by_start = agency_following(
        requirement_set(slug="by-start", anchor=RequirementSet.Anchor.START, anchor_date=None)
    )
    members = []
    for index in range(count):
        member = officer(
            fixed if index % 2 else by_start, seoul(2025, 1, 1) + timedelta(days=index * 7)
        )
        complete_lessons(member.user, module, seoul(2026, 2, 1) + timedelta(days=index))
        members.append(member)
    return [(m.user_id, m.agency_id, m.created_at) for m in members]


@pytest.mark.parametrize("count", [2, 20])
def test_query_count_does_not_grow_with_officers(count, django_assert_num_queries):
    officers = _many_officers(count)
    with time_machine.travel(seoul(2026, 6, 1), tick=False), django_assert_num_queries(8):
        result = officers_compliance(officers=officers)
    assert len(result) == count


def test_officers_judged_together_each_keep_their_own_certificate_and_hours():
    """One call over several officers (as the dashboards make it): each officer's certificate
    and hours are theirs, and officers lacking the same thing read the same words."""
    course = CourseFactory()
    module = ModuleFactory(course=course, category="tracing")
    required = requirement_set(
        minimum_hours={"tracing": "1"}, required=[course.slug], certificate_current=True
    )
    agency = agency_following(required)
    certified, uncertified, idle = (officer(agency, seoul(2025, 1, 1)) for _ in range(3))
    with time_machine.travel(seoul(2026, 6, 1), tick=False):
        for member in (certified, uncertified):
            complete_lessons(member.user, module, seoul(2026, 2, 1), count=2)
            Enrollment.objects.filter(user=member.user, course=course).update(
                completed_at=seoul(2026, 2, 2)
            )
        CertificateFactory(
            enrollment=Enrollment.objects.get(user=certified.user, course=course),
            status=Certificate.Status.ISSUED,
            pdf="certificates/c.pdf",
            issued_at=timezone.now(),
            valid_until=None,
        )
        result = officers_compliance(
            officers=[
                (m.user_id, m.agency_id, m.created_at) for m in (certified, uncertified, idle)
            ]
        )
    assert result[certified.user_id].shortfalls == []
    assert result[certified.user_id].state == COMPLIANT
    assert result[uncertified.user_id].shortfalls == ["No current certificate"]
    assert result[idle.user_id].shortfalls == [
        "1 h of Tracing and analysis",
        f"Course {course.title} not completed",
        "No current certificate",
    ]
    # Bound by 2025's cycle, which neither met: overdue.
    assert result[idle.user_id].state == OVERDUE
    assert result[uncertified.user_id].state == OVERDUE


def test_portable_hours_query_matches_the_postgresql_one():
    """SQLite (development) takes the ORM query; PostgreSQL joins the officers' cycles."""
    from reports.selectors.compliance.cycles import _plan
    from reports.selectors.compliance.evidence import _hours_orm, _hours_sql

    fixed = agency_following(requirement_set())
    by_start = agency_following(
        requirement_set(slug="by-start", anchor=RequirementSet.Anchor.START, anchor_date=None)
    )
    module = ModuleFactory(category="tracing")
    cohort = CohortFactory(category="legal", time_zone="Asia/Seoul")
    members = []
    for index in range(6):
        member = officer(
            fixed if index % 2 else by_start, seoul(2025, 1, 1) + timedelta(days=40 * index)
        )
        complete_lessons(member.user, module, seoul(2025, 6, 1) + timedelta(days=50 * index), 2)
        seat = SeatFactory(cohort=cohort, user=member.user, status=Seat.Status.APPROVED)
        session = SessionFactory(cohort=cohort, date=date(2026, 2, 2) + timedelta(days=index))
        Attendance.objects.create(session=session, seat=seat, status="present", source="roster")
        members.append(member)
    requirements = {
        r.agency_id: r
        for r in AgencyRequirement.objects.select_related("agency", "requirement_set")
    }
    with time_machine.travel(seoul(2026, 6, 1), tick=False):
        plans = [
            _plan(
                user_id=m.user_id,
                agency_id=m.agency_id,
                started_at=m.created_at,
                requirement=requirements[m.agency_id],
                today=None,
            )
            for m in members
        ]
        sql_online, sql_in_person = _hours_sql(plans)
        orm_online, orm_in_person = _hours_orm(plans)
    assert sorted(sql_online) == sorted(orm_online)
    assert sorted(sql_in_person) == sorted(orm_in_person)
    assert len(sql_online) >= 4 and len(sql_in_person) == 6


def test_an_officer_given_twice_is_answered_once():
    member = officer(agency_following(requirement_set()), seoul(2026, 1, 1))
    complete_lessons(member.user, ModuleFactory(category="tracing"), seoul(2026, 2, 1))
    row = (member.user_id, member.agency_id, member.created_at)
    with time_machine.travel(seoul(2026, 6, 1), tick=False):
        result = officers_compliance(officers=[row, row])
    assert result[member.user_id].hours["tracing"] == Decimal("0.5")


def test_required_module_completions_from_module_progress_equal_the_lesson_progress_aggregate():
    """The "required module completed" evidence reads the module summaries
    (courses.ModuleProgress) and gives what aggregating LessonProgress gives, on the dashboard
    scene (o1 read both modules, o2 module 1, o3 one lesson of module 2 added here)."""
    from types import SimpleNamespace

    from django.db.models import Count, Max

    from courses.models import LessonProgress
    from reports.selectors.compliance.evidence import _completions, _Required
    from tests.reports.dashboard_data import Scene

    scene = Scene()
    partial = Enrollment.objects.get(user=scene.o3, course=scene.course)
    lesson_read(partial, scene.m2.lessons.first(), completed_at=seoul(2026, 2, 1))
    officers = [scene.o1, scene.o2, scene.o3, scene.o4]
    modules = {
        f"{scene.course.slug}/{m.slug}": (m, m.lessons.count()) for m in (scene.m1, scene.m2)
    }
    lesson_counts = {module.pk: count for module, count in modules.values()}
    expected = {
        (row["enrollment__user_id"], row["lesson__module_id"]): row["last"]
        for row in LessonProgress.objects.filter(enrollment__user__in=officers)
        .values("enrollment__user_id", "lesson__module_id")
        .annotate(n=Count("pk"), last=Max("completed_at"))
        if row["n"] >= lesson_counts[row["lesson__module_id"]]
    }
    assert len(expected) == 3

    _course_done, module_done = _completions(
        [SimpleNamespace(user_id=user.pk) for user in officers],
        _Required(courses={}, modules=modules),
    )

    assert module_done == expected
