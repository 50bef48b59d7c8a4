"""Access checks of reports: the agencies whose roster a user may see, and the seats of a
cohort report a user may see. 404 for missing and forbidden alike; one agency's roster is
accounts.access.access_agency (VIEW_ROSTER or EXPORT_ROSTER)."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Agency, Membership, User
from accounts.permissions import SCOPED, Action, active_memberships, agencies_for, can
from cohorts.access import access_cohort, nominating_agency_ids
from cohorts.models import Cohort
from reports.models import ExportJob, Transcript


def access_roster_agencies(*, user, agencies: QuerySet[Agency]) -> list[Agency]:
    """Of `agencies` (a page's selector), those whose roster this user may view, read in one
    query; 404 when there are none."""
    rows = list(agencies.filter(pk__in=agencies_for(user, Action.VIEW_ROSTER).values("pk")))
    if not rows:
        raise Http404
    return rows


def access_cohort_report(*, user, cohort_id: int) -> tuple[Cohort, set[int] | None]:
    """The cohort and the agencies whose seats this user may see in its report (None: all).

    Trainers running the cohort, programme staff and admins of the host (and co-host)
    agencies see every seat; admins of a participating agency see their own agency's seats
    only; anyone else gets the same 404 as for a cohort that does not exist."""
    cohort = access_cohort(
        user=user, cohort_id=cohort_id, action={Action.DECIDE_NOMINATIONS, Action.NOMINATE_OFFICERS}
    )
    if Action.DECIDE_NOMINATIONS in cohort.actions:
        return cohort, None
    return cohort, nominating_agency_ids(user=user, cohort=cohort)


def access_dashboard_agency(*, user, agency_id: int) -> Agency:
    """An agency whose dashboard this user may see (VIEW_DASHBOARD over it: its admins, the
    coordinators of its country, staff)."""
    if not user.is_authenticated:
        raise Http404
    agency = agencies_for(user, Action.VIEW_DASHBOARD).filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    return agency


def dashboard_countries(*, user) -> list[str] | None:
    """The countries whose dashboard this user may see: None for every country (staff), else
    those of their current coordinator memberships that give VIEW_DASHBOARD."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_staff:
        return None
    # Only coordinators' memberships name a country; the right comes from the permission
    # matrix, not from the role's name.
    return sorted(
        {
            m.country
            for m in active_memberships(user)
            if m.country and Action.VIEW_DASHBOARD in SCOPED.get(m.role, ())
        }
    )


def access_dashboard_country(*, user, country: str) -> str:
    """A country whose dashboard this user may see: a coordinator of that country, or staff.
    The country must have an agency; 404 otherwise."""
    countries = dashboard_countries(user=user)
    country = country.upper()
    if countries is not None and country not in countries:
        raise Http404
    if not Agency.objects.filter(country=country).exists():
        raise Http404
    return country


def access_dashboard_programme(*, user) -> None:
    """The programme dashboard: staff only."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise Http404


def dashboard_scopes(*, user) -> dict:
    """The dashboards a user may open: {"programme": bool, "countries": [...],
    "agencies": [Agency...]}; the agencies are their own as agency admin (coordinators and
    staff reach agencies through the country and programme dashboards)."""
    if not user.is_authenticated:
        return {"programme": False, "countries": [], "agencies": []}
    programme = bool(user.is_active and user.is_staff)
    countries = [] if programme else dashboard_countries(user=user) or []
    agencies = []
    if not programme:
        own = [
            m.agency_id
            for m in active_memberships(user)
            if m.agency_id and Action.VIEW_DASHBOARD in SCOPED.get(m.role, ())
        ]
        agencies = list(
            agencies_for(user, Action.VIEW_DASHBOARD).filter(pk__in=own).order_by("name")
        )
    return {"programme": programme, "countries": countries, "agencies": agencies}


def access_export_job(*, user, job_id: int) -> ExportJob:
    """An export job of this user's own; anyone else's (or none) is a 404. An export is bound
    to the person who asked for it, whatever their role."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(ExportJob.objects.select_related("agency"), pk=job_id, user=user)


# The officer memberships that put an officer in an agency's oversight: approved, or left
# (the agency they trained with stays answerable for the record); never pending or rejected.
TRANSCRIPT_MEMBERSHIP = [Membership.Status.APPROVED, Membership.Status.LEFT]


def may_view_transcript(*, user, officer_id: int) -> bool:
    """The officer themself, programme staff, or a holder of VIEW_TRANSCRIPT over an agency
    where the officer holds or held an officer membership."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.pk == officer_id:
        return True
    return (
        agencies_for(user, Action.VIEW_TRANSCRIPT)
        .filter(
            memberships__user_id=officer_id,
            memberships__role=Membership.Role.OFFICER,
            memberships__status__in=TRANSCRIPT_MEMBERSHIP,
        )
        .exists()
    )


def roster_transcript_ids(*, user, agency, members) -> set[int]:
    """Of one agency's roster rows (memberships), the users whose training record this user
    may open from it: every approved or left officer of the agency for a holder of
    VIEW_TRANSCRIPT over it (or staff), and the user themself. Two queries at most."""
    ids = {member.user_id for member in members if member.user_id == user.pk}
    if can(user, Action.VIEW_TRANSCRIPT, agency):
        ids |= {
            member.user_id
            for member in members
            if member.role == Membership.Role.OFFICER and member.status in TRANSCRIPT_MEMBERSHIP
        }
    return ids


def access_transcript(*, user, officer_id: int) -> User:
    """The officer whose training record this user may see; 404 for a missing officer and a
    forbidden one alike."""
    if not may_view_transcript(user=user, officer_id=officer_id):
        raise Http404
    if officer_id == user.pk:
        return user
    try:
        return User.objects.get(pk=officer_id)
    except User.DoesNotExist:
        raise Http404 from None


def access_signed_transcript(*, user, serial: str) -> Transcript:
    """A signed PDF transcript, for the person who asked for it only (staff too are refused
    another's), while they may still see the officer's record; 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    made = (
        Transcript.objects.select_related("user")
        .filter(serial=serial, created_by_id=user.pk)
        .first()
    )
    if made is None or not may_view_transcript(user=user, officer_id=made.user_id):
        raise Http404
    return made


def access_transcript_verification(*, token: str):
    """Anyone holding a ready transcript's verify token sees its public facts; 404 otherwise
    (a transcript still being made has no facts yet)."""
    try:
        return Transcript.objects.select_related("user", "created_by").get(
            verify_token=token, status=Transcript.Status.READY
        )
    except Transcript.DoesNotExist:
        raise Http404 from None
