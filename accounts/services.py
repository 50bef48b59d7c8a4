"""Writes for accounts: the audit trail, and placing a new user in their agency."""

from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from accounts.models import Agency, AuditEvent, Membership, User
from accounts.selectors import agency_for_email


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_log(
    *,
    action: str,
    actor: User | None = None,
    target: models.Model | None = None,
    agency: Agency | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one audit row. Callers pass ids and facts, never secrets."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        agency=agency,
        outcome=outcome,
        details=details or {},
        ip_address=client_ip(request),
    )


@transaction.atomic
def membership_assign_from_email(
    *, user: User, request: HttpRequest | None = None
) -> Membership | None:
    """Put a newly signed-up user into the agency that owns their email domain, as an officer."""
    agency = agency_for_email(email=user.email)
    if agency is None:
        audit_log(action="account.signup", actor=user, target=user, request=request)
        return None
    membership, _created = Membership.objects.get_or_create(
        user=user, agency=agency, role=Membership.Role.OFFICER
    )
    audit_log(
        action="account.signup",
        actor=user,
        target=user,
        agency=agency,
        details={"membership_id": membership.pk, "role": membership.role},
        request=request,
    )
    return membership


@transaction.atomic
def user_set_language(*, user: User, language: str, request: HttpRequest | None = None) -> User:
    """Remember the interface language a signed-in user chose."""
    if user.language != language:
        old = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit_log(
            action="account.language",
            actor=user,
            target=user,
            details={"from": old, "to": language},
            request=request,
        )
    return user
