"""Invitations: create (one, or a row of the CSV import), send or resend, and accept."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import Agency, Invitation, Membership, Unit, User
from accounts.permissions import ROLES_ABOVE_OFFICER, Action, can
from accounts.selectors import open_invitation
from accounts.services.vetting import check_multi_agency, refuse_grant
from accounts.tasks import invitation_mail_task
from core.audit import AuditContext
from core.outbox import enqueue_on_commit


def invitation_create(
    *,
    agency: Agency,
    email: str,
    actor: User,
    full_name: str = "",
    role: str = Membership.Role.OFFICER,
    unit: Unit | None = None,
    context: AuditContext | None = None,
    send: bool = True,
) -> Invitation:
    """Invite someone to the agency. Agency admins invite officers; an invitation to any
    role above officer is a grant, for programme staff only (a refusal is audited)."""
    if role in ROLES_ABOVE_OFFICER and not can(actor, Action.GRANT_ROLES, agency):
        refuse_grant(
            action="invitation.create", actor=actor, role=role, agency=agency, context=context
        )
    return _invitation_create(
        agency=agency,
        email=email,
        actor=actor,
        full_name=full_name,
        role=role,
        unit=unit,
        context=context,
        send=send,
    )


@transaction.atomic
def _invitation_create(
    *,
    agency: Agency,
    email: str,
    actor: User,
    full_name: str,
    role: str,
    unit: Unit | None,
    context: AuditContext | None,
    send: bool,
) -> Invitation:
    email = email.strip().lower()
    if Membership.objects.filter(user__email__iexact=email, agency=agency).exists():
        raise ValidationError(_("%(email)s already belongs to this agency.") % {"email": email})
    if open_invitation(agency=agency, email=email) is not None:
        raise ValidationError(_("%(email)s already has an open invitation.") % {"email": email})
    invitation = Invitation(
        agency=agency,
        email=email,
        full_name=full_name.strip(),
        role=role,
        unit=unit,
        token=secrets.token_urlsafe(32),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_log(
        action="invitation.create",
        actor=actor,
        target=invitation,
        agency=agency,
        details={"role": role},
        context=context,
    )
    if send:
        invitation_send(invitation=invitation, actor=actor, context=context)
    return invitation


@transaction.atomic
def invitation_send(
    *, invitation: Invitation, actor: User, context: AuditContext | None = None
) -> Invitation:
    """(Re-)send the invitation email; a re-send also extends the expiry."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."))
    invitation.sent_count += 1
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    invitation.save(update_fields=["sent_count", "expires_at"])
    if invitation.sent_count > 1:
        audit_log(
            action="invitation.resend",
            actor=actor,
            target=invitation,
            agency=invitation.agency,
            context=context,
        )
    enqueue_on_commit(invitation_mail_task, invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User, context: AuditContext | None = None
) -> Membership:
    """The invited person signed up with the invited address: they join, already vetted. They
    join in the invited role only if whoever invited them may grant it (programme staff);
    otherwise as an officer, and the audit row says which role was not granted."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.expires_at < timezone.now():
        raise ValidationError(_("This invitation is no longer valid."))
    if invitation.email != user.email.lower():
        raise ValidationError(_("This invitation was sent to a different email address."))
    check_multi_agency(user=user, agency=invitation.agency)
    role, details = invitation.role, {}
    if role in ROLES_ABOVE_OFFICER:
        inviter = invitation.invited_by
        if inviter is not None and can(inviter, Action.GRANT_ROLES, invitation.agency):
            details["granted_by"] = inviter.pk
        else:
            role = Membership.Role.OFFICER
            details["role_not_granted"] = invitation.role
    membership, _created = Membership.objects.get_or_create(
        user=user,
        agency=invitation.agency,
        role=role,
        defaults={
            "status": Membership.Status.APPROVED,
            "vetted_at": timezone.now(),
            "decided_by": invitation.invited_by,
            "unit": invitation.unit,
        },
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_log(
        action="invitation.accept",
        actor=user,
        target=invitation,
        agency=invitation.agency,
        details={"membership_id": membership.pk, "role": membership.role, **details},
        context=context,
    )
    return membership
