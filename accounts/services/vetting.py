"""Vetting and roles: agency admins' decisions on memberships (approve, reject, left,
re-confirm) with the person's email, and role changes, which only programme staff grant."""

from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import Agency, AuditEvent, Membership, User
from accounts.permissions import ROLES_ABOVE_OFFICER, Action, can
from accounts.signals import membership_vetted
from accounts.tasks import vetting_mail_task
from core.audit import AuditContext
from core.outbox import enqueue_on_commit


def check_multi_agency(*, user: User, agency: Agency | None) -> None:
    if agency is None or user.allow_multi_agency:
        return
    others = Membership.objects.filter(user=user).exclude(agency=agency).exclude(agency=None)
    if others.exists():
        raise ValidationError(
            _("This person already belongs to another agency; programme staff can allow that.")
        )


def _vetting_decision(
    *,
    membership: Membership,
    actor: User,
    action: str,
    changes: dict,
    context: AuditContext | None = None,
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
        context=context,
    )
    return membership


@transaction.atomic
def membership_approve(
    *, membership: Membership, actor: User, context: AuditContext | None = None
) -> Membership:
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
        context=context,
    )
    membership_vetted.send(sender=Membership, user=membership.user)
    enqueue_on_commit(vetting_mail_task, membership_id=membership.pk)
    return membership


@transaction.atomic
def membership_reject(
    *, membership: Membership, actor: User, reason: str, context: AuditContext | None = None
) -> Membership:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason: the officer will see it."))
    membership = _vetting_decision(
        membership=membership,
        actor=actor,
        action="vetting.reject",
        changes={"status": Membership.Status.REJECTED, "decision_reason": reason[:2000]},
        context=context,
    )
    enqueue_on_commit(vetting_mail_task, membership_id=membership.pk)
    return membership


@transaction.atomic
def membership_mark_left(
    *, membership: Membership, actor: User, context: AuditContext | None = None
) -> Membership:
    """The officer left the agency: access ends, records stay."""
    return _vetting_decision(
        membership=membership,
        actor=actor,
        action="vetting.left",
        changes={"status": Membership.Status.LEFT},
        context=context,
    )


@transaction.atomic
def membership_reconfirm(
    *, membership: Membership, actor: User, context: AuditContext | None = None
) -> Membership:
    """The periodic re-vetting: approval runs for another VETTING_RECONFIRM_DAYS."""
    membership = _vetting_decision(
        membership=membership,
        actor=actor,
        action="vetting.reconfirm",
        changes={"status": Membership.Status.APPROVED, "vetted_at": timezone.now()},
        context=context,
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


def refuse_grant(
    *,
    action: str,
    actor: User,
    role: str,
    agency: Agency | None,
    target=None,
    context: AuditContext | None = None,
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
        context=context,
    )
    raise ValidationError(role_grant_refusal(role), code="grant_refused")


def membership_change_role(
    *, membership: Membership, role: str, actor: User, context: AuditContext | None = None
) -> Membership:
    """Programme staff give a member of an agency another role (GRANT_ROLES); anyone else
    is refused here, whatever the page offered them, and the refusal is audited."""
    if not can(actor, Action.GRANT_ROLES, membership.agency):
        refuse_grant(
            action="role.change",
            actor=actor,
            role=role,
            agency=membership.agency,
            target=membership,
            context=context,
        )
    return _membership_change_role(membership=membership, role=role, actor=actor, context=context)


@transaction.atomic
def _membership_change_role(
    *, membership: Membership, role: str, actor: User, context: AuditContext | None = None
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
        context=context,
    )
    return membership
