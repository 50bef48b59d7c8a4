"""Attendance: the trainer's mark, officers checking themselves in (QR code or typed code)
and the printable sign-in sheet (attendance from a CSV file: cohorts.imports).

Every mark goes through attendance_mark, which is idempotent and audited, so
sending the same thing twice (a phone retrying, a file uploaded again) changes nothing.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from math import ceil

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import audit_log
from accounts.models import AuditEvent, User
from cohorts.checkin import Verdict, check_code, check_token, sessions_open_for, verdict_message
from cohorts.models import Attendance, Seat, Session, SignInSheet
from cohorts.selectors.cohorts import cohort_seats
from cohorts.services.completion import seat_evaluate_completion
from cohorts.signals import attendance_marked
from core.audit import AuditContext
from core.outbox import enqueue_on_commit
from core.pdf import render_pdf

Status = Attendance.Status
Source = Attendance.Source
NOTE_MAX_LENGTH = 300


# --- The mark ---------------------------------------------------------------------------


@transaction.atomic
def attendance_mark(
    *,
    session: Session,
    seat: Seat,
    status: str,
    actor: User,
    note: str = "",
    source: str = Attendance.Source.ROSTER,
    context: AuditContext | None = None,
) -> tuple[Attendance, bool]:
    """Record one officer's attendance at one session. Sending the same mark again changes
    nothing and writes nothing (a phone on a weak connection may resend); returns
    (attendance, changed)."""
    if seat.cohort_id != session.cohort_id:
        raise ValidationError(_("This officer is not in this cohort."))
    if seat.status not in Seat.HOLDING:
        raise ValidationError(_("Only officers holding a seat can be marked."))
    if session.is_cancelled:
        raise ValidationError(_("This session has been cancelled."))
    if status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance status."))
    note = note.strip()[:300]
    # Lock the seat: two phones marking the same officer at once take turns.
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    attendance = Attendance.objects.filter(session=session, seat=seat).first()
    if attendance is not None and attendance.status == status and attendance.note == note:
        return attendance, False
    old = None
    if attendance is None:
        attendance = Attendance(session=session, seat=seat)
    else:
        old = attendance.status
    attendance.status, attendance.note, attendance.source = status, note, source
    attendance.marked_by, attendance.marked_at = actor, timezone.now()
    attendance.save()
    audit_log(
        action="cohort.attendance_mark",
        actor=actor,
        target=attendance,
        agency=seat.agency,
        details={
            "session_id": session.pk,
            "seat_id": seat.pk,
            "status": status,
            "previous": old,
            "source": source,
        },
        context=context,
    )
    attendance_marked.send(sender=Attendance, attendance=attendance, seat=seat)
    seat_evaluate_completion(seat=seat, context=context)
    return attendance, True


def attendance_import_record(
    *, session: Session, actor: User, rows: int, changed: int, context: AuditContext | None = None
) -> None:
    """The audit row of a CSV import that changed marks, written in the import's own
    transaction after its rows (each mark has its own row too)."""
    audit_log(
        action="cohort.attendance_import",
        actor=actor,
        target=session,
        agency=session.cohort.host_agency,
        details={
            "cohort_id": session.cohort_id,
            "session_id": session.pk,
            "rows": rows,
            "changed": changed,
        },
        context=context,
    )


# --- Self check-in ------------------------------------------------------------------------


class Outcome(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    EXCUSED = "excused"


@dataclass(frozen=True)
class CheckIn:
    outcome: Outcome
    session: Session
    attendance: Attendance


def _check_in(
    *, session: Session, seat: Seat, user: User, source: str, context: AuditContext | None
) -> CheckIn:
    """Mark the officer present unless they already are (or late): no second write. A
    trainer's 'absent' gives way to the officer being in the room; 'excused' stays."""
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    existing = Attendance.objects.filter(session=session, seat=seat).first()
    if existing is not None and existing.status in Attendance.ATTENDED:
        return CheckIn(Outcome.ALREADY, session, existing)
    if existing is not None and existing.status == Status.EXCUSED:
        return CheckIn(Outcome.EXCUSED, session, existing)
    attendance, _changed = attendance_mark(
        session=session,
        seat=seat,
        status=Status.PRESENT,
        actor=user,
        note=existing.note if existing is not None else "",
        source=source,
        context=context,
    )
    return CheckIn(Outcome.CHECKED_IN, session, attendance)


def _approved_seat(*, session: Session, user: User) -> Seat:
    seat = Seat.objects.filter(
        cohort_id=session.cohort_id, user_id=user.pk, status=Seat.Status.APPROVED
    ).first()
    if seat is None:
        raise ValidationError(_("You have no seat in this cohort."), code="no_seat")
    return seat


@transaction.atomic
def attendance_check_in(
    *, session: Session, user: User, window: int, token: str, context: AuditContext | None = None
) -> CheckIn:
    """An officer scanned the QR code on the trainer's screen. Refused (ValidationError, its
    code the verdict) when the token is not this session's, has expired, or check-in is
    closed."""
    verdict = check_token(session, window, token)
    if verdict != Verdict.VALID:
        raise ValidationError(verdict_message(verdict), code=verdict.value)
    seat = _approved_seat(session=session, user=user)
    return _check_in(session=session, seat=seat, user=user, source=Source.QR, context=context)


# Wrong or expired typed codes allowed per officer in each fixed ten-minute period.
CODE_FAILURES_ALLOWED = 10
CODE_FAILURE_SECONDS = 10 * 60


def _failures_key(user: User, now: datetime) -> str:
    period = int(now.timestamp()) // CODE_FAILURE_SECONDS
    return f"cohorts:checkin-code-failures:{user.pk}:{period}"


def code_attempts_left(*, user: User, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return max(CODE_FAILURES_ALLOWED - (cache.get(_failures_key(user, now)) or 0), 0)


def _count_failure(user: User, now: datetime, context: AuditContext | None) -> int:
    """One more failure in this period (an atomic increment in the shared cache)."""
    key = _failures_key(user, now)
    cache.add(key, 0, timeout=CODE_FAILURE_SECONDS + 60)
    try:
        failures = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=CODE_FAILURE_SECONDS + 60)
        failures = 1
    if failures == CODE_FAILURES_ALLOWED:
        audit_log(
            action="cohort.checkin_code_locked",
            actor=user,
            target=user,
            outcome=AuditEvent.Outcome.FAILURE,
            details={"failures": failures, "seconds": CODE_FAILURE_SECONDS},
            context=context,
        )
    return failures


def _too_many(now: datetime) -> ValidationError:
    seconds = CODE_FAILURE_SECONDS - int(now.timestamp()) % CODE_FAILURE_SECONDS
    minutes = max(1, ceil(seconds / 60))
    return ValidationError(
        ngettext(
            "Too many wrong codes. Try again in %(minutes)s minute, or ask the trainer to mark "
            "you present.",
            "Too many wrong codes. Try again in %(minutes)s minutes, or ask the trainer to mark "
            "you present.",
            minutes,
        )
        % {"minutes": minutes},
        code="rate_limited",
    )


def attendance_check_in_code(
    *, user: User, code: str, context: AuditContext | None = None
) -> CheckIn:
    """An officer typed the six-digit code from the trainer's screen. The code is compared
    with the current and previous codes of every session open for check-in in the cohorts
    where they hold a confirmed seat. Wrong or expired codes count towards a limit of
    CODE_FAILURES_ALLOWED in each period of CODE_FAILURE_SECONDS."""
    now = timezone.now()
    if code_attempts_left(user=user, now=now) <= 0:
        raise _too_many(now)
    candidates = sessions_open_for(user=user, now=now)
    if not candidates:
        raise ValidationError(
            _("You have no session open for check-in right now."), code="none_open"
        )
    expired = False
    for session, seat in candidates:
        verdict = check_code(session, code, now)
        if verdict == Verdict.VALID:
            with transaction.atomic():
                return _check_in(
                    session=session, seat=seat, user=user, source=Source.CODE, context=context
                )
        expired = expired or verdict == Verdict.EXPIRED
    failures = _count_failure(user, now, context)
    if failures >= CODE_FAILURES_ALLOWED:
        raise _too_many(now)
    if expired:
        raise ValidationError(verdict_message(Verdict.EXPIRED), code=Verdict.EXPIRED.value)
    raise ValidationError(
        _("This code is not right. Type the six digits shown under the QR code."),
        code=Verdict.INVALID.value,
    )


# --- Sign-in sheet ------------------------------------------------------------------------


def sign_in_roster(*, session: Session) -> list[Seat]:
    """The officers holding a confirmed seat, as printed on the sheet (by name)."""
    return list(cohort_seats(cohort=session.cohort, statuses=[Seat.Status.APPROVED]))


def roster_hash(*, session: Session, seats: list[Seat]) -> str:
    """What the sheet is printed from: the session's facts and each officer's id, name and
    agency. Any change makes a rendered sheet out of date."""
    cohort = session.cohort
    facts = {
        "session": [
            session.pk,
            session.title,
            session.starts_at.isoformat(),
            session.ends_at.isoformat(),
            session.time_zone,
            session.is_cancelled,
        ],
        "cohort": [cohort.title, cohort.venue_name, cohort.venue_address, cohort.city],
        "seats": [[seat.pk, seat.user_id, seat.user.full_name, seat.agency.name] for seat in seats],
    }
    return hashlib.sha256(
        json.dumps(facts, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


class SheetState(StrEnum):
    NONE = "none"
    PENDING = "pending"
    READY = "ready"
    OUTDATED = "outdated"


# A request still unanswered after this long may be sent again (a lost broker message).
SHEET_RETRY_AFTER = timedelta(minutes=2)


def sign_in_sheet_state(*, session: Session) -> dict:
    """The sheet (or None), whether it matches the roster as it is now, and whether a
    rendering has been asked for it."""
    sheet = SignInSheet.objects.filter(session=session).first()
    seats = sign_in_roster(session=session)
    digest = roster_hash(session=session, seats=seats)
    if sheet is None:
        state = SheetState.NONE
    elif sheet.pdf and sheet.rendered_hash == digest:
        state = SheetState.READY
    elif sheet.roster_hash == digest:
        state = SheetState.PENDING
    else:
        state = SheetState.OUTDATED
    stalled = (
        state == SheetState.PENDING and sheet.requested_at < timezone.now() - SHEET_RETRY_AFTER
    )
    return {"sheet": sheet, "state": state, "officers": len(seats), "stalled": stalled}


@transaction.atomic
def sign_in_sheet_request(
    *, session: Session, actor: User, context: AuditContext | None = None
) -> SignInSheet:
    """Ask the worker for a sign-in sheet of the roster as it is now. Nothing happens when
    the sheet is already current, or was asked for this roster a moment ago."""
    from cohorts.tasks import sign_in_sheet_task

    session = Session.objects.select_related("cohort__host_agency").get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError(_("This session has been cancelled."))
    now = timezone.now()
    sheet, created = SignInSheet.objects.get_or_create(
        session=session, defaults={"requested_at": now}
    )
    sheet = SignInSheet.objects.select_for_update().get(pk=sheet.pk)
    seats = sign_in_roster(session=session)
    digest = roster_hash(session=session, seats=seats)
    if sheet.pdf and sheet.rendered_hash == digest:
        return sheet
    recently = sheet.roster_hash == digest and sheet.requested_at > now - SHEET_RETRY_AFTER
    if recently and not created:
        return sheet
    sheet.roster_hash = digest
    sheet.requested_at = now
    sheet.save(update_fields=["roster_hash", "requested_at"])
    audit_log(
        action="cohort.sign_in_sheet_request",
        actor=actor,
        target=sheet,
        agency=session.cohort.host_agency,
        details={"cohort_id": session.cohort_id, "session_id": session.pk, "officers": len(seats)},
        context=context,
    )
    enqueue_on_commit(sign_in_sheet_task, session_id=session.pk)
    return sheet


def sign_in_sheet_render(*, session_id: int) -> SignInSheet:
    """Render the sheet for the roster as it is now (WeasyPrint): A4, one row per officer
    with a box to sign. A second run for the same roster changes nothing."""
    with transaction.atomic():
        SignInSheet.objects.get_or_create(session_id=session_id)
        sheet = (
            SignInSheet.objects.select_for_update(of=("self",))
            .select_related("session__cohort__host_agency", "session__cohort__course")
            .get(session_id=session_id)
        )
        session = sheet.session
        seats = sign_in_roster(session=session)
        digest = roster_hash(session=session, seats=seats)
        if sheet.pdf and sheet.rendered_hash == digest:
            return sheet
        cohort = session.cohort
        pdf = render_pdf(
            "cohorts/attendance/sign_in_sheet_pdf.html",
            {
                "session": session,
                "cohort": cohort,
                "seats": seats,
                "generated": timezone.now(),
            },
            language=cohort.language,
        )
        if sheet.pdf:
            sheet.pdf.storage.delete(sheet.pdf.name)
        sheet.pdf.save(f"sign-in-sheet-{session.pk}.pdf", ContentFile(pdf), save=False)
        sheet.roster_hash = sheet.rendered_hash = digest
        sheet.rendered_at = timezone.now()
        sheet.save(update_fields=["pdf", "roster_hash", "rendered_hash", "rendered_at"])
        audit_log(
            action="cohort.sign_in_sheet",
            target=sheet,
            agency=cohort.host_agency,
            details={
                "cohort_id": cohort.pk,
                "session_id": session.pk,
                "officers": len(seats),
                "bytes": len(pdf),
            },
        )
    return sheet
