"""Expiry reminders: the periodic task queues the nearest due reminder per certificate (90, 30
or 7 days before valid_until), one CertificateReminder row each, with its outbox row; the
worker then emails the holder in their language with the renewal link."""

import math
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.services import audit_log
from certificates.models import Certificate, CertificateReminder
from certificates.selectors import reminders_due
from core.mail import FAILED, SKIPPED, delivery_attempt, mail_text, send_automatic
from core.outbox import enqueue_many_on_commit


def _send_task():
    from certificates.tasks import certificate_reminder_send_task

    return certificate_reminder_send_task


def certificate_reminders_queue(*, now: datetime | None = None) -> list[int]:
    """Write the due reminders and their outbox rows; returns the new reminders' ids. Safe to
    run at any time and twice at once: the unique (certificate, days_before) keeps one row,
    so a missed day is caught up and nothing goes twice. A fixed number of queries."""
    now = now or timezone.now()
    due = reminders_due(now=now)
    if not due:
        return []
    with transaction.atomic():
        CertificateReminder.objects.bulk_create(
            [
                CertificateReminder(certificate_id=pk, days_before=days, created_at=now)
                for pk, days in due
            ],
            ignore_conflicts=True,
        )
        # Only the rows this run wrote: a racing run's rows carry its own created_at.
        ids = list(
            CertificateReminder.objects.filter(
                certificate_id__in=[pk for pk, _days in due],
                created_at=now,
                sent_at__isnull=True,
                attempts=0,
            ).values_list("pk", flat=True)
        )
        enqueue_many_on_commit(_send_task(), [{"reminder_id": pk} for pk in ids])
    return ids


def renewal_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse(
        "certificates:renew", kwargs={"certificate_id": certificate.pk}
    )


def _days_left(certificate: Certificate) -> int:
    seconds = (certificate.valid_until - timezone.now()).total_seconds()
    return max(math.ceil(seconds / 86400), 0)


def render_reminder(reminder: CertificateReminder) -> tuple[str, str]:
    """(subject, plain-text body) in the holder's language."""
    certificate = reminder.certificate
    user = certificate.user
    language = user.language or certificate.holder_language or settings.LANGUAGE_CODE
    with translation.override(language):
        expires = date_format(timezone.localdate(certificate.valid_until), "DATE_FORMAT")
        subject = _("Your certificate expires on %(date)s: %(course)s") % {
            "date": expires,
            "course": certificate.course_title,
        }
        body = render_to_string(
            "certificates/email/expiry_reminder.txt",
            {
                "certificate": certificate,
                "user": user,
                "expires": expires,
                "days_left": _days_left(certificate),
                "renew_link": renewal_url(certificate),
            },
        )
    return mail_text(subject, body)


def _skip_reason(reminder: CertificateReminder) -> str:
    certificate = reminder.certificate
    user = certificate.user
    if not user.is_active or user.erased_at is not None:
        return "Not sent: the holder's account is inactive or erased."
    if certificate.status != Certificate.Status.ISSUED:
        return f"Not sent: the certificate is {certificate.status}."
    if Certificate.objects.filter(supersedes=certificate).exists():
        return "Not sent: a newer certificate replaces this one."
    return ""


def certificate_reminder_send(*, reminder_id: int) -> bool:
    """Send one reminder. The row is locked while sending, so two workers never both send
    it; one already sent (or skipped) is not sent again. A failure is recorded and left to
    the outbox to try again; returns whether the reminder is done with."""
    with transaction.atomic():
        reminder = (
            CertificateReminder.objects.select_for_update(of=("self",))
            .select_related("certificate__user")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None:
            return True
        if reminder.sent_at is not None:
            return True
        certificate = reminder.certificate
        details = {"reminder_id": reminder.pk, "days_before": reminder.days_before}

        def send() -> None:
            subject, body = render_reminder(reminder)
            send_automatic(subject=subject, body=body, to=certificate.user.email)

        outcome = delivery_attempt(
            reminder, skip=_skip_reason(reminder), send=send, what="Reminder"
        )
        if outcome == FAILED:
            return False
        action = "certificate.reminder_skip" if outcome == SKIPPED else "certificate.reminder_send"
        audit_log(action=action, target=certificate, details=details)
        return True


def certificate_reminder_reopen(*, reminder_id: int) -> None:
    """Staff sent the outbox row again: the reminder's tries start over."""
    CertificateReminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(
        attempts=0, last_error=""
    )
