"""The certificate lifecycle after issue: revoke (final), suspend and reinstate. Each locks
the row, checks the transition, flips the status-list bit in the same transaction, writes one
audit row and mails the holder through the outbox."""

from django.db import transaction
from django.utils import timezone

from accounts.services import audit_log
from certificates.models import Certificate
from certificates.services.statuslist import status_list_set
from certificates.signals import certificate_status_changed_send
from core.audit import AuditContext
from core.outbox import enqueue_on_commit

Status = Certificate.Status

# Revocation is final (Bitstring Status List: a revocation bit is never cleared). A pending
# or failed certificate may be revoked before it is ever issued; a superseded one is not:
# revoke the current revision instead.
REVOCABLE = {Status.ISSUED, Status.SUSPENDED, Status.PENDING, Status.FAILED}
SUSPENDABLE = {Status.ISSUED}
REINSTATABLE = {Status.SUSPENDED}


def _required(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValueError(f"A reason is required to {what} a certificate.")
    return text[:500]


def _locked(certificate: Certificate, allowed: set, what: str) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status not in allowed:
        raise ValueError(f"A {certificate.status} certificate cannot be {what}.")
    return certificate


def _mail_on_commit(event: str, certificate: Certificate) -> None:
    """The holder's mail, as an outbox row in this transaction (tasks import the services,
    hence the late import)."""
    from certificates.tasks import (
        certificate_reinstated_mail_task,
        certificate_revoked_mail_task,
        certificate_suspended_mail_task,
    )

    task = {
        "revoked": certificate_revoked_mail_task,
        "suspended": certificate_suspended_mail_task,
        "reinstated": certificate_reinstated_mail_task,
    }[event]
    enqueue_on_commit(task, certificate_id=certificate.pk)


@transaction.atomic
def certificate_revoke(
    *,
    certificate: Certificate,
    actor,
    reason_category: str,
    reason: str,
    context: AuditContext | None = None,
) -> Certificate:
    """Revoke for good: the verify page and the status list say so, with the category only
    (the free text stays in the audit trail). The PDF and serial stay."""
    if reason_category not in Certificate.RevocationReason.values:
        raise ValueError(f"Unknown revocation category {reason_category!r}.")
    reason = _required(reason, "revoke")
    certificate = _locked(certificate, REVOCABLE, "revoked")
    old = certificate.status
    certificate.status = Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = reason_category
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason"])
    certificate_status_changed_send(certificate)
    status_list_set(certificate=certificate, purpose="revocation", value=True)
    if old == Status.SUSPENDED:
        status_list_set(certificate=certificate, purpose="suspension", value=False)
    audit_log(
        action="certificate.revoke",
        actor=actor,
        target=certificate,
        details={
            "serial": certificate.serial,
            "revision": certificate.revision,
            "from": old,
            "category": reason_category,
            "reason": reason,
        },
        context=context,
    )
    if old in {Status.ISSUED, Status.SUSPENDED}:
        _mail_on_commit("revoked", certificate)
    return certificate


@transaction.atomic
def certificate_suspend(
    *, certificate: Certificate, actor, reason: str, context: AuditContext | None = None
) -> Certificate:
    """Suspend an issued certificate (an inquiry is open): the suspension bit is set and the
    verify page says "suspended since"; reinstate undoes it."""
    reason = _required(reason, "suspend")
    certificate = _locked(certificate, SUSPENDABLE, "suspended")
    certificate.status = Status.SUSPENDED
    certificate.suspended_at = timezone.now()
    certificate.save(update_fields=["status", "suspended_at"])
    certificate_status_changed_send(certificate)
    status_list_set(certificate=certificate, purpose="suspension", value=True)
    audit_log(
        action="certificate.suspend",
        actor=actor,
        target=certificate,
        details={"serial": certificate.serial, "revision": certificate.revision, "reason": reason},
        context=context,
    )
    _mail_on_commit("suspended", certificate)
    return certificate


@transaction.atomic
def certificate_reinstate(
    *, certificate: Certificate, actor, reason: str, context: AuditContext | None = None
) -> Certificate:
    """End a suspension: the bit is cleared and the certificate is issued again. If a newer
    revision was issued meanwhile (it could not supersede a suspended one), this one steps
    aside to superseded instead."""
    reason = _required(reason, "reinstate")
    certificate = _locked(certificate, REINSTATABLE, "reinstated")
    successor = Certificate.objects.filter(supersedes=certificate, status=Status.ISSUED).first()
    if successor is not None:
        certificate.status = Status.SUPERSEDED
        certificate.superseded_at = successor.issued_at
    else:
        certificate.status = Status.ISSUED
    certificate.suspended_at = None
    certificate.save(update_fields=["status", "suspended_at", "superseded_at"])
    certificate_status_changed_send(certificate)
    status_list_set(certificate=certificate, purpose="suspension", value=False)
    audit_log(
        action="certificate.reinstate",
        actor=actor,
        target=certificate,
        details={
            "serial": certificate.serial,
            "revision": certificate.revision,
            "to": certificate.status,
            "reason": reason,
        },
        context=context,
    )
    _mail_on_commit("reinstated", certificate)
    return certificate
