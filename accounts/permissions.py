"""The permission matrix: which role may do what, and over which agencies. Written once here;
access functions and views ask can() / agencies_for(), never check roles themselves.
docs/permissions.md is this matrix as a table (manage.py permission_matrix; a test keeps it
in step).
"""

from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Agency, Membership, User
from accounts.viewer import memberships_of


class Action(StrEnum):
    READ_LE_CONTENT = "read_le_content"
    PREVIEW_CONTENT = "preview_content"
    VIEW_ROSTER = "view_roster"
    EXPORT_ROSTER = "export_roster"
    VET_OFFICERS = "vet_officers"
    INVITE_OFFICERS = "invite_officers"
    # Granting a role, or changing one: programme staff only (in no role's row below).
    GRANT_ROLES = "grant_roles"
    VIEW_REFRESHERS = "view_refreshers"
    VIEW_AUDIT = "view_audit"
    EXPORT_AUDIT = "export_audit"
    UNLOCK_ACCOUNTS = "unlock_accounts"
    SCHEDULE_COHORTS = "schedule_cohorts"
    NOMINATE_OFFICERS = "nominate_officers"
    # Over one cohort (PER_COHORT below): held through how a person relates to that cohort,
    # never by role alone; cohorts/access.py computes them (NOMINATE_OFFICERS too, there).
    VIEW_COHORT = "view_cohort"
    RUN_COHORT = "run_cohort"
    DECIDE_NOMINATIONS = "decide_nominations"
    ATTEND_COHORT = "attend_cohort"
    # Revoke, suspend, reinstate and correct a certificate: over the agencies of its
    # holder's memberships (certificates/access.py).
    MANAGE_CERTIFICATES = "manage_certificates"
    # Oversight (reports): completion dashboards of an agency (the country and programme
    # dashboards cross agencies: coordinators for their country, staff for all); an officer's
    # training record; the requirement set an agency follows.
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_TRANSCRIPT = "view_transcript"
    CHOOSE_REQUIREMENTS = "choose_requirements"


Role = Membership.Role

# Actions that need no agency in scope, per role.
GLOBAL: dict[str, frozenset[Action]] = {
    Role.OFFICER: frozenset({Action.READ_LE_CONTENT}),
    Role.TRAINER: frozenset(
        {Action.READ_LE_CONTENT, Action.PREVIEW_CONTENT, Action.SCHEDULE_COHORTS}
    ),
    Role.AGENCY_ADMIN: frozenset({Action.READ_LE_CONTENT}),
    Role.COORDINATOR: frozenset({Action.READ_LE_CONTENT}),
}
# Actions over agencies: the admin's own agency, the coordinator's country's agencies.
SCOPED: dict[str, frozenset[Action]] = {
    Role.AGENCY_ADMIN: frozenset(
        {
            Action.VIEW_ROSTER,
            Action.EXPORT_ROSTER,
            Action.VET_OFFICERS,
            Action.INVITE_OFFICERS,
            Action.VIEW_REFRESHERS,
            Action.VIEW_AUDIT,
            Action.EXPORT_AUDIT,
            Action.NOMINATE_OFFICERS,
            Action.MANAGE_CERTIFICATES,
            Action.VIEW_DASHBOARD,
            Action.VIEW_TRANSCRIPT,
            Action.CHOOSE_REQUIREMENTS,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            Action.VIEW_ROSTER,
            Action.EXPORT_ROSTER,
            Action.VET_OFFICERS,
            Action.VIEW_REFRESHERS,
            Action.VIEW_DASHBOARD,
        }
    ),
}


# Actions over one cohort, and who holds them (per role, then staff), for the documentation
# page; cohorts/access.py (cohort_actions) is where they are computed.
PER_COHORT: dict[Action, tuple[str, str, str, str, str]] = {
    Action.VIEW_COHORT: (
        "cohorts where they hold or wait for a seat",
        "cohorts they run",
        "cohorts their agency takes part in",
        "",
        "all",
    ),
    Action.RUN_COHORT: ("", "cohorts they run", "", "", "all"),
    Action.DECIDE_NOMINATIONS: (
        "",
        "cohorts they run",
        "cohorts their agency hosts or co-hosts",
        "",
        "all",
    ),
    Action.ATTEND_COHORT: (
        "cohorts where they hold or wait for a seat",
        "",
        "",
        "",
        "cohorts where they hold or wait for a seat",
    ),
}


# Roles above officer: only those who may GRANT_ROLES give them, by a role change or an
# invitation (and its CSV import); agency admins invite and import officers only.
ROLES_ABOVE_OFFICER = frozenset({Role.TRAINER, Role.AGENCY_ADMIN, Role.COORDINATOR})


def matrix_rows() -> list[tuple[str, list[str]]]:
    """(action, [cell per role]) for the documentation page."""
    roles = [Role.OFFICER, Role.TRAINER, Role.AGENCY_ADMIN, Role.COORDINATOR]
    rows = []
    for action in Action:
        if action in PER_COHORT:
            rows.append((action.value, list(PER_COHORT[action])))
            continue
        cells = []
        for role in roles:
            if action in GLOBAL.get(role, ()):
                cells.append("yes")
            elif action in SCOPED.get(role, ()):
                cells.append("own agency" if role == Role.AGENCY_ADMIN else "agencies of country")
            else:
                cells.append("")
        cells.append("all")
        rows.append((action.value, cells))
    return rows


def vetting_cutoff():
    return timezone.now() - timedelta(days=settings.VETTING_RECONFIRM_DAYS)


def memberships_that_count() -> QuerySet[Membership]:
    """Memberships that count, anyone's: approved (not pending, rejected or left), and for
    officers not lapsed."""
    return Membership.objects.filter(status=Membership.Status.APPROVED).filter(
        ~Q(role=Role.OFFICER) | Q(vetted_at__gte=vetting_cutoff())
    )


def _counts(membership: Membership, cutoff) -> bool:
    """memberships_that_count(), for one membership already read."""
    if membership.status != Membership.Status.APPROVED:
        return False
    if membership.role != Role.OFFICER:
        return True
    return membership.vetted_at is not None and membership.vetted_at >= cutoff


def active_memberships(user: User) -> list[Membership]:
    """The user's memberships that count, from the request's one read of the viewer's
    memberships (accounts.viewer)."""
    cutoff = vetting_cutoff()
    return [m for m in memberships_of(user) if _counts(m, cutoff)]


def can(user: User, action: Action, agency: Agency | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    memberships = active_memberships(user)
    if any(action in GLOBAL.get(m.role, ()) for m in memberships):
        return True
    if agency is None:
        return False
    # agencies_for()'s scope, decided on the agency in hand: no query.
    return any(
        action in SCOPED.get(m.role, ())
        and (
            (m.role == Role.AGENCY_ADMIN and m.agency_id == agency.pk)
            or (m.role == Role.COORDINATOR and m.country == agency.country)
        )
        for m in memberships
    )


def agencies_for(user: User, action: Action, memberships=None) -> QuerySet[Agency]:
    """The agencies over which the user may do this action."""
    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    if user.is_staff:
        return Agency.objects.all()
    memberships = memberships if memberships is not None else active_memberships(user)
    scope = Q(pk__in=[])
    for membership in memberships:
        if action not in SCOPED.get(membership.role, ()):
            continue
        if membership.role == Role.AGENCY_ADMIN:
            scope |= Q(pk=membership.agency_id)
        elif membership.role == Role.COORDINATOR:
            scope |= Q(country=membership.country)
    return Agency.objects.filter(scope)


def schedule_host_agencies(user: User) -> QuerySet[Agency]:
    """The agencies that may host a cohort this user schedules: any, for programme staff and
    programme-wide trainers (a trainer membership without an agency); for a trainer bound to
    an agency, only that agency (or those agencies)."""
    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    if user.is_staff:
        return Agency.objects.all()
    # One read of the memberships: those that give the right, and where they are bound.
    bound = [
        m.agency_id
        for m in active_memberships(user)
        if Action.SCHEDULE_COHORTS in GLOBAL.get(m.role, ())
    ]
    if not bound:
        return Agency.objects.none()
    if None in bound:
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=bound)


def requires_mfa(user: User) -> bool:
    """Trainers, admins, coordinators and staff must use MFA; officers when the setting says."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    roles = {m.role for m in memberships_of(user) if m.status != Membership.Status.REJECTED}
    if roles & {Role.TRAINER, Role.AGENCY_ADMIN, Role.COORDINATOR}:
        return True
    return settings.MFA_REQUIRED_FOR_OFFICERS and bool(roles)
