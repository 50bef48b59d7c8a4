"""Reads for the completion dashboards: one agency's figures (headline, module funnel, quiz
pass rates, completions per month, cohorts with attendance, compliance split), the same
headline figures per agency of a country and per country of the programme, and the officers
behind each figure.

Every read aggregates in SQL (GROUP BY, COUNT ... FILTER, uncorrelated IN subqueries that
PostgreSQL hashes once) and costs a fixed number of queries whatever the number of officers,
agencies or countries. Who is counted ("the selection") is the agency's memberships matching
the filters: role (default officer), roster status (default approved with current vetting)
and unit. The date range applies to dated measures only: completions, quiz passes and
attendance.

The compliance split is not judged here: it counts the officer compliance summary
(reports.ComplianceState, kept by reports.services.compliance_states) joined to the
selection; officers of an agency with a requirement and no summary yet are "not yet evaluated".
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, Membership
from accounts.permissions import vetting_cutoff
from assessments.models import Attempt
from certificates.models import Certificate
from cohorts.models import Attendance, Cohort, Seat, Session
from courses.models import Course, Enrollment, Module, ModuleProgress
from reports.selectors.compliance import (
    AT_RISK,
    COMPLIANT,
    NO_REQUIREMENT,
    OVERDUE,
)
from reports.selectors.rosters import LAPSED, _current_approved_q, _lapsed_q
from reports.suppression import suppress_table

# Officers of an agency with a requirement whose summary (reports.ComplianceState) is not
# written yet, or was written for the set the agency followed before.
PENDING = "pending"
COMPLIANCE_STATES = (COMPLIANT, AT_RISK, OVERDUE, NO_REQUIREMENT, PENDING)

EXPIRING_DAYS = 90

# The headline figures, in the order the pages show them; each is also an officer list.
VETTED = "vetted"
ENROLLED = "enrolled"
COMPLETED = "completed"
CERTIFIED = "certified"
EXPIRING = "expiring"
HEADLINE = (VETTED, ENROLLED, COMPLETED, CERTIFIED, EXPIRING)
# Figures of a module: "read:<module id>" (all lessons read), "passed:<module id>" (quiz
# passed in the period), "first:<module id>" (first graded attempt passed, in the period).
MODULE_FIGURES = ("read", "passed", "tried", "first")
FIGURES = (*HEADLINE, *COMPLIANCE_STATES)


def figure_labels() -> dict[str, str]:
    """The figures' names in the active language."""
    return {
        VETTED: _("Officers vetted"),
        ENROLLED: _("Enrolled"),
        COMPLETED: _("Completed in the period"),
        CERTIFIED: _("Certified (current)"),
        EXPIRING: _("Certificates expiring within 90 days"),
        COMPLIANT: _("Compliant"),
        AT_RISK: _("At risk"),
        OVERDUE: _("Overdue"),
        NO_REQUIREMENT: _("No requirement"),
        PENDING: _("Not yet evaluated"),
    }


@dataclass(frozen=True)
class DashboardFilters:
    course: Course | None
    unit_id: int | None = None
    status: str = Membership.Status.APPROVED  # a roster status; "" for any
    role: str = Membership.Role.OFFICER  # "" for any
    date_from: date | None = None
    date_to: date | None = None  # inclusive

    def window(self) -> tuple[datetime | None, datetime | None]:
        """[since, until) in the active time zone (the viewer's)."""
        zone = timezone.get_current_timezone()
        since = until = None
        if self.date_from:
            since = datetime.combine(self.date_from, time.min, tzinfo=zone)
        if self.date_to:
            until = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=zone)
        return since, until


def default_date_range(today: date | None = None) -> tuple[date, date]:
    """The last 12 months: from the first day of the month 11 months ago to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year
    if month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1), today


def _in_window(field_name: str, since, until) -> Q:
    q = Q()
    if since is not None:
        q &= Q(**{f"{field_name}__gte": since})
    if until is not None:
        q &= Q(**{f"{field_name}__lt": until})
    return q


def selection(*, filters: DashboardFilters, agency_ids=None, country: str | None = None):
    """The memberships counted: in these agencies (or this country's, or every agency),
    matching the role, roster status and unit filters."""
    members = Membership.objects.filter(agency__isnull=False)
    if agency_ids is not None:
        members = members.filter(agency_id__in=agency_ids)
    if country is not None:
        members = members.filter(agency__country=country)
    if filters.role:
        members = members.filter(role=filters.role)
    if filters.unit_id:
        members = members.filter(unit_id=filters.unit_id)
    if filters.status:
        cutoff = vetting_cutoff()
        if filters.status == LAPSED:
            members = members.filter(_lapsed_q(cutoff=cutoff))
        elif filters.status == Membership.Status.APPROVED:
            members = members.filter(_current_approved_q(cutoff=cutoff))
        else:
            members = members.filter(status=filters.status)
    return members.order_by()


def _current_certificates(*, course: Course | None, now: datetime) -> QuerySet[Certificate]:
    return Certificate.objects.filter(course=course, status=Certificate.Status.ISSUED).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )


def _figure_q(figure: str, *, filters: DashboardFilters, now: datetime) -> Q:
    """The condition on a membership (its user) for a headline figure."""
    since, until = filters.window()
    enrollments = Enrollment.objects.filter(course=filters.course)
    certificates = _current_certificates(course=filters.course, now=now)
    if figure == VETTED:
        return _current_approved_q(cutoff=vetting_cutoff())
    if figure == ENROLLED:
        return Q(user_id__in=enrollments.values("user_id"))
    if figure == COMPLETED:
        return Q(
            user_id__in=enrollments.filter(
                _in_window("completed_at", since, until), completed_at__isnull=False
            ).values("user_id")
        )
    if figure == CERTIFIED:
        return Q(user_id__in=certificates.values("user_id"))
    if figure == EXPIRING:
        return Q(
            user_id__in=certificates.filter(
                valid_until__lte=now + timedelta(days=EXPIRING_DAYS)
            ).values("user_id")
        )
    raise ValueError(figure)


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


# Cross-agency dashboards ---------------------------------------------------------------


@dataclass
class CrossRow:
    key: str | int  # agency id or country code
    label: str
    headline: Headline


@dataclass
class CrossDashboard:
    filters: DashboardFilters
    rows: list[CrossRow]
    total: Headline
    country: str = ""


def country_dashboard(*, country: str, filters: DashboardFilters) -> CrossDashboard:
    """A row of headline figures per agency of the country (every agency, even with nobody
    counted), and their total. Exact figures: the view suppresses small cells. Four queries."""
    now = timezone.now()
    members = selection(filters=filters, country=country)
    headlines = _headlines(members=members, filters=filters, group="agency_id", now=now)
    rows = [
        CrossRow(key=agency.pk, label=agency.name, headline=headlines.get(agency.pk, Headline()))
        for agency in Agency.objects.filter(country=country).order_by("name")
    ]
    return CrossDashboard(filters=filters, rows=rows, total=_total(rows), country=country)


def programme_dashboard(*, filters: DashboardFilters) -> CrossDashboard:
    """A row of headline figures per country with agencies, and their total. Four queries."""
    now = timezone.now()
    members = selection(filters=filters)
    headlines = _headlines(members=members, filters=filters, group="agency__country", now=now)
    countries = Agency.objects.order_by("country").values_list("country", flat=True).distinct()
    rows = [
        CrossRow(key=code, label=code, headline=headlines.get(code, Headline()))
        for code in countries
    ]
    return CrossDashboard(filters=filters, rows=rows, total=_total(rows))


def _total(rows: list[CrossRow]) -> Headline:
    total = Headline()
    for row in rows:
        total.add(row.headline)
    return total


# The officers behind a figure ------------------------------------------------------------


def figure_valid(figure: str) -> bool:
    if figure in FIGURES:
        return True
    kind, _sep, pk = figure.partition(":")
    return kind in MODULE_FIGURES and pk.isdigit()


def dashboard_officers(
    *, agency: Agency, figure: str, filters: DashboardFilters
) -> QuerySet[Membership]:
    """The memberships counted in one figure of the agency dashboard, with their person,
    unit, roster status and the figure's date (`figure_date`), in name order; one row per
    person. Raises ValueError for an unknown figure."""
    if not figure_valid(figure):
        raise ValueError(figure)
    now = timezone.now()
    members = selection(filters=filters, agency_ids=[agency.pk])
    figure_date = Value(None, output_field=DateTimeField())
    if figure in HEADLINE:
        members = members.filter(_figure_q(figure, filters=filters, now=now))
        figure_date = _figure_date(figure, filters=filters, now=now)
    elif figure in COMPLIANCE_STATES:
        members = _judged(members).filter(compliance=figure)
        figure_date = F("vetted_at")
    else:
        members, figure_date = _module_figure(figure, members=members, filters=filters)
    cutoff = vetting_cutoff()
    # One row per person: the lowest membership id among theirs in the selection.
    first = members.values("user_id").annotate(first=Min("pk")).values("first")
    return (
        Membership.objects.filter(pk__in=first)
        .select_related("user", "unit")
        .annotate(
            roster_status=Case(
                When(_lapsed_q(cutoff=cutoff), then=Value(LAPSED)),
                default=F("status"),
                output_field=CharField(),
            ),
            figure_date=figure_date,
        )
        .order_by("user__full_name", "user__email", "pk")
    )


def _figure_date(figure: str, *, filters: DashboardFilters, now):
    user = OuterRef("user_id")
    enrollment = Enrollment.objects.filter(course=filters.course, user_id=user)
    certificates = _current_certificates(course=filters.course, now=now).filter(user_id=user)
    if figure == VETTED:
        return F("vetted_at")
    if figure == ENROLLED:
        return Subquery(enrollment.values("enrolled_at")[:1])
    if figure == COMPLETED:
        return Subquery(enrollment.values("completed_at")[:1])
    if figure == CERTIFIED:
        return Subquery(certificates.order_by("-issued_at").values("issued_at")[:1])
    return Subquery(certificates.order_by("valid_until").values("valid_until")[:1])


def _module_figure(figure: str, *, members, filters: DashboardFilters):
    kind, _sep, pk = figure.partition(":")
    module_id = int(pk)
    since, until = filters.window()
    user = OuterRef("user_id")
    if kind == "read":
        # The module summaries: all read = as many lessons read as the module has now (a
        # module without lessons is never all read); dated by the latest read.
        lessons = Module.objects.filter(pk=module_id, course=filters.course).annotate(
            n=Count("lessons")
        )
        read = ModuleProgress.objects.filter(
            enrollment__course=filters.course,
            module_id=module_id,
            lessons_read__gte=Subquery(lessons.filter(n__gt=0).values("n")[:1]),
        )
        members = members.filter(user_id__in=read.values("enrollment__user_id"))
        date_sq = Subquery(read.filter(enrollment__user_id=user).values("last_read_at")[:1])
        return members, date_sq
    graded = Attempt.objects.filter(
        quiz__module_id=module_id,
        quiz__module__course=filters.course,
        status=Attempt.Status.GRADED,
    ).filter(_in_window("submitted_at", since, until))
    if kind == "tried":
        chosen = graded
    elif kind == "passed":
        chosen = graded.filter(passed=True)
    else:  # first: the first graded attempt passed
        chosen = graded.filter(_first_attempt_q(), passed=True)
    members = members.filter(user_id__in=chosen.values("user_id"))
    date_sq = Subquery(
        chosen.filter(user_id=user).order_by("submitted_at").values("submitted_at")[:1]
    )
    return members, date_sq


CROSS_COLUMNS = (*HEADLINE, *COMPLIANCE_STATES)


def cross_columns(data: CrossDashboard) -> list[str]:
    """The columns of a country or programme table: "not yet evaluated" only while some
    officer counted has no compliance summary yet."""
    return [column for column in CROSS_COLUMNS if column != PENDING or data.total.get(PENDING)]


def cross_table(data: CrossDashboard):
    """The rows and total of a country or programme dashboard as shown and exported: small
    cells suppressed, and the cells that would give them away (reports.suppression)."""
    columns = cross_columns(data)
    rows = [
        (row.key, row.label, {column: row.headline.get(column) for column in columns})
        for row in data.rows
    ]
    total = {column: data.total.get(column) for column in columns}
    states = [state for state in COMPLIANCE_STATES if state in columns]
    return suppress_table(
        rows,
        total,
        columns=columns,
        row_groups=[(states, VETTED)],
        rates={"completion": (COMPLETED, ENROLLED)},
    )
