"""Reads for accounts."""

from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import Agency, Invitation, Membership, User
from accounts.viewer import memberships_of


def agency_for_email(*, email: str) -> Agency | None:
    domain = email.rsplit("@", 1)[-1].strip().lower()
    if not domain:
        return None
    # email_domains is a short JSON list; agencies are few, so filtering in Python is cheap
    # and works the same on SQLite and PostgreSQL.
    for agency in Agency.objects.only("id", "email_domains", "name"):
        if domain in agency.email_domains:
            return agency
    return None


def primary_membership(*, user: User) -> Membership | None:
    """The user's first membership (any status), with its agency: from the request's read of
    the viewer's memberships when there is one."""
    memberships = memberships_of(user)
    return memberships[0] if memberships else None


def open_invitation(*, agency, email: str):
    return Invitation.objects.filter(
        agency=agency, email=email.strip().lower(), accepted_at__isnull=True
    ).first()


def invitation_by_token(*, token: str):
    return (
        Invitation.objects.select_related("agency")
        .filter(token=token, accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def invitations_for_agency(*, agency: Agency) -> QuerySet[Invitation]:
    """Open invitations first, then the most recently accepted."""
    return (
        Invitation.objects.filter(agency=agency)
        .select_related("unit")
        .order_by(F("accepted_at").desc(nulls_first=True), "-created_at", "-id")
    )


@dataclass(frozen=True)
class VettingState:
    """Why law-enforcement-only material is locked for someone, and who can open it.

    reason: "pending" (not vetted yet), "lapsed" (approval older than
    VETTING_RECONFIRM_DAYS), "rejected", "left" (left the agency) or "no_agency" (signed up
    without an agency). admins: the approved agency admins who vet the agency's officers.
    """

    reason: str
    agency: Agency | None
    admins: list[User]

    @property
    def admin_names(self) -> list[str]:
        return [admin.full_name for admin in self.admins]


def vetting_state(*, user: User) -> VettingState:
    """For the notice shown beside locked material: the latest membership with an agency
    from the request's read of the viewer's memberships, then one query (the agency's
    admins) whatever the rows."""
    membership = next((m for m in reversed(memberships_of(user)) if m.agency_id is not None), None)
    if membership is None:
        return VettingState(reason="no_agency", agency=None, admins=[])
    reason = {
        Membership.Status.PENDING: "pending",
        Membership.Status.REJECTED: "rejected",
        Membership.Status.LEFT: "left",
    }.get(membership.status, "lapsed")
    admins = [
        admin.user
        for admin in Membership.objects.filter(
            agency_id=membership.agency_id,
            role=Membership.Role.AGENCY_ADMIN,
            status=Membership.Status.APPROVED,
        )
        .select_related("user")
        .order_by("user__full_name", "user_id")
    ]
    return VettingState(reason=reason, agency=membership.agency, admins=admins)
