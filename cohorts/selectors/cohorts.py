"""Cohorts, their sessions, participations and seats as pages list them, joined up front: a
page's query count never grows with its rows."""

from datetime import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)

from accounts.models import User
from accounts.permissions import Action, agencies_for
from cohorts.access import eligible_officer_memberships
from cohorts.models import Cohort, Participation, Seat, Session
from core.joins import join_one
from core.prepared import prepared
from courses.models import Module


def cohort_sessions(*, cohort: Cohort, include_cancelled: bool = True) -> QuerySet[Session]:
    sessions = Session.objects.filter(cohort=cohort)
    if not include_cancelled:
        sessions = sessions.filter(is_cancelled=False)
    return sessions.order_by("starts_at", "pk")


def cohort_participations(*, cohort: Cohort) -> QuerySet[Participation]:
    return Participation.objects.filter(cohort=cohort).select_related("agency")


def cohort_page_cohorts() -> QuerySet[Cohort]:
    """Cohorts with what the cohort page needs beyond their own row, for access_cohort to load
    in the query that checks access: whether anyone holds or held a seat (may the cohort go
    back to draft?)."""
    return Cohort.objects.annotate(has_seats=Exists(Seat.objects.filter(cohort=OuterRef("pk"))))


TRAINER, MODULE = "trainer", "module"


def _trainers_and_prerequisites(*, cohort: Cohort) -> tuple[list[User], list[Module]]:
    """The cohort's trainers (by name, as the database sorts names) and its prerequisite
    modules (in course order): two short lists read in one query, a UNION ALL of rows (kind,
    id, name or title, display name, order), as the partial objects the page shows."""
    people, prerequisites = [], []
    for kind, pk, name, display_name, order in _trainer_and_module_rows(cohort_id=cohort.pk):
        if kind == TRAINER:
            people.append(User(pk=pk, full_name=name, display_name=display_name))
        else:
            prerequisites.append(Module(pk=pk, title=name, order=order))
    prerequisites.sort(key=lambda module: (module.order, module.pk))
    return people, prerequisites


@prepared
def _trainer_and_module_rows(*, cohort_id: int) -> QuerySet:
    trainers = Cohort.trainers.through.objects.filter(cohort_id=cohort_id).values_list(
        Value(TRAINER), "user_id", "user__full_name", "user__display_name", Value(0)
    )
    modules = Cohort.prerequisite_modules.through.objects.filter(cohort_id=cohort_id).values_list(
        Value(MODULE), "module_id", "module__title", Value(""), "module__order"
    )
    return trainers.union(modules, all=True).order_by("user__full_name", "user_id")


@prepared
def _participations_by_name(*, cohort_id: int) -> QuerySet[Participation]:
    return cohort_participations(cohort=cohort_id).order_by("agency__name")


@prepared
def sessions_of(*, cohort_id: int) -> QuerySet[Session]:
    """cohort_sessions (cancelled ones too) as a list, compiled once per process."""
    return cohort_sessions(cohort=cohort_id)


def cohort_page(*, cohort: Cohort, user) -> dict:
    """What the cohort page lists, for a cohort loaded by access_cohort (through
    cohort_page_cohorts()): its sessions, trainers, participating agencies (those whose
    officers the user nominates apart, as `own_participations`, for an agency admin taking
    part) and prerequisite modules. Three queries, whatever the number of rows."""
    nominating = Action.NOMINATE_OFFICERS in cohort.actions and not user.is_staff
    # By name, as the user's own are listed; the table shows them by role, then name (the
    # model's order), which a stable sort on the role gives.
    if nominating:
        allowed = agencies_for(user, Action.NOMINATE_OFFICERS)
        by_name = list(
            cohort_participations(cohort=cohort)
            .annotate(nominated_by_viewer=Exists(allowed.filter(pk=OuterRef("agency_id"))))
            .order_by("agency__name")
        )
    else:  # most viewers (officers, trainers): a prepared read
        by_name = _participations_by_name(cohort_id=cohort.pk)
    trainers, prerequisites = _trainers_and_prerequisites(cohort=cohort)
    return {
        "sessions": sessions_of(cohort_id=cohort.pk),
        "trainers": trainers,
        "participations": sorted(by_name, key=lambda p: p.role),
        "own_participations": [p for p in by_name if p.nominated_by_viewer] if nominating else [],
        "prerequisites": prerequisites,
    }


def cohort_seats(*, cohort: Cohort, statuses=None, agency_ids=None) -> QuerySet[Seat]:
    seats = Seat.objects.filter(cohort=cohort).select_related("user", "agency")
    if statuses is not None:
        seats = seats.filter(status__in=statuses)
    if agency_ids is not None:
        seats = seats.filter(agency_id__in=agency_ids)
    return seats.order_by("user__full_name", "user__email", "pk")


def session_roster(*, session: Session) -> list[dict]:
    """Everyone with a confirmed seat, with their mark for this session: one query (a seat
    has at most one mark per session), as the values a roster row shows: seat (its id),
    walk_in, name, display_name, agency_name, mark_status (None when unmarked) and note. Values,
    not objects: building 600 seats, users, agencies and marks costs more than showing them."""
    return _roster_of(cohort_id=session.cohort_id, session_id=session.pk)


@prepared
def _roster_of(*, cohort_id: int, session_id: int) -> QuerySet:
    seats = cohort_seats(cohort=cohort_id, statuses=[Seat.Status.APPROVED])
    return join_one(seats, name="mark", relation="attendance", session=session_id).values(
        "walk_in",
        seat=F("pk"),
        name=F("user__full_name"),
        display_name=F("user__display_name"),
        agency_name=F("agency__name"),
        mark_status=F("mark__status"),
        note=F("mark__note"),
    )


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


@prepared
def _upcoming_seat_rows(*, user_id: int, now: datetime) -> QuerySet[Seat]:
    """A row per live seat and session still to come (upcoming_seats), compiled once."""
    coming = FilteredRelation(
        "cohort__sessions",
        condition=Q(cohort__sessions__is_cancelled=False, cohort__sessions__ends_at__gt=now),
    )
    return (
        Seat.objects.filter(user_id=user_id, status__in=Seat.ACTIVE)
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


def upcoming_seats(*, user) -> list[Seat]:
    """The person's live seats (nominated, confirmed, offered, waiting) in cohorts not yet
    over, each with `next_session`: one query (a row per seat and session still to come; a
    person holds a few seats of a few days each), for the dashboard's budget of queries."""
    from django.utils import timezone

    seats: dict[int, Seat] = {}
    for seat in _upcoming_seat_rows(user_id=user.pk, now=timezone.now()):
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
