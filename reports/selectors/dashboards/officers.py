"""The officers behind one figure of an agency's dashboard."""

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import Agency, Membership
from accounts.permissions import vetting_cutoff
from assessments.models import Attempt
from courses.models import Enrollment, Module, ModuleProgress
from reports.selectors.dashboards.agency import _first_attempt_q, _judged
from reports.selectors.dashboards.filters import (
    CERTIFIED,
    COMPLETED,
    COMPLIANCE_STATES,
    ENROLLED,
    HEADLINE,
    VETTED,
    DashboardFilters,
    _current_certificates,
    _figure_q,
    _in_window,
    figure_valid,
    selection,
)
from reports.selectors.rosters import LAPSED, _lapsed_q


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
