"""Celery tasks for accounts: thin, take ids, safe to run twice (the outbox row is done
after the first)."""

from celery import shared_task

from accounts import mail
from accounts.checkpoints import audit_checkpoint_write


@shared_task
def audit_checkpoint_task() -> str:
    """Beat: sign the audit chain's head and keep it outside the database. Returns the stored
    name, or "" when there was nothing new to anchor."""
    return audit_checkpoint_write() or ""


@shared_task(acks_late=True, reject_on_worker_lost=True)
def vetting_mail_task(*, membership_id: int) -> bool:
    return mail.vetting_mail_send(membership_id=membership_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def invitation_mail_task(*, invitation_id: int) -> bool:
    return mail.invitation_mail_send(invitation_id=invitation_id)
