"""Cohorts, their sessions, participations and seats as pages list them, joined up front: a
page's query count never grows with its rows."""

import json

from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, JSONObject

from accounts.permissions import Action, agencies_for
from cohorts.access import eligible_officer_memberships
from cohorts.models import Attendance, Cohort, Participation, Seat, Session


def cohort_sessions(*, cohort: Cohort, include_cancelled: bool = True) -> QuerySet[Session]:
    sessions = Session.objects.filter(cohort=cohort)
    if not include_cancelled:
        sessions = sessions.filter(is_cancelled=False)
    return sessions.order_by("starts_at", "pk")


def cohort_participations(*, cohort: Cohort) -> QuerySet[Participation]:
    return Participation.objects.filter(cohort=cohort).select_related("agency")


def _json_rows(rows: QuerySet, *, per: str, **fields) -> Subquery:
    """A correlated subquery giving `rows` (grouped by `per`, the column pointing at the outer
    row) as one text of comma-separated JSON objects: a short list loaded with its parent row
    instead of by a query of its own. Standard aggregates only, so SQLite (make run) reads it
    too; _decoded() turns it back into dicts, in no particular order."""
    return Subquery(
        rows.order_by()
        .values(per)
        .annotate(json=StringAgg(Cast(JSONObject(**fields), TextField()), Value(",")))
        .values("json"),
        output_field=TextField(),
    )


def _decoded(rows: str | None) -> list[dict]:
    return json.loads(f"[{rows}]") if rows else []


def cohort_page_cohorts(*, user) -> QuerySet[Cohort]:
    """Cohorts with what the cohort page shows beyond their own row, for access_cohort to
    load in the query that checks access: the prerequisite modules, whether anyone holds or
    held a seat (may the cohort go back to draft?) and the viewer's own seat, if any."""
    return Cohort.objects.annotate(
        prerequisite_rows=_json_rows(
            Cohort.prerequisite_modules.through.objects.filter(cohort=OuterRef("pk")),
            per="cohort",
            id="module_id",
            title="module__title",
            order="module__order",
        ),
        has_seats=Exists(Seat.objects.filter(cohort=OuterRef("pk"))),
        viewer_seat=FilteredRelation("seats", condition=Q(seats__user=user.pk)),
    ).select_related("viewer_seat")


def cohort_page(*, cohort: Cohort, user) -> dict:
    """What the cohort page lists, for a cohort loaded through cohort_page_cohorts(): its
    sessions, trainers, participating agencies (those whose officers the user nominates
    apart, as `own_participations`, for an agency admin taking part), prerequisite modules
    and the user's own seat. Three queries, whatever the number of rows."""
    participations = Participation.objects.filter(cohort=cohort).select_related("agency")
    nominating = Action.NOMINATE_OFFICERS in cohort.actions and not user.is_staff
    if nominating:
        allowed = agencies_for(user, Action.NOMINATE_OFFICERS)
        participations = participations.annotate(
            nominated_by_viewer=Exists(allowed.filter(pk=OuterRef("agency_id")))
        )
    # By name, as the user's own are listed; the table shows them by role, then name (the
    # model's order), which a stable sort on the role gives.
    by_name = list(participations.order_by("agency__name"))
    my_seat = getattr(cohort, "viewer_seat", None)  # absent, not None, when there is none
    if my_seat is not None:
        my_seat.cohort = cohort
    return {
        "sessions": list(cohort_sessions(cohort=cohort)),
        "trainers": list(cohort.trainers.order_by("full_name", "pk")),
        "participations": sorted(by_name, key=lambda p: p.role),
        "own_participations": [p for p in by_name if p.nominated_by_viewer] if nominating else [],
        "prerequisites": sorted(
            _decoded(cohort.prerequisite_rows), key=lambda m: (m["order"], m["id"])
        ),
        "my_seat": my_seat,
    }


def cohort_seats(*, cohort: Cohort, statuses=None, agency_ids=None) -> QuerySet[Seat]:
    seats = Seat.objects.filter(cohort=cohort).select_related("user", "agency")
    if statuses is not None:
        seats = seats.filter(status__in=statuses)
    if agency_ids is not None:
        seats = seats.filter(agency_id__in=agency_ids)
    return seats.order_by("user__full_name", "user__email", "pk")


def session_roster(*, session: Session) -> list[tuple[Seat, Attendance | None]]:
    """Everyone with a confirmed seat, with their mark for this session (or None): one query
    (a seat has at most one mark per session)."""
    seats = (
        cohort_seats(cohort=session.cohort, statuses=[Seat.Status.APPROVED])
        .annotate(mark=FilteredRelation("attendance", condition=Q(attendance__session=session)))
        .select_related("mark")
    )
    # A seat without a mark has no `mark` attribute at all.
    return [(seat, getattr(seat, "mark", None)) for seat in seats]


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
    over, each with `next_session` (None when every session has passed): two queries."""
    from django.utils import timezone

    now = timezone.now()
    seats = list(
        Seat.objects.filter(user=user, status__in=Seat.ACTIVE)
        .exclude(
            cohort__status__in=[
                Cohort.Status.DRAFT,
                Cohort.Status.CLOSED,
                Cohort.Status.CANCELLED,
            ]
        )
        .select_related("cohort")
        .prefetch_related(
            Prefetch(
                "cohort__sessions",
                queryset=Session.objects.filter(is_cancelled=False, ends_at__gt=now).order_by(
                    "starts_at", "pk"
                ),
                to_attr="coming_sessions",
            )
        )
        .order_by("nominated_at", "pk")
    )
    for seat in seats:
        seat.next_session = seat.cohort.coming_sessions[0] if seat.cohort.coming_sessions else None
    return [seat for seat in seats if seat.next_session is not None]


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
