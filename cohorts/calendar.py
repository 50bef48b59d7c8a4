"""Cohort calendars (RFC 5545): the .ics attached to messages, the download of one cohort,
and a person's private feed.

Every session is one VEVENT whose UID never changes (Session.calendar_uid) and whose
SEQUENCE rises with every change, so a calendar replaces the event it already holds instead
of adding a second one. Times are written in the venue's zone (TZID) with a VTIMEZONE that
carries that zone's daylight-saving rules, so the event stays at the venue's wall-clock time
wherever the calendar is read. A session called off, a cancelled cohort, or a seat no longer
held makes the event CANCELLED, and the calendar drops it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import CalendarFeed, Cohort, Seat, Session, hash_feed_token

PRODID = "-//Crypto Crime Training//Cohorts//EN"

CONFIRMED = "CONFIRMED"
TENTATIVE = "TENTATIVE"
CANCELLED = "CANCELLED"

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


@dataclass(frozen=True)
class Entry:
    """One session as it goes into a calendar, with the status it has for this reader."""

    session: Session
    cohort: Cohort
    status: str


def cohort_link(cohort: Cohort) -> str:
    """The cohort page's full address (reversed at call time)."""
    return settings.SITE_URL + cohort.get_absolute_url()


def seat_status(seat: Seat) -> str:
    """What a seat makes of its cohort's events: confirmed when the seat is approved,
    tentative while it is only offered or pending, cancelled otherwise."""
    if seat.cohort.status == Cohort.Status.CANCELLED:
        return CANCELLED
    if seat.status == Seat.Status.APPROVED:
        return CONFIRMED
    if seat.status in (Seat.Status.OFFERED, Seat.Status.NOMINATED, Seat.Status.WAITLISTED):
        return TENTATIVE
    return CANCELLED


def session_entries(
    *, cohort: Cohort, sessions: Iterable[Session], status: str = CONFIRMED
) -> list[Entry]:
    """Entries for a cohort's sessions; a cancelled session or cohort is always CANCELLED."""
    cohort_cancelled = cohort.status == Cohort.Status.CANCELLED
    return [
        Entry(
            session=session,
            cohort=cohort,
            status=CANCELLED if session.is_cancelled or cohort_cancelled else status,
        )
        for session in sessions
    ]


def venue_line(cohort: Cohort) -> str:
    """Venue, address and city on one line."""
    address = ", ".join(line.strip() for line in cohort.venue_address.splitlines() if line.strip())
    return ", ".join(part for part in (cohort.venue_name, address, cohort.city) if part)


def _summary(entry: Entry) -> str:
    if entry.session.title:
        return f"{entry.cohort.title}: {entry.session.title}"
    return entry.cohort.title


# icalendar is imported by the first calendar built, not by every web worker's start (each
# gunicorn worker starts again every 1,000 requests; tests/core/test_lazy_imports.py).


def _organizer():
    from icalendar import vCalAddress

    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = _("Crypto Crime Training")
    return organizer


def _attendee(user, method: str):
    from icalendar import vCalAddress

    attendee = vCalAddress(f"mailto:{user.email}")
    if user.full_name:
        attendee.params["cn"] = user.full_name
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["cutype"] = "INDIVIDUAL"
    attendee.params["rsvp"] = "FALSE"
    if method == REQUEST:
        # The seat is decided on the site; the calendar need not ask for a reply.
        attendee.params["partstat"] = "ACCEPTED"
    return attendee


def _event(entry: Entry, *, stamp, method: str | None, attendee_user):
    from icalendar import Event

    session, cohort = entry.session, entry.cohort
    link = cohort_link(cohort)
    event = Event()
    event.add("uid", session.calendar_uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", stamp)
    # Aware datetimes in the venue's zone: written as DTSTART;TZID=<venue zone>.
    event.add("dtstart", session.local_start)
    event.add("dtend", session.local_end)
    event.add("summary", _summary(entry))
    event.add("location", venue_line(cohort))
    event.add(
        "description",
        "\n".join(
            [
                cohort.course.title,
                _("Cohort page: %(url)s") % {"url": link},
            ]
        ),
    )
    event.add("url", link)
    event.add("status", CANCELLED if method == CANCEL else entry.status)
    event.add("transp", "TRANSPARENT" if entry.status == CANCELLED else "OPAQUE")
    event.add("organizer", _organizer())
    if method in (REQUEST, CANCEL) and attendee_user is not None:
        event.add("attendee", _attendee(attendee_user, method))
    return event


def build_calendar(
    entries: list[Entry],
    *,
    method: str | None = None,
    attendee=None,
    name: str | None = None,
) -> bytes:
    """A VCALENDAR with one VEVENT per entry and a VTIMEZONE for each zone used. METHOD
    (REQUEST, CANCEL, PUBLISH) is for messages and downloads; a subscribed feed has none.
    ATTENDEE goes with REQUEST and CANCEL only."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(UTC)
    for entry in entries:
        calendar.add_component(_event(entry, stamp=stamp, method=method, attendee_user=attendee))
    if entries:
        # The zone's rules from a year before the first session to a year after the last:
        # every offset change around the sessions is there, without decades of history.
        days = [entry.session.date for entry in entries]
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=366),
            last_date=max(days) + timedelta(days=366),
        )
    return calendar.to_ical()


def calendar_for_seat(*, seat: Seat, method: str = REQUEST, sessions=None) -> bytes:
    """The calendar sent to one officer about their seat: METHOD:REQUEST adds or updates the
    cohort's sessions, METHOD:CANCEL removes them."""
    cohort = seat.cohort
    if sessions is None:
        sessions = Session.objects.filter(cohort=cohort).order_by("starts_at", "pk")
    status = CANCELLED if method == CANCEL else seat_status(seat)
    entries = session_entries(cohort=cohort, sessions=sessions, status=status)
    return build_calendar(entries, method=method, attendee=seat.user)


def calendar_for_cohort(*, cohort: Cohort, sessions=None) -> bytes:
    """A cohort's sessions for those who run it: METHOD:PUBLISH, as they are not invited
    (an iTIP REQUEST needs an attendee)."""
    if sessions is None:
        sessions = Session.objects.filter(cohort=cohort).order_by("starts_at", "pk")
    entries = session_entries(cohort=cohort, sessions=sessions)
    return build_calendar(entries, method=PUBLISH)


def calendar_feed(*, seats: Iterable[Seat]) -> bytes:
    """A person's private feed: the sessions of every cohort they hold (or held) a seat in.
    `seats` comes from selectors.calendar_seats, with the cohort's sessions prefetched."""
    entries: list[Entry] = []
    for seat in seats:
        entries += session_entries(
            cohort=seat.cohort, sessions=seat.cohort.sessions.all(), status=seat_status(seat)
        )
    entries.sort(key=lambda entry: (entry.session.starts_at, entry.session.pk))
    return build_calendar(entries, name=_("Crypto Crime Training: cohorts"))


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed this token opens (its owner active and not erased), or None."""
    if not token or len(token) > 200:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(
            token_hash=hash_feed_token(token),
            user__is_active=True,
            user__erased_at__isnull=True,
        )
        .first()
    )


def feed_of(*, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()
