"""One agency's dashboard: headline figures, the per-module funnel and pass rates, completions per month, its cohorts and the compliance split, aggregated in SQL in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from accounts.models import Agency, Membership
from accounts.permissions import vetting_cutoff
from assessments.models import Attempt
from cohorts.models import Attendance, Cohort, Seat, Session
from courses.models import Enrollment, Module, ModuleProgress
from reports.selectors.compliance import (
    NO_REQUIREMENT,
)
from reports.selectors.dashboards.filters import (
    COMPLIANCE_STATES,
    HEADLINE,
    PENDING,
    DashboardFilters,
    _figure_q,
    _in_window,
    selection,
)
from reports.selectors.rosters import _current_approved_q


@dataclass
class Headline:
    vetted: int = 0
    enrolled: int = 0
    completed: int = 0
    certified: int = 0
    expiring: int = 0
    # Of the vetted officers: compliant, at_risk, overdue, none, pending.
    compliance: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COMPLIANCE_STATES, 0))
    # The oldest summary counted (reports.ComplianceState.computed_at); None without any.
    compliance_as_of: datetime | None = None

    def get(self, figure: str) -> int:
        if figure in COMPLIANCE_STATES:
            return self.compliance[figure]
        return getattr(self, figure)

    def add(self, other: "Headline") -> None:
        for figure in HEADLINE:
            setattr(self, figure, getattr(self, figure) + getattr(other, figure))
        for state in COMPLIANCE_STATES:
            self.compliance[state] += other.compliance[state]
        self.compliance_as_of = _oldest(self.compliance_as_of, other.compliance_as_of)


def _oldest(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return min(first, second)


def _headlines(*, members: QuerySet[Membership], filters, group: str, now) -> dict:
    """{group value: Headline} (group: "agency_id" or "agency__country"). Two queries."""
    figures = {
        figure: Count("user_id", distinct=True, filter=_figure_q(figure, filters=filters, now=now))
        for figure in HEADLINE
    }
    rows = members.values(group).annotate(**figures).order_by()
    result: dict = defaultdict(Headline)
    for row in rows:
        result[row[group]] = Headline(**{figure: row[figure] for figure in HEADLINE})
    split = (
        _judged(members)
        .values(group, "compliance")
        .annotate(n=Count("user_id", distinct=True), as_of=Min("compliance_state__computed_at"))
        .order_by()
    )
    for row in split:
        headline = result[row[group]]
        headline.compliance[row["compliance"]] += row["n"]
        headline.compliance_as_of = _oldest(headline.compliance_as_of, row["as_of"])
    return result


def _compliance_case() -> Case:
    """A membership's compliance state as last summarised (reports.ComplianceState): "none"
    when its agency follows no requirement, PENDING when no summary of the set the agency
    follows is written yet."""
    return Case(
        When(agency__requirement__isnull=True, then=Value(NO_REQUIREMENT)),
        When(
            compliance_state__requirement_set_id=F("agency__requirement__requirement_set_id"),
            then=F("compliance_state__state"),
        ),
        default=Value(PENDING),
        output_field=CharField(),
    )


def _judged(members: QuerySet[Membership]) -> QuerySet[Membership]:
    """The vetted officer memberships among the members, each with its `compliance` state:
    the summary joined (no judging here: reports.services.compliance_states writes it)."""
    return members.filter(
        _current_approved_q(cutoff=vetting_cutoff()), role=Membership.Role.OFFICER
    ).annotate(compliance=_compliance_case())


@dataclass
class ModuleRow:
    module_id: int
    title: str
    lessons: int
    enrolled: int = 0
    read_all: int = 0
    quiz_id: int | None = None
    # Officers with a graded attempt in the period, those who passed in it, and those whose
    # first graded attempt (ever) was in the period and passed.
    tried: int = 0
    passed: int = 0
    first_tried: int = 0
    first_passed: int = 0

    @property
    def pass_rate(self) -> Decimal | None:
        return _percent(self.passed, self.tried)

    @property
    def first_pass_rate(self) -> Decimal | None:
        return _percent(self.first_passed, self.first_tried)


@dataclass
class CohortRow:
    cohort_id: int
    title: str
    hosted: bool
    status: str
    status_label: str
    first_day: date | None
    held: int
    sessions_held: int
    attended: int

    @property
    def attendance_rate(self) -> Decimal | None:
        return _percent(self.attended, self.held * self.sessions_held)


@dataclass
class AgencyDashboard:
    agency: Agency
    filters: DashboardFilters
    headline: Headline
    modules: list[ModuleRow]
    months: list[tuple[date, int]]
    cohorts: list[CohortRow]


def _percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))


def agency_dashboard(
    *, agency: Agency, filters: DashboardFilters, today: date | None = None
) -> AgencyDashboard:
    """Everything the agency dashboard shows, exact (no suppression). The compliance split is
    the summary's (reports.ComplianceState), counted in one GROUP BY."""
    now = timezone.now()
    members = selection(filters=filters, agency_ids=[agency.pk])
    headline = _headlines(members=members, filters=filters, group="agency_id", now=now).get(
        agency.pk, Headline()
    )
    return AgencyDashboard(
        agency=agency,
        filters=filters,
        headline=headline,
        modules=_modules(members=members, filters=filters, enrolled=headline.enrolled),
        months=_months(members=members, filters=filters),
        cohorts=_cohorts(agency=agency, members=members, filters=filters, now=now),
    )


def _modules(
    *, members: QuerySet[Membership], filters: DashboardFilters, enrolled: int
) -> list[ModuleRow]:
    """The course's modules with the funnel and pass rates. Three queries."""
    if filters.course is None:
        return []
    modules = list(
        Module.objects.filter(course=filters.course)
        .annotate(lesson_count=Count("lessons"), quiz_pk=Min("quiz__pk"))
        .order_by("order", "pk")
    )
    rows = {
        m.pk: ModuleRow(module_id=m.pk, title=m.title, lessons=m.lesson_count, quiz_id=m.quiz_pk)
        for m in modules
    }
    if not rows:
        return []
    enrollments = Enrollment.objects.filter(
        course=filters.course, user_id__in=members.values("user_id")
    )
    for row in rows.values():
        row.enrolled = enrolled
    # Enrollments that read every lesson of a module, from the module summaries
    # (courses.ModuleProgress: one row per enrollment and module, ~20,000 rows per module at
    # 20,000 officers instead of ~550,000 lesson progress rows): all read = as many lessons
    # read as the module has now (content sync may have added one since). One query.
    lesson_counts = {row.module_id: row.lessons for row in rows.values() if row.lessons}
    if lesson_counts:
        counts = dict(
            ModuleProgress.objects.filter(enrollment__in=enrollments, module_id__in=lesson_counts)
            .filter(lessons_read__gte=_lesson_count_of_module(lesson_counts))
            .values_list("module_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for module_id in lesson_counts:
            rows[module_id].read_all = counts.get(module_id, 0)
    _pass_rates(rows=rows, members=members, filters=filters)
    return list(rows.values())


def _lesson_count_of_module(lesson_counts: dict[int, int]) -> Case:
    """A ModuleProgress row's module's lesson count (as counted by the caller), in SQL."""
    return Case(
        *(When(module_id=module_id, then=Value(n)) for module_id, n in lesson_counts.items()),
        output_field=IntegerField(),
    )


def _graded(*, members, filters) -> QuerySet[Attempt]:
    return Attempt.objects.filter(
        quiz__module__course=filters.course,
        status=Attempt.Status.GRADED,
        user_id__in=members.values("user_id"),
    )


def _first_attempt_q() -> Q:
    """An attempt that is the officer's first graded attempt at its quiz."""
    return ~Exists(
        Attempt.objects.filter(
            user_id=OuterRef("user_id"),
            quiz_id=OuterRef("quiz_id"),
            status=Attempt.Status.GRADED,
            submitted_at__lt=OuterRef("submitted_at"),
        )
    )


def _pass_rates(*, rows: dict[int, ModuleRow], members, filters) -> None:
    """Per module: officers with a graded attempt in the period, those who passed in it;
    officers whose first graded attempt (ever) was in the period, and those of them who passed
    it. One query: a window (ROW_NUMBER per officer and quiz, by submission) numbers the
    attempts in one pass, a GROUP BY makes one row per officer and quiz, another counts."""
    since, until = filters.window()
    # By quiz id (known from the modules), not through a join to modules and courses: the
    # planner misjudged that join's size and looped over 120,000 rows.
    module_of = {row.quiz_id: row.module_id for row in rows.values() if row.quiz_id}
    if not module_of:
        return
    numbered = (
        Attempt.objects.filter(
            quiz_id__in=list(module_of),
            status=Attempt.Status.GRADED,
            user_id__in=members.values("user_id"),
        )
        .annotate(
            a_user=F("user_id"),
            a_quiz=F("quiz_id"),
            a_passed=F("passed"),
            a_at=F("submitted_at"),
            a_rank=Window(
                RowNumber(),
                partition_by=[F("user_id"), F("quiz_id")],
                order_by=[F("submitted_at").asc(), F("pk").asc()],
            ),
        )
        .values("a_user", "a_quiz", "a_passed", "a_at", "a_rank")
        .order_by()
    )
    inner_sql, inner_params = numbered.query.sql_with_params()
    window = "TRUE"
    window_params: list = []
    if since is not None:
        window += " AND a.a_at >= %s"
        window_params.append(since)
    if until is not None:
        window += " AND a.a_at < %s"
        window_params.append(until)
    # First one row per officer and quiz (the window's output is already in that order, so
    # it groups without sorting), then a count per quiz: COUNT(DISTINCT) sorted all 120,000
    # attempts again and spilled to disk at 20,000 officers (189 ms of the page).
    sql = f"""
        SELECT o.a_quiz, SUM(o.tried), SUM(o.passed), SUM(o.first_tried), SUM(o.first_passed)
        FROM (
            SELECT a.a_user, a.a_quiz,
                MAX(CASE WHEN {window} THEN 1 ELSE 0 END) AS tried,
                MAX(CASE WHEN {window} AND a.a_passed THEN 1 ELSE 0 END) AS passed,
                MAX(CASE WHEN {window} AND a.a_rank = 1 THEN 1 ELSE 0 END) AS first_tried,
                MAX(CASE WHEN {window} AND a.a_rank = 1 AND a.a_passed THEN 1 ELSE 0 END)
                    AS first_passed
            FROM ({inner_sql}) a
            GROUP BY a.a_user, a.a_quiz
        ) o
        GROUP BY o.a_quiz
    """  # noqa: S608 - the inner query is Django's, every value a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [*window_params * 4, *inner_params])
        for quiz_id, tried, passed, first_tried, first_passed in cursor.fetchall():
            module = rows.get(module_of.get(quiz_id))
            if module is None:
                continue
            module.tried, module.passed = int(tried), int(passed)
            module.first_tried, module.first_passed = int(first_tried), int(first_passed)


def month_starts(date_from: date, date_to: date) -> list[date]:
    months = []
    current = date(date_from.year, date_from.month, 1)
    while current <= date_to:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _months(*, members, filters: DashboardFilters) -> list[tuple[date, int]]:
    """Completions of the course per month of the period, in the viewer's time zone, every
    month present (0 when none). One query."""
    if filters.course is None or not filters.date_from or not filters.date_to:
        return []
    since, until = filters.window()
    zone = timezone.get_current_timezone()
    counts = {
        row["month"].date() if isinstance(row["month"], datetime) else row["month"]: row["n"]
        for row in Enrollment.objects.filter(
            _in_window("completed_at", since, until),
            course=filters.course,
            user_id__in=members.values("user_id"),
        )
        .annotate(month=TruncMonth("completed_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    }
    return [
        (month, counts.get(month, 0)) for month in month_starts(filters.date_from, filters.date_to)
    ]


def _cohorts(*, agency: Agency, members, filters: DashboardFilters, now) -> list[CohortRow]:
    """Cohorts the agency hosts or holds seats in (a session in the period), with the
    attendance of its held seats: attended marks / (held seats x sessions held so far in the
    period, not cancelled). Four GROUP BY queries, each one pass over its table (correlated
    subqueries per cohort re-ran the selection for each of 300 cohorts)."""
    since, until = filters.window()
    held_seats = Seat.objects.filter(
        agency=agency, status=Seat.Status.APPROVED, user_id__in=members.values("user_id")
    )
    held = dict(
        held_seats.values("cohort_id")
        .annotate(n=Count("pk"))
        .values_list("cohort_id", "n")
        .order_by()
    )
    in_period = Session.objects.filter(_in_window("starts_at", since, until))
    cohorts = list(
        Cohort.objects.filter(
            Q(host_agency=agency) | Q(pk__in=list(held)),
            pk__in=in_period.values("cohort_id"),
        )
        .exclude(status=Cohort.Status.DRAFT)
        .annotate(first_day=Min("sessions__date"))
        .order_by("-first_day", "pk")
    )
    ids = [c.pk for c in cohorts]
    sessions_held = in_period.filter(cohort_id__in=ids, is_cancelled=False, starts_at__lte=now)
    sessions = dict(
        sessions_held.values("cohort_id")
        .annotate(n=Count("pk"))
        .values_list("cohort_id", "n")
        .order_by()
    )
    attended = dict(
        Attendance.objects.filter(
            seat__in=held_seats.filter(cohort_id__in=ids),
            session__in=sessions_held,
            status__in=Attendance.ATTENDED,
        )
        .values("session__cohort_id")
        .annotate(n=Count("pk"))
        .values_list("session__cohort_id", "n")
        .order_by()
    )
    labels = dict(Cohort.Status.choices)
    return [
        CohortRow(
            cohort_id=c.pk,
            title=c.title,
            hosted=c.host_agency_id == agency.pk,
            status=c.status,
            status_label=str(labels.get(c.status, c.status)),
            first_day=c.first_day,
            held=held.get(c.pk, 0),
            sessions_held=sessions.get(c.pk, 0),
            attended=attended.get(c.pk, 0),
        )
        for c in cohorts
    ]
