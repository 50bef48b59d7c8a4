"""Celery tasks for certificates: thin, take ids, safe to run twice."""

from celery import shared_task

from certificates.mail import certificate_status_mail_send
from certificates.models import Certificate, CertificateReminder
from certificates.services import (
    certificate_batch_item_give_up,
    certificate_batch_item_run,
    certificate_batch_items_settle,
    certificate_reminder_reopen,
    certificate_reminder_send,
    certificate_reminders_queue,
    certificate_render,
    certificate_render_give_up,
    certificate_render_reopen,
)
from core.outbox import outbox_hooks_register


class CertificateNotRendered(Exception):
    """This attempt failed (the reason is on the certificate); the outbox tries again."""


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificate_render_task(*, certificate_id: int) -> str:
    certificate = certificate_render(certificate_id=certificate_id)
    # A bulk issue's item follows its certificate (one query when there is none).
    certificate_batch_items_settle(certificate_id=certificate_id)
    if certificate.status == Certificate.Status.PENDING:
        raise CertificateNotRendered(certificate.last_error)
    return certificate.status


def _render_given_up(*, certificate_id: int) -> None:
    certificate_render_give_up(certificate_id=certificate_id)
    certificate_batch_items_settle(certificate_id=certificate_id)


def _render_sent_again(*, certificate_id: int) -> None:
    certificate_render_reopen(certificate_id=certificate_id)
    certificate_batch_items_settle(certificate_id=certificate_id)


outbox_hooks_register(
    certificate_render_task, on_give_up=_render_given_up, on_send_again=_render_sent_again
)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificate_batch_item_task(*, item_id: int) -> str:
    return certificate_batch_item_run(item_id=item_id).state


outbox_hooks_register(certificate_batch_item_task, on_give_up=certificate_batch_item_give_up)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificate_revoked_mail_task(*, certificate_id: int) -> bool:
    return certificate_status_mail_send(certificate_id=certificate_id, event="revoked")


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificate_suspended_mail_task(*, certificate_id: int) -> bool:
    return certificate_status_mail_send(certificate_id=certificate_id, event="suspended")


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificate_reinstated_mail_task(*, certificate_id: int) -> bool:
    return certificate_status_mail_send(certificate_id=certificate_id, event="reinstated")


class ReminderNotSent(Exception):
    """This attempt failed (the reason is on the reminder); the outbox tries again."""


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificate_reminder_send_task(*, reminder_id: int) -> bool:
    if certificate_reminder_send(reminder_id=reminder_id):
        return True
    reminder = CertificateReminder.objects.filter(pk=reminder_id).first()
    raise ReminderNotSent(reminder.last_error if reminder else "")


outbox_hooks_register(certificate_reminder_send_task, on_send_again=certificate_reminder_reopen)


@shared_task
def certificate_reminders_task() -> int:
    """Daily in beat; safe at any time (each reminder has a unique row)."""
    return len(certificate_reminders_queue())
