"""Reads for agency rosters: agencies with member counts in each roster status, and the
filtered roster of one agency with its training counts."""

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import Agency, Membership
from accounts.permissions import vetting_cutoff
from certificates.models import Certificate
from courses.models import Enrollment

# The roster's own status: an approved officer whose vetting is older than
# VETTING_RECONFIRM_DAYS (or was never recorded) has no access until re-confirmed.
LAPSED = "lapsed"

Status = Membership.Status
Role = Membership.Role


def _lapsed_q(*, prefix: str = "", cutoff) -> Q:
    return Q(**{f"{prefix}status": Status.APPROVED, f"{prefix}role": Role.OFFICER}) & (
        Q(**{f"{prefix}vetted_at__lt": cutoff}) | Q(**{f"{prefix}vetted_at__isnull": True})
    )


def _current_approved_q(*, prefix: str = "", cutoff) -> Q:
    other_roles = [role for role in Role.values if role != Role.OFFICER]
    return Q(**{f"{prefix}status": Status.APPROVED, f"{prefix}role__in": other_roles}) | Q(
        **{
            f"{prefix}status": Status.APPROVED,
            f"{prefix}role": Role.OFFICER,
            f"{prefix}vetted_at__gte": cutoff,
        }
    )


def agencies_with_member_counts() -> QuerySet[Agency]:
    """Agencies with how many members they have in each roster status (one query; the
    access check narrows it to the agencies a user oversees)."""
    cutoff = vetting_cutoff()
    prefix = "memberships__"
    return Agency.objects.annotate(
        members_total=Count("memberships"),
        members_pending=Count("memberships", filter=Q(memberships__status=Status.PENDING)),
        members_approved=Count(
            "memberships", filter=_current_approved_q(prefix=prefix, cutoff=cutoff)
        ),
        members_lapsed=Count("memberships", filter=_lapsed_q(prefix=prefix, cutoff=cutoff)),
        members_rejected=Count("memberships", filter=Q(memberships__status=Status.REJECTED)),
        members_left=Count("memberships", filter=Q(memberships__status=Status.LEFT)),
    ).order_by("country", "name")


def _count_per_user(queryset: QuerySet) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.filter(user=OuterRef("user_id"))
            .order_by()
            .values("user")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def agency_roster(
    *, agency: Agency, search: str = "", status: str = "", role: str = ""
) -> QuerySet[Membership]:
    """The agency's memberships with their person, roster status and training counts.

    Counts come from correlated subqueries, so a page costs the same queries for any size.
    """
    cutoff = vetting_cutoff()
    memberships = (
        Membership.objects.filter(agency=agency)
        .select_related("user")
        .annotate(
            roster_status=Case(
                When(_lapsed_q(cutoff=cutoff), then=Value(LAPSED)),
                default=F("status"),
                output_field=CharField(),
            ),
            enrollment_count=_count_per_user(Enrollment.objects.all()),
            certificate_count=_count_per_user(
                Certificate.objects.filter(status=Certificate.Status.ISSUED)
            ),
        )
    )
    search = search.strip()
    if search:
        memberships = memberships.filter(
            Q(user__full_name__icontains=search) | Q(user__email__icontains=search)
        )
    if status:
        memberships = memberships.filter(roster_status=status)
    if role:
        memberships = memberships.filter(role=role)
    return memberships.order_by("user__full_name", "user__email", "pk")
