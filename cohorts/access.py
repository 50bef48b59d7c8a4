"""Who may do what with a cohort, and the access checks: 404 for missing and forbidden alike.

Beyond the permission matrix (which says who may schedule cohorts and nominate officers),
the actions over one cohort (accounts.permissions.PER_COHORT) come from how a person
relates to it:

- RUN_COHORT: the cohort's trainers, the trainer who scheduled it, and programme staff; they
  edit it, approve seats, take attendance and see the whole report;
- DECIDE_NOMINATIONS: those who run it, and agency admins of the host and co-host agencies;
  they approve and decline nominations and see the report;
- NOMINATE_OFFICERS: agency admins of a participating agency; they nominate their own
  officers and see their own agency's seats;
- ATTEND_COHORT: an officer holding a seat (or nominated, waitlisted, offered one);
- VIEW_COHORT: anyone holding one of the above.
"""

import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Membership
from accounts.permissions import (
    SCOPED,
    Action,
    active_memberships,
    agencies_for,
    can,
    vetting_cutoff,
)
from cohorts.checkin import display_mac
from cohorts.models import Cohort, Participation, Seat, Session
from core.joins import join_one, joined
from core.prepared import prepared

# How the user relates to a cohort: annotations of the query that loads it (see _relation).
RELATION = ("viewer_trains", "viewer_participates", "viewer_cohosts", "viewer_has_seat")


def _relation(*, user, cohort: OuterRef, seat: bool = True) -> dict:
    """Annotations saying how the user relates to the cohort `cohort` points at, so that the
    query loading a cohort (or its session, or a seat in it) also answers the access check.
    Only what can change the answer is asked of the database (each subquery costs CPU to
    build): whether they train it only if they may schedule cohorts at all, their agencies'
    part in it only if they nominate officers somewhere (both known from the request's
    memberships, already read). seat=False leaves out whether they have a seat in it, for a
    query that joins their seat instead."""
    staff, schedules, nominates = _shape(user)
    relation = _relation_of(
        user_id=user.pk, cohort=cohort, seat=seat, staff=staff, schedules=schedules
    )
    if nominates:
        participating = Participation.objects.filter(
            cohort=cohort, agency__in=agencies_for(user, Action.NOMINATE_OFFICERS)
        )
        relation["viewer_participates"] = Exists(participating)
        relation["viewer_cohosts"] = Exists(
            participating.exclude(role=Participation.Role.PARTICIPANT)
        )
    return relation


def _shape(user) -> tuple[bool, bool, bool]:
    """What _relation asks of the database for this user: (staff, schedules, nominates)."""
    if user.is_staff:  # every right but attending, whatever their agencies
        return True, False, False
    nominates = any(
        Action.NOMINATE_OFFICERS in SCOPED.get(m.role, ()) for m in active_memberships(user)
    )
    return False, can(user, Action.SCHEDULE_COHORTS), nominates


def _relation_of(*, user_id: int, cohort: OuterRef, seat: bool, staff: bool, schedules: bool):
    """_relation's annotations but the agencies' part (which lists the user's agencies)."""
    no = Value(False)
    relation = {"viewer_trains": no, "viewer_participates": no, "viewer_cohosts": no}
    if seat:
        relation["viewer_has_seat"] = Exists(Seat.objects.filter(cohort=cohort, user=user_id))
    if not staff and schedules:
        relation["viewer_trains"] = Exists(
            Cohort.trainers.through.objects.filter(cohort=cohort, user=user_id)
        )
    return relation


def _actions(*, user, cohort: Cohort, relation: Mapping[str, bool]) -> set[Action]:
    """Every action the user may take on this cohort, from how they relate to it."""
    actions: set[Action] = set()
    if user.is_staff:
        actions |= {Action.RUN_COHORT, Action.DECIDE_NOMINATIONS, Action.NOMINATE_OFFICERS}
    elif (cohort.created_by_id == user.pk or relation["viewer_trains"]) and can(
        user, Action.SCHEDULE_COHORTS
    ):
        actions |= {Action.RUN_COHORT, Action.DECIDE_NOMINATIONS}
    if not user.is_staff:
        if relation["viewer_participates"] and cohort.status != Cohort.Status.DRAFT:
            actions.add(Action.NOMINATE_OFFICERS)
        if relation["viewer_cohosts"]:
            actions.add(Action.DECIDE_NOMINATIONS)
    if relation["viewer_has_seat"] and cohort.status != Cohort.Status.DRAFT:
        actions.add(Action.ATTEND_COHORT)
    if actions:
        actions.add(Action.VIEW_COHORT)
    return actions


def _loaded_relation(obj, **known) -> dict[str, bool]:
    return {name: known[name] if name in known else getattr(obj, name) for name in RELATION}


def cohort_actions(*, user, cohort: Cohort) -> set[Action]:
    """Every action the user may take on this cohort (empty: the cohort does not exist for
    them). One query."""
    if not user.is_authenticated or not user.is_active:
        return set()
    relation = (
        Cohort.objects.filter(pk=cohort.pk)
        .annotate(**_relation(user=user, cohort=OuterRef("pk")))
        .values(*RELATION)
        .first()
    )
    if relation is None:
        return set()
    return _actions(user=user, cohort=cohort, relation=relation)


def nominating_agencies(*, user, cohort: Cohort) -> QuerySet:
    """The ids of the participating agencies whose officers this user may nominate to the
    cohort, unread: a page filters its rows by them in its own query."""
    allowed = agencies_for(user, Action.NOMINATE_OFFICERS)
    return cohort.participations.filter(agency__in=allowed).values_list("agency_id", flat=True)


def nominating_agency_ids(*, user, cohort: Cohort) -> set[int]:
    """The participating agencies whose officers this user may nominate to the cohort."""
    return set(nominating_agencies(user=user, cohort=cohort))


def _wanted(action: Action | Iterable[Action]) -> set[Action]:
    return {action} if isinstance(action, Action) else set(action)


def access_cohort(
    *,
    user,
    cohort_id: int,
    action: Action | Iterable[Action] = Action.VIEW_COHORT,
    cohorts: QuerySet[Cohort] | None = None,
) -> Cohort:
    """The cohort if the user may take the action (or any of the actions) on it, else 404.
    The actions found are kept on it as `cohort.actions`, for pages that offer links by
    action, and the user's own seat in it (any status) as `cohort.viewer_seat` (or None).
    One query, which also loads what `cohorts` (a page's selector) adds."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    cohorts = Cohort.objects.all() if cohorts is None else cohorts
    # At most one seat per officer and cohort (seat_one_per_officer).
    cohorts = join_one(cohorts, name="viewer_seat", relation="seats", user=user.pk)
    cohort = get_object_or_404(
        cohorts.annotate(**_relation(user=user, cohort=OuterRef("pk"), seat=False)).select_related(
            "course", "host_agency", "assessment"
        ),
        pk=cohort_id,
    )
    return _checked_cohort(user, cohort, action)


@prepared(shape=("staff", "schedules"))
def _cohort_page_row(*, cohort_id: int, user_id: int, staff: bool, schedules: bool):
    from cohorts.selectors.cohorts import cohort_page_cohorts

    cohorts = join_one(cohort_page_cohorts(), name="viewer_seat", relation="seats", user=user_id)
    relation = _relation_of(
        user_id=user_id, cohort=OuterRef("pk"), seat=False, staff=staff, schedules=schedules
    )
    return (
        cohorts.annotate(**relation)
        .select_related("course", "host_agency", "assessment")
        .filter(pk=cohort_id)
    )


def access_cohort_page(*, user, cohort_id: int) -> Cohort:
    """access_cohort(VIEW_COHORT) for the cohort page, loading what cohort_page_cohorts adds:
    a prepared read (core.prepared) for everyone but those who nominate officers, whose
    check lists their agencies."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    staff, schedules, nominates = _shape(user)
    if nominates:
        from cohorts.selectors.cohorts import cohort_page_cohorts

        return access_cohort(user=user, cohort_id=cohort_id, cohorts=cohort_page_cohorts())
    found = _cohort_page_row(cohort_id=cohort_id, user_id=user.pk, staff=staff, schedules=schedules)
    if not found:
        raise Http404
    return _checked_cohort(user, found[0], Action.VIEW_COHORT)


def _checked_cohort(user, cohort: Cohort, action) -> Cohort:
    cohort.viewer_seat = joined(cohort, "viewer_seat")
    if cohort.viewer_seat is not None:
        cohort.viewer_seat.cohort = cohort
    relation = _loaded_relation(cohort, viewer_has_seat=cohort.viewer_seat is not None)
    actions = _actions(user=user, cohort=cohort, relation=relation)
    if not actions & _wanted(action):
        raise Http404
    cohort.actions = actions
    return cohort


def access_participation(
    *, user, participation_id: int, action: Action = Action.RUN_COHORT
) -> Participation:
    """An agency's participation in a cohort, if the user may take the action on the cohort,
    else 404."""
    participation = get_object_or_404(
        Participation.objects.select_related("agency"), pk=participation_id
    )
    participation.cohort = access_cohort(
        user=user, cohort_id=participation.cohort_id, action=action
    )
    return participation


def _sessions() -> QuerySet[Session]:
    return Session.objects.select_related("cohort__course", "cohort__host_agency")


def _session_or_404(session_id: int) -> Session:
    return get_object_or_404(_sessions(), pk=session_id)


@prepared(shape=("staff", "schedules"))
def _session_row(*, session_id: int, user_id: int, staff: bool, schedules: bool):
    relation = _relation_of(
        user_id=user_id, cohort=OuterRef("cohort_id"), seat=True, staff=staff, schedules=schedules
    )
    return _sessions().annotate(**relation).filter(pk=session_id)


def access_session(*, user, session_id: int, action: Action = Action.RUN_COHORT) -> Session:
    """The session if the user may take the action on its cohort, else 404: one query."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    staff, schedules, nominates = _shape(user)
    if nominates:
        session = get_object_or_404(
            _sessions().annotate(**_relation(user=user, cohort=OuterRef("cohort_id"))),
            pk=session_id,
        )
    else:  # a prepared read (core.prepared): the same query, compiled once per process
        found = _session_row(
            session_id=session_id, user_id=user.pk, staff=staff, schedules=schedules
        )
        if not found:
            raise Http404
        session = found[0]
    actions = _actions(user=user, cohort=session.cohort, relation=_loaded_relation(session))
    if action not in actions:
        raise Http404
    session.cohort.actions = actions
    return session


def access_seat(*, user, seat_id: int, action: Action) -> Seat:
    """A seat the user may act on: RUN_COHORT/DECIDE_NOMINATIONS over its cohort,
    NOMINATE_OFFICERS for their own agency's seats, ATTEND_COHORT for their own seat."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    seat = get_object_or_404(
        Seat.objects.select_related(
            "cohort__course", "cohort__host_agency", "user", "agency"
        ).annotate(**_relation(user=user, cohort=OuterRef("cohort_id"))),
        pk=seat_id,
    )
    actions = _actions(user=user, cohort=seat.cohort, relation=_loaded_relation(seat))
    if action == Action.ATTEND_COHORT:
        if seat.user_id != user.pk or Action.ATTEND_COHORT not in actions:
            raise Http404
    elif action == Action.NOMINATE_OFFICERS:
        if Action.NOMINATE_OFFICERS not in actions or (
            not user.is_staff
            and seat.agency_id not in nominating_agency_ids(user=user, cohort=seat.cohort)
        ):
            raise Http404
    elif action not in actions:
        raise Http404
    return seat


def access_display(*, session_id: int, token: str, now: datetime | None = None) -> Session:
    """The session a display token was made for; 404 for a wrong, foreign or expired token,
    or a cancelled session, exactly as for a missing session."""
    now = now or timezone.now()
    session = _session_or_404(session_id)
    until, _dot, mac = (token or "").partition(".")
    if not until.isdigit() or not session.checkin_secret:
        raise Http404
    expected = display_mac(session, int(until))
    if not hmac.compare_digest(expected.encode(), mac.encode()):
        raise Http404
    # A token lasts until the end the session had when it was made: moving the session
    # later needs a new one, from the trainer's roster.
    if session.is_cancelled or now.timestamp() > int(until):
        raise Http404
    return session


def access_checkin_seat(*, user, session_id: int) -> tuple[Session, Seat]:
    """The session and the officer's confirmed seat in its cohort; 404 when the session does
    not exist or the person holds no confirmed seat there (strangers learn nothing)."""
    session = _session_or_404(session_id)
    seat = (
        Seat.objects.filter(
            cohort_id=session.cohort_id, user_id=user.pk, status=Seat.Status.APPROVED
        )
        .select_related("agency")
        .first()
    )
    if seat is None or not user.is_active:
        raise Http404
    return session, seat


def may_schedule(*, user) -> bool:
    return can(user, Action.SCHEDULE_COHORTS)


def eligible_officer_memberships(*, agency_ids=None):
    """Approved, vetted (not lapsed) officer memberships of these agencies (None: of any
    agency): who may be nominated or added as a walk-in."""
    memberships = Membership.objects.all()
    if agency_ids is not None:
        memberships = memberships.filter(agency_id__in=agency_ids)
    return memberships.filter(
        role=Membership.Role.OFFICER,
        status=Membership.Status.APPROVED,
        vetted_at__gte=vetting_cutoff(),
        user__is_active=True,
        user__erased_at__isnull=True,
    ).select_related("user", "agency")


def is_eligible_officer(
    *, user, agency_id: int | None = None, agency_ids: Iterable[int] | None = None
) -> Membership | None:
    """The officer's active membership (of this agency, or of one of these agencies, when
    given), or None."""
    memberships = [m for m in active_memberships(user) if m.role == Membership.Role.OFFICER]
    if agency_id is not None:
        memberships = [m for m in memberships if m.agency_id == agency_id]
    if agency_ids is not None:
        allowed = set(agency_ids)
        memberships = [m for m in memberships if m.agency_id in allowed]
    return memberships[0] if memberships and user.is_active else None
