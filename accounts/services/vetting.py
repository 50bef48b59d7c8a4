"""Writes for accounts: signup placement, vetting, invitations, roles, language, erasure.

audit_log (accounts.audit) is re-exported here: every app writes its audit rows through it.
"""

import secrets
from datetime import timedelta
from typing import NoReturn

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_log
from accounts.models import Agency, AuditEvent, Invitation, Membership, Unit, User
from accounts.permissions import ROLES_ABOVE_OFFICER, Action, can
from accounts.selectors import agency_for_email, open_invitation
from accounts.signals import membership_vetted, user_erased


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
        user=user,
        agency=agency,
        role=Membership.Role.OFFICER,
        defaults={"status": Membership.Status.PENDING},
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


def _notify(*, user: User, subject: str, template: str, context: dict) -> None:
    """Email a person in their own language, after the surrounding transaction commits."""
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string(template, {"user": user, "site_url": settings.SITE_URL, **context})
        subject = str(subject)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email], fail_silently=False))


def _check_multi_agency(*, user: User, agency: Agency | None) -> None:
    if agency is None or user.allow_multi_agency:
        return
    others = Membership.objects.filter(user=user).exclude(agency=agency).exclude(agency=None)
    if others.exists():
        raise ValidationError(
            _("This person already belongs to another agency; programme staff can allow that.")
        )


APPROVED_SUBJECT = gettext_lazy("Your access to law-enforcement training is approved")
REJECTED_SUBJECT = gettext_lazy("Your request for law-enforcement training access")


def _vetting_decision(
    *, membership: Membership, actor: User, action: str, changes: dict, request=None
) -> Membership:
    """Lock the membership, apply one vetting decision, and audit it."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    for field, value in {"decided_by": actor, **changes}.items():
        setattr(membership, field, value)
    membership.save(update_fields=["decided_by", *changes])
    audit_log(
        action=action,
        actor=actor,
        target=membership,
        agency=membership.agency,
        details={"user_id": membership.user_id},
        request=request,
    )
    return membership


@transaction.atomic
def membership_approve(*, membership: Membership, actor: User, request=None) -> Membership:
    """Vet an officer: law-enforcement-only content opens to them until re-confirmation."""
    membership = _vetting_decision(
        membership=membership,
        actor=actor,
        action="vetting.approve",
        changes={
            "status": Membership.Status.APPROVED,
            "vetted_at": timezone.now(),
            "decision_reason": "",
        },
        request=request,
    )
    membership_vetted.send(sender=Membership, user=membership.user)
    _notify(
        user=membership.user,
        subject=APPROVED_SUBJECT,
        template="accounts/email/vetting_approved.txt",
        context={"membership": membership},
    )
    return membership


@transaction.atomic
def membership_reject(
    *, membership: Membership, actor: User, reason: str, request=None
) -> Membership:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason: the officer will see it."))
    membership = _vetting_decision(
        membership=membership,
        actor=actor,
        action="vetting.reject",
        changes={"status": Membership.Status.REJECTED, "decision_reason": reason[:2000]},
        request=request,
    )
    _notify(
        user=membership.user,
        subject=REJECTED_SUBJECT,
        template="accounts/email/vetting_rejected.txt",
        context={"membership": membership},
    )
    return membership


@transaction.atomic
def membership_mark_left(*, membership: Membership, actor: User, request=None) -> Membership:
    """The officer left the agency: access ends, records stay."""
    return _vetting_decision(
        membership=membership,
        actor=actor,
        action="vetting.left",
        changes={"status": Membership.Status.LEFT},
        request=request,
    )


@transaction.atomic
def membership_reconfirm(*, membership: Membership, actor: User, request=None) -> Membership:
    """The periodic re-vetting: approval runs for another VETTING_RECONFIRM_DAYS."""
    membership = _vetting_decision(
        membership=membership,
        actor=actor,
        action="vetting.reconfirm",
        changes={"status": Membership.Status.APPROVED, "vetted_at": timezone.now()},
        request=request,
    )
    membership_vetted.send(sender=Membership, user=membership.user)
    return membership


def role_grant_refusal(role: str) -> str:
    """What someone who may not grant `role` is told (a form, a CSV row, a refused service)."""
    if role in ROLES_ABOVE_OFFICER:
        return _(
            "Only programme staff can grant the %(role)s role. Agency admins invite and import "
            "officers only; ask programme staff for a trainer, agency admin or coordinator."
        ) % {"role": str(Membership.Role(role).label).lower()}
    return _("Only programme staff can change a person's role.")


def _refuse_grant(
    *, action: str, actor: User, role: str, agency: Agency | None, target=None, request=None
) -> NoReturn:
    """Audit a refused grant, then refuse it. Callers run this before their transaction
    opens, so the refusal's audit row is not rolled back with it."""
    audit_log(
        action=action,
        actor=actor,
        target=target,
        agency=agency,
        outcome=AuditEvent.Outcome.FAILURE,
        details={"role": role, "refused": "only programme staff grant roles"},
        request=request,
    )
    raise ValidationError(role_grant_refusal(role), code="grant_refused")


def membership_change_role(
    *, membership: Membership, role: str, actor: User, request=None
) -> Membership:
    """Programme staff give a member of an agency another role (GRANT_ROLES); anyone else
    is refused here, whatever the page offered them, and the refusal is audited."""
    if not can(actor, Action.GRANT_ROLES, membership.agency):
        _refuse_grant(
            action="role.change",
            actor=actor,
            role=role,
            agency=membership.agency,
            target=membership,
            request=request,
        )
    return _membership_change_role(membership=membership, role=role, actor=actor, request=request)


@transaction.atomic
def _membership_change_role(
    *, membership: Membership, role: str, actor: User, request=None
) -> Membership:
    if role not in {Membership.Role.OFFICER, Membership.Role.AGENCY_ADMIN, Membership.Role.TRAINER}:
        raise ValidationError(_("That role cannot be given here."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    old = membership.role
    if old == role:
        return membership
    if Membership.objects.filter(
        user=membership.user, agency=membership.agency, role=role
    ).exists():
        raise ValidationError(_("This person already has that role in this agency."))
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit_log(
        action="role.change",
        actor=actor,
        target=membership,
        agency=membership.agency,
        details={"user_id": membership.user_id, "from": old, "to": role},
        request=request,
    )
    return membership


def _invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accounts:invitation", kwargs={"token": invitation.token})


def invitation_create(
    *,
    agency: Agency,
    email: str,
    actor: User,
    full_name: str = "",
    role: str = Membership.Role.OFFICER,
    unit: Unit | None = None,
    request=None,
    send: bool = True,
) -> Invitation:
    """Invite someone to the agency. Agency admins invite officers; an invitation to any
    role above officer is a grant, for programme staff only (a refusal is audited)."""
    if role in ROLES_ABOVE_OFFICER and not can(actor, Action.GRANT_ROLES, agency):
        _refuse_grant(
            action="invitation.create", actor=actor, role=role, agency=agency, request=request
        )
    return _invitation_create(
        agency=agency,
        email=email,
        actor=actor,
        full_name=full_name,
        role=role,
        unit=unit,
        request=request,
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
    request,
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
        request=request,
    )
    if send:
        invitation_send(invitation=invitation, actor=actor, request=request)
    return invitation


@transaction.atomic
def invitation_send(*, invitation: Invitation, actor: User, request=None) -> Invitation:
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
            request=request,
        )
    body = render_to_string(
        "accounts/email/invitation.txt",
        {
            "invitation": invitation,
            "url": _invitation_url(invitation),
            "site_url": settings.SITE_URL,
        },
    )
    subject = _("Invitation to crypto crime training from %(agency)s") % {
        "agency": invitation.agency.name
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, request=None) -> Membership:
    """The invited person signed up with the invited address: they join, already vetted. They
    join in the invited role only if whoever invited them may grant it (programme staff);
    otherwise as an officer, and the audit row says which role was not granted."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.expires_at < timezone.now():
        raise ValidationError(_("This invitation is no longer valid."))
    if invitation.email != user.email.lower():
        raise ValidationError(_("This invitation was sent to a different email address."))
    _check_multi_agency(user=user, agency=invitation.agency)
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
        request=request,
    )
    return membership


@transaction.atomic
def user_erase(*, user: User, actor: User, request=None) -> User:
    """Pseudonymise a person: their name and email go, their training records and
    certificate serials stay (a legal duty to keep them)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        return user
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = _("Erased person #%(id)s") % {"id": user.pk}
    user.display_name = ""
    user.time_zone = ""
    user.is_active = False
    user.erased_at = timezone.now()
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.filter(user=user).delete()
    audit_log(action="account.erase", actor=actor, target=user, request=request)
    user_erased.send(sender=User, user=user)
    return user
