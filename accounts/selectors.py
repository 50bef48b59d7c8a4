"""Reads for accounts."""

from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import Agency, Invitation, Membership, User


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
    return (
        Membership.objects.select_related("agency")
        .filter(user=user)
        .order_by("created_at", "id")
        .first()
    )


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
