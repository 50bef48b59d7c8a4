"""Messages about cohorts: a Notice per message (what was sent, or why not), written in the
transaction that caused it with its core outbox row; the worker sends it after commit and
the outbox's sweeper queues it again when a broker message is lost or a send fails."""

import secrets
from datetime import datetime, timedelta
from email.message import MIMEPart
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_log
from accounts.models import AuditEvent
from cohorts.calendar import CANCEL, REQUEST, calendar_for_seat, cohort_link, venue_line
from cohorts.models import Cohort, Notice, Seat, Session
from cohorts.templatetags.cohort_times import clock_differs, session_clock
from core.mail import FAILED, SKIPPED, delivery_attempt, mail_text
from core.outbox import enqueue_many_on_commit, enqueue_on_commit

Kind = Notice.Kind

SUBJECTS = {
    Kind.NOMINATED: _("Nominated for %(title)s"),
    Kind.CONFIRMED: _("Seat confirmed: %(title)s"),
    Kind.WAITLISTED: _("On the waiting list: %(title)s"),
    Kind.OFFERED: _("A seat is offered to you: %(title)s"),
    Kind.DECLINED: _("Nomination declined: %(title)s"),
    Kind.WITHDRAWN: _("Seat given up: %(title)s"),
    Kind.EXPIRED: _("Seat offer expired: %(title)s"),
    Kind.CHANGED: _("Changed: %(title)s"),
    Kind.CANCELLED: _("Cancelled: %(title)s"),
    Kind.REMINDER_7D: _("Starting within a week: %(title)s"),
    Kind.REMINDER_1D: _("Starting within a day: %(title)s"),
}

# Messages that put the sessions in the officer's calendar, and those that take them out.
REQUEST_KINDS = (Kind.CONFIRMED, Kind.CHANGED, Kind.REMINDER_7D, Kind.REMINDER_1D)
CANCEL_KINDS = (Kind.CANCELLED, Kind.WITHDRAWN, Kind.EXPIRED)

# A message still worth sending only while the seat is in one of these statuses: a
# confirmation for a seat given up since, or a reminder to someone no longer coming, is not.
STILL_TRUE = {
    Kind.CONFIRMED: (Seat.Status.APPROVED,),
    Kind.OFFERED: (Seat.Status.OFFERED,),
    Kind.CHANGED: Seat.HOLDING,
    Kind.REMINDER_7D: (Seat.Status.APPROVED,),
    Kind.REMINDER_1D: (Seat.Status.APPROVED,),
}

REMINDER_COHORT_STATUSES = (Cohort.Status.OPEN, Cohort.Status.FULL, Cohort.Status.RUNNING)


def notice_queue(*, seat: Seat, kind: str, key: str | None = None) -> Notice:
    """Write the outbox row and queue it on commit. The same key twice is one message."""
    key = key or f"{kind}:{seat.pk}:{secrets.token_hex(8)}"
    notice, created = Notice.objects.get_or_create(key=key, defaults={"seat": seat, "kind": kind})
    if created:
        enqueue_on_commit(_send_task(), notice_id=notice.pk)
    return notice


def _send_task():
    from cohorts.tasks import notice_send_task

    return notice_send_task


# --- Sending ----------------------------------------------------------------------------


def calendar_method(notice: Notice) -> str | None:
    """The calendar attached to this message: REQUEST (add or update the sessions) while the
    seat is confirmed, CANCEL (remove them) when someone who had a confirmed seat no longer
    holds it, otherwise none."""
    seat = notice.seat
    if notice.kind in REQUEST_KINDS:
        if seat.status == Seat.Status.APPROVED and seat.cohort.is_live:
            return REQUEST
        return None
    # Every seat that was ever confirmed had a confirmation queued: that is what put the
    # sessions in the officer's calendar, so that is what a cancellation must undo.
    if (
        notice.kind in CANCEL_KINDS
        and seat.status not in Seat.HOLDING
        and seat.notices.filter(kind=Kind.CONFIRMED).exists()
    ):
        return CANCEL
    return None


def _own_zone(seat: Seat) -> ZoneInfo | None:
    """The officer's own zone: their setting, else their agency's (as the site shows)."""
    name = seat.user.time_zone or (seat.agency.time_zone if seat.agency_id else "")
    return ZoneInfo(name) if name else None


def _instant(moment: datetime | None, *, venue: ZoneInfo, own: ZoneInfo | None) -> dict | None:
    if moment is None:
        return None
    venue_time = moment.astimezone(venue)
    own_time = moment.astimezone(own) if own else venue_time
    return {
        "venue": venue_time,
        "venue_zone": str(venue),
        "own": own_time,
        "own_zone": str(own) if own else str(venue),
        "differs": clock_differs(own_time, venue_time),
    }


def _session_lines(sessions: list[Session], *, venue: ZoneInfo, own: ZoneInfo | None):
    """Each session's times as the site shows them: venue time, and the officer's when it
    differs (the same facts as {% session_times %}, for a plain-text message)."""
    with timezone.override(own or venue):
        return [session_clock(session) for session in sessions]


def render_notice(notice: Notice) -> tuple[str, str, str | None]:
    """(subject, plain-text body, calendar method) in the officer's language."""
    seat = notice.seat
    cohort = seat.cohort
    user = seat.user
    own = _own_zone(seat)
    sessions = list(Session.objects.filter(cohort=cohort).order_by("starts_at", "pk"))
    method = calendar_method(notice)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "notice": notice,
            "seat": seat,
            "user": user,
            "cohort": cohort,
            "location": venue_line(cohort),
            "times": _session_lines(sessions, venue=cohort.tz, own=own),
            "link": cohort_link(cohort),
            "calendar_link": settings.SITE_URL + reverse("cohorts:calendar"),
            "attachment": method,
            "offer_expires": _instant(seat.offer_expires_at, venue=cohort.tz, own=own),
            "site_url": settings.SITE_URL,
        }
        subject = str(SUBJECTS[notice.kind] % {"title": cohort.title})
        body = render_to_string(f"cohorts/email/{notice.kind}.txt", context)
    subject, body = mail_text(subject, body)
    return subject, body, method


def _attachments(seat: Seat, method: str) -> list[MIMEPart]:
    """One .ics per session, each a text/calendar part with its METHOD parameter: iTIP
    (RFC 5546) wants one event per REQUEST or CANCEL, and mail clients such as Outlook take
    only the first event of a file. Bytes are kept as built (CRLF line ends, folded lines)
    by base64 transfer encoding."""
    parts = []
    sessions = list(Session.objects.filter(cohort_id=seat.cohort_id).order_by("starts_at", "pk"))
    for number, session in enumerate(sessions, start=1):
        part = MIMEPart()
        part.set_content(
            calendar_for_seat(seat=seat, method=method, sessions=[session]),
            maintype="text",
            subtype="calendar",
            cte="base64",
            disposition="attachment",
            filename=f"cohort-{seat.cohort_id}-session-{number}.ics",
            params={"method": method, "charset": "utf-8"},
        )
        parts.append(part)
    return parts


def _build_message(notice: Notice) -> tuple[EmailMessage, str | None]:
    subject, body, method = render_notice(notice)
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[notice.seat.user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    if method is not None:
        for part in _attachments(notice.seat, method):
            message.attach(part)
    return message, method


def _skip_reason(notice: Notice) -> str:
    seat = notice.seat
    user = seat.user
    if not user.is_active or user.erased_at is not None:
        return "Not sent: the recipient's account is inactive or erased."
    if notice.kind in STILL_TRUE and seat.status not in STILL_TRUE[notice.kind]:
        return "Not sent: the seat changed before the message went out."
    if notice.kind in (Kind.REMINDER_7D, Kind.REMINDER_1D) and not seat.cohort.is_live:
        return "Not sent: the cohort is closed or cancelled."
    return ""


def notice_send(*, notice_id: int) -> bool:
    """Send one message. The row is locked while sending, so two workers never both send it;
    a message already sent is not sent again. A failure is recorded (attempts, last_error)
    and left for the outbox to try again; returns whether the message is done with."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("seat__user", "seat__agency", "seat__cohort__course")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None:
            return False
        if notice.sent_at is not None:
            return True
        seat = notice.seat
        details = {"notice_id": notice.pk, "kind": notice.kind, "seat_id": seat.pk}
        built = {}

        def send() -> None:
            message, built["method"] = _build_message(notice)
            message.send()

        outcome = delivery_attempt(notice, skip=_skip_reason(notice), send=send, what="Notice")
        if outcome == SKIPPED:
            audit_log(
                action="cohort.notice_skip", target=notice, agency=seat.agency, details=details
            )
            return True
        if outcome == FAILED:
            audit_log(
                action="cohort.notice_send",
                target=notice,
                agency=seat.agency,
                outcome=AuditEvent.Outcome.FAILURE,
                details={
                    **details,
                    "error": notice.last_error.split(":", 1)[0],
                    "attempts": notice.attempts,
                },
            )
            return False
        audit_log(
            action="cohort.notice_send",
            target=notice,
            agency=seat.agency,
            details={**details, "calendar": built.get("method") or ""},
        )
        return True


def notice_reopen(*, notice_id: int) -> None:
    """Staff sent the outbox row again: the message's tries start over."""
    Notice.objects.filter(pk=notice_id, sent_at__isnull=True).update(attempts=0, last_error="")


# --- Reminders --------------------------------------------------------------------------


def reminders_queue(*, now: datetime | None = None) -> list[int]:
    """Queue the one-week and one-day reminders due for confirmed seats. Each is keyed by the
    seat and the first session's start, so it goes once per schedule (a cohort moved to new
    dates gets new reminders); inside the last day only the one-day reminder goes. A fixed
    number of queries, however many seats."""
    now = now or timezone.now()
    first_start = Subquery(
        Session.objects.filter(cohort=OuterRef("cohort_id"), is_cancelled=False)
        .order_by("starts_at", "pk")
        .values("starts_at")[:1]
    )
    due = (
        Seat.objects.filter(
            status=Seat.Status.APPROVED, cohort__status__in=REMINDER_COHORT_STATUSES
        )
        .annotate(first_start=first_start)
        .filter(first_start__gt=now, first_start__lte=now + timedelta(days=7))
        .values_list("pk", "first_start")
    )
    wanted = {}
    for seat_id, starts_at in due:
        kind = Kind.REMINDER_1D if starts_at - now <= timedelta(hours=24) else Kind.REMINDER_7D
        key = f"{kind}:{seat_id}:{starts_at.isoformat()}"
        wanted[key] = Notice(seat_id=seat_id, kind=kind, key=key)
    if not wanted:
        return []
    with transaction.atomic():
        existing = set(Notice.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
        new = [notice for key, notice in wanted.items() if key not in existing]
        if not new:
            return []
        # Another run at the same moment may write some of the same keys: the key is unique,
        # so theirs stand and ours are dropped.
        Notice.objects.bulk_create(new, ignore_conflicts=True)
        ids = list(
            Notice.objects.filter(
                key__in=[notice.key for notice in new], sent_at__isnull=True, attempts=0
            ).values_list("pk", flat=True)
        )
        enqueue_many_on_commit(_send_task(), [{"notice_id": pk} for pk in ids])
    return ids
