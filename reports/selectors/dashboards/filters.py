"""The dashboards' figures and filters: which officers a dashboard counts (selection), what each headline figure counts (a Q per figure), and the date window."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.permissions import vetting_cutoff
from certificates.models import Certificate
from courses.models import Course, Enrollment
from reports.selectors.compliance import (
    AT_RISK,
    COMPLIANT,
    NO_REQUIREMENT,
    OVERDUE,
)
from reports.selectors.rosters import LAPSED, _current_approved_q, _lapsed_q

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


def figure_valid(figure: str) -> bool:
    if figure in FIGURES:
        return True
    kind, _sep, pk = figure.partition(":")
    return kind in MODULE_FIGURES and pk.isdigit()
