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
from collections.abc import Iterable
from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Membership
from accounts.permissions import (
    Action,
    agencies_for,
    can,
    vetting_cutoff,
    viewer_active_memberships,
)
from cohorts.checkin import display_mac
from cohorts.models import Cohort, Participation, Seat, Session


def cohort_actions(*, user, cohort: Cohort) -> set[Action]:
    """Every action the user may take on this cohort (empty: the cohort does not exist for
    them)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    actions: set[Action] = set()
    if user.is_staff:
        actions |= {Action.RUN_COHORT, Action.DECIDE_NOMINATIONS, Action.NOMINATE_OFFICERS}
    elif (cohort.created_by_id == user.pk or cohort.trainers.filter(pk=user.pk).exists()) and can(
        user, Action.SCHEDULE_COHORTS
    ):
        actions |= {Action.RUN_COHORT, Action.DECIDE_NOMINATIONS}
    if not user.is_staff:
        admin_of = set(agencies_for(user, Action.NOMINATE_OFFICERS).values_list("pk", flat=True))
        participating = {
            p.agency_id: p.role for p in cohort.participations.filter(agency_id__in=admin_of)
        }
        if participating and cohort.status != Cohort.Status.DRAFT:
            actions.add(Action.NOMINATE_OFFICERS)
        if any(role != "participant" for role in participating.values()):
            actions.add(Action.DECIDE_NOMINATIONS)
    if cohort.seats.filter(user=user).exists() and cohort.status != Cohort.Status.DRAFT:
        actions.add(Action.ATTEND_COHORT)
    if actions:
        actions.add(Action.VIEW_COHORT)
    return actions


def nominating_agency_ids(*, user, cohort: Cohort) -> set[int]:
    """The participating agencies whose officers this user may nominate to the cohort."""
    allowed = agencies_for(user, Action.NOMINATE_OFFICERS)
    return set(cohort.participations.filter(agency__in=allowed).values_list("agency_id", flat=True))


def access_cohort(
    *, user, cohort_id: int, action: Action | Iterable[Action] = Action.VIEW_COHORT
) -> Cohort:
    """The cohort if the user may take the action (or any of the actions) on it, else 404.
    The actions found are kept on it as `cohort.actions`, for pages that offer links by
    action."""
    cohort = get_object_or_404(
        Cohort.objects.select_related("course", "host_agency", "assessment"), pk=cohort_id
    )
    actions = cohort_actions(user=user, cohort=cohort)
    wanted = {action} if isinstance(action, Action) else set(action)
    if not actions & wanted:
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


def _session_or_404(session_id: int) -> Session:
    return get_object_or_404(
        Session.objects.select_related("cohort__course", "cohort__host_agency"), pk=session_id
    )


def access_session(*, user, session_id: int, action: Action = Action.RUN_COHORT) -> Session:
    session = _session_or_404(session_id)
    if action not in cohort_actions(user=user, cohort=session.cohort):
        raise Http404
    return session


def access_seat(*, user, seat_id: int, action: Action) -> Seat:
    """A seat the user may act on: RUN_COHORT/DECIDE_NOMINATIONS over its cohort,
    NOMINATE_OFFICERS for their own agency's seats, ATTEND_COHORT for their own seat."""
    seat = get_object_or_404(
        Seat.objects.select_related("cohort__course", "cohort__host_agency", "user", "agency"),
        pk=seat_id,
    )
    actions = cohort_actions(user=user, cohort=seat.cohort)
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
    memberships = [m for m in viewer_active_memberships(user) if m.role == Membership.Role.OFFICER]
    if agency_id is not None:
        memberships = [m for m in memberships if m.agency_id == agency_id]
    if agency_ids is not None:
        allowed = set(agency_ids)
        memberships = [m for m in memberships if m.agency_id in allowed]
    return memberships[0] if memberships and user.is_active else None
