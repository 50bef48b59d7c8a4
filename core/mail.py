"""Plain-text mail built from templates, and one try at a tracked email, for every app."""

import logging
import re
from collections.abc import Callable

from django.core.mail import EmailMessage
from django.utils import timezone

logger = logging.getLogger(__name__)


def mail_text(subject: str, body: str) -> tuple[str, str]:
    """The subject on one line, and the body without the runs of blank lines that a
    template's optional parts leave behind, ending in one newline."""
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    return " ".join(subject.split()), body


# What one try at a tracked email came to (delivery_attempt).
SENT, SKIPPED, FAILED = "sent", "skipped", "failed"


def delivery_attempt(row, *, skip: str, send: Callable[[], None], what: str) -> str:
    """One try at the email a row stands for (a cohort notice, an expiry reminder, a monthly
    summary: a row with sent_at, attempts and last_error, locked by the caller). SKIPPED when
    `skip` says why it is not sent (recorded as done); SENT; or FAILED, with the error
    recorded and the row left for the outbox sweeper to try again. The caller writes the
    audit row for the outcome."""
    if skip:
        row.sent_at = timezone.now()
        row.last_error = skip
        row.save(update_fields=["sent_at", "last_error"])
        return SKIPPED
    row.attempts += 1
    try:
        send()
    except Exception as exc:
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        row.save(update_fields=["attempts", "last_error"])
        logger.warning("%s %s not sent (%s); left for the sweeper", what, row.pk, exc)
        return FAILED
    row.sent_at = timezone.now()
    row.last_error = ""
    row.save(update_fields=["attempts", "sent_at", "last_error"])
    return SENT


def send_automatic(*, subject: str, body: str, to: str) -> None:
    """A plain-text email the site sends on its own (reminders, summaries), marked so that
    mail servers do not answer it with an out-of-office reply."""
    EmailMessage(
        subject=subject, body=body, to=[to], headers={"Auto-Submitted": "auto-generated"}
    ).send()
