"""Rotating check-in codes for a session, and where an officer may check in now (who may
open the display or check in to a session: cohorts/access.py).

The trainer's screen shows a QR code and a six-digit code that change every 30 seconds. Both
are HMAC-SHA256 values keyed with the session's own secret (Session.checkin_secret, which
never leaves the server) over the session id and the 30-second window number, so a code is
good for one session and one window only. A code is accepted during its own window and the
next one (at most about a minute old, so a slow phone still gets through); an older one, such
as a screenshot passed around, has expired. Check-in is open from an hour before a session
starts until it ends.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Seat, Session

WINDOW_SECONDS = 30
# Windows before the current one whose code is still accepted.
GRACE_WINDOWS = 1
# How far back a typed code is recognised as expired (rather than wrong): five minutes.
RECOGNISED_WINDOWS = 10
OPENS_BEFORE_START = timedelta(minutes=60)
CODE_DIGITS = 6


class Verdict(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"
    CLOSED = "closed"


MESSAGES = {
    Verdict.EXPIRED: lambda: _("This code has expired; scan the code on the screen again."),
    Verdict.INVALID: lambda: _("This code is not valid for this session."),
    Verdict.CLOSED: lambda: _(
        "Check-in for this session is not open: it opens an hour before the session starts "
        "and closes when it ends."
    ),
}


def verdict_message(verdict: Verdict) -> str:
    return MESSAGES[verdict]()


def window_at(now: datetime | None = None) -> int:
    """The number of the 30-second window `now` falls in (floor(unix time / 30))."""
    now = now or timezone.now()
    return int(now.timestamp()) // WINDOW_SECONDS


def seconds_left(now: datetime | None = None) -> int:
    """Seconds until the current window ends (1 to 30)."""
    now = now or timezone.now()
    return WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS


def _digest(session: Session, message: str) -> bytes:
    if not session.checkin_secret:
        raise ValueError("session without a check-in secret")
    return hmac.new(session.checkin_secret.encode(), message.encode(), hashlib.sha256).digest()


def qr_token(session: Session, window: int) -> str:
    """The token in the QR code's URL for this window: 22 URL-safe characters (128 bits)."""
    digest = _digest(session, f"qr:{session.pk}:{window}")
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def fallback_code(session: Session, window: int) -> str:
    """The six-digit code shown under the QR code for this window."""
    digest = _digest(session, f"code:{session.pk}:{window}")
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def is_open(session: Session, now: datetime | None = None) -> bool:
    """Officers may check in from an hour before the start until the end."""
    now = now or timezone.now()
    if session.is_cancelled:
        return False
    return session.starts_at - OPENS_BEFORE_START <= now <= session.ends_at


def check_token(session: Session, window: int, token: str, now: datetime | None = None) -> Verdict:
    """Whether a QR token may check someone in to this session now."""
    now = now or timezone.now()
    current = window_at(now)
    if not isinstance(token, str) or window > current:
        return Verdict.INVALID
    if not hmac.compare_digest(qr_token(session, window).encode(), token.encode()):
        return Verdict.INVALID
    if window < current - GRACE_WINDOWS:
        return Verdict.EXPIRED
    if not is_open(session, now):
        return Verdict.CLOSED
    return Verdict.VALID


def check_code(session: Session, code: str, now: datetime | None = None) -> Verdict:
    """Whether a typed six-digit code may check someone in to this session now. Every window
    is compared (no early exit), in constant time."""
    now = now or timezone.now()
    current = window_at(now)
    code = (code or "").strip()
    verdict = Verdict.INVALID
    for age in range(RECOGNISED_WINDOWS, -1, -1):
        if hmac.compare_digest(fallback_code(session, current - age).encode(), code.encode()):
            verdict = Verdict.VALID if age <= GRACE_WINDOWS else Verdict.EXPIRED
    if verdict == Verdict.VALID and not is_open(session, now):
        return Verdict.CLOSED
    return verdict


@dataclass(frozen=True)
class Display:
    """What the projector shows at one moment."""

    window: int
    token: str
    code: str
    expires_in: int
    open: bool


def display_now(session: Session, now: datetime | None = None) -> Display:
    now = now or timezone.now()
    window = window_at(now)
    return Display(
        window=window,
        token=qr_token(session, window),
        code=fallback_code(session, window),
        expires_in=seconds_left(now),
        open=is_open(session, now),
    )


# --- The projector's display token ------------------------------------------------------
#
# The projector in the room polls for the next code for as long as the session runs, often
# longer than a trainer's idle timeout. So the display does not ride on the trainer's login:
# the trainer (signed in, running the cohort) opens it once and gets a token that shows this
# one session's codes, and nothing else, until the session ends. Its requests do not keep the
# trainer's session alive.


def display_mac(session: Session, until: int) -> str:
    digest = _digest(session, f"display:{session.pk}:{until}")
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def display_token(session: Session) -> str:
    """A token for the projector of this session, good until the session ends."""
    until = int(session.ends_at.timestamp())
    return f"{until}.{display_mac(session, until)}"


# --- Where an officer may check in --------------------------------------------------------------------


def sessions_open_for(*, user, now: datetime | None = None) -> list[tuple[Session, Seat]]:
    """Sessions open for check-in now in cohorts where the officer holds a confirmed seat,
    each with that seat: two queries."""
    now = now or timezone.now()
    seats = {
        seat.cohort_id: seat
        for seat in Seat.objects.filter(user_id=user.pk, status=Seat.Status.APPROVED)
    }
    if not seats:
        return []
    sessions = Session.objects.filter(
        cohort_id__in=list(seats),
        is_cancelled=False,
        starts_at__lte=now + OPENS_BEFORE_START,
        ends_at__gte=now,
    ).select_related("cohort")
    return [(session, seats[session.cohort_id]) for session in sessions]
