"""Cohorts, their sessions, participations and seats as pages list them, joined up front: a
page's query count never grows with its rows."""

from django.db.models import Count, FilteredRelation, Prefetch, Q, QuerySet

from cohorts.access import eligible_officer_memberships
from cohorts.models import Attendance, Cohort, Participation, Seat, Session


def cohort_sessions(*, cohort: Cohort, include_cancelled: bool = True) -> QuerySet[Session]:
    sessions = Session.objects.filter(cohort=cohort)
    if not include_cancelled:
        sessions = sessions.filter(is_cancelled=False)
    return sessions.order_by("starts_at", "pk")


def cohort_participations(*, cohort: Cohort) -> QuerySet[Participation]:
    return Participation.objects.filter(cohort=cohort).select_related("agency")


def cohort_seats(*, cohort: Cohort, statuses=None, agency_ids=None) -> QuerySet[Seat]:
    seats = Seat.objects.filter(cohort=cohort).select_related("user", "agency")
    if statuses is not None:
        seats = seats.filter(status__in=statuses)
    if agency_ids is not None:
        seats = seats.filter(agency_id__in=agency_ids)
    return seats.order_by("user__full_name", "user__email", "pk")


def session_roster(*, session: Session) -> list[tuple[Seat, Attendance | None]]:
    """Everyone with a confirmed seat, with their mark for this session (or None): two queries."""
    seats = list(cohort_seats(cohort=session.cohort, statuses=[Seat.Status.APPROVED]))
    marks = {
        mark.seat_id: mark
        for mark in Attendance.objects.filter(session=session, seat__in=[s.pk for s in seats])
    }
    return [(seat, marks.get(seat.pk)) for seat in seats]


def cohorts_run_by(*, user) -> QuerySet[Cohort]:
    """Cohorts a trainer runs (assigned or scheduled by them); every cohort for staff."""
    cohorts = Cohort.objects.select_related("course", "host_agency")
    if not user.is_staff:
        cohorts = cohorts.filter(Q(trainers=user) | Q(created_by=user)).distinct()
    return cohorts.annotate(
        session_count=Count("sessions", filter=Q(sessions__is_cancelled=False), distinct=True)
    ).order_by("-created_at")


def cohorts_for_agencies(*, agency_ids) -> QuerySet[Cohort]:
    """Cohorts (not drafts) in which any of these agencies takes part."""
    return (
        Cohort.objects.filter(participations__agency_id__in=agency_ids)
        .exclude(status=Cohort.Status.DRAFT)
        .select_related("course", "host_agency")
        .distinct()
        .order_by("-created_at")
    )


def seats_of_user(*, user) -> QuerySet[Seat]:
    """An officer's seats, with their cohort's sessions, soonest first."""
    return (
        Seat.objects.filter(user=user)
        .exclude(cohort__status=Cohort.Status.DRAFT)
        .select_related("cohort__course", "cohort__host_agency", "agency")
        .prefetch_related(
            Prefetch("cohort__sessions", queryset=Session.objects.order_by("starts_at", "pk"))
        )
        .order_by("-cohort__created_at")
    )


def calendar_seats(*, user) -> QuerySet[Seat]:
    """Seats whose sessions belong in the person's calendar: held ones, and cancelled ones
    (so the calendar is told to drop them)."""
    return seats_of_user(user=user).filter(
        status__in=[*Seat.HOLDING, Seat.Status.CANCELLED, Seat.Status.WITHDRAWN]
    )


def upcoming_seats(*, user) -> list[Seat]:
    """The person's live seats (nominated, confirmed, offered, waiting) in cohorts not yet
    over, each with `next_session`: one query (a row per seat and session still to come; a
    person holds a few seats of a few days each), for the dashboard's budget of queries."""
    from django.utils import timezone

    coming = FilteredRelation(
        "cohort__sessions",
        condition=Q(
            cohort__sessions__is_cancelled=False, cohort__sessions__ends_at__gt=timezone.now()
        ),
    )
    rows = (
        Seat.objects.filter(user=user, status__in=Seat.ACTIVE)
        .exclude(
            cohort__status__in=[
                Cohort.Status.DRAFT,
                Cohort.Status.CLOSED,
                Cohort.Status.CANCELLED,
            ]
        )
        .annotate(coming_session=coming)
        .filter(coming_session__isnull=False)
        .select_related("cohort", "coming_session")
        .order_by("nominated_at", "pk", "coming_session__starts_at", "coming_session__pk")
    )
    seats: dict[int, Seat] = {}
    for seat in rows:
        if seat.pk not in seats:  # its first session still to come
            seat.next_session = seat.coming_session
            seats[seat.pk] = seat
    return list(seats.values())


def walk_in_candidates(*, cohort: Cohort, email: str):
    """Approved, vetted officers with this email, of an agency taking part in the cohort
    (host, co-hosts and participants), who do not already hold a seat: one query, whether the
    email is unknown, out of scope or found."""
    return (
        eligible_officer_memberships()
        .filter(
            user__email__iexact=email.strip(),
            agency_id__in=cohort.participations.values("agency_id"),
        )
        .exclude(user__cohort_seats__cohort=cohort, user__cohort_seats__status__in=Seat.HOLDING)
    )
