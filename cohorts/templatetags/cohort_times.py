"""Session times as people need them: the venue's wall-clock time always, and the viewer's
own time beside it when their zone shows a different clock.

Written in Python rather than as an included template: a cohort page or a roster shows one
per session, and the included template (two time zone blocks, three translated phrases, five
filters) took longer than the rest of a row.
"""

import zoneinfo

from django import template
from django.utils import dateformat, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.templatetags.machine_time import datetime_attr
from core.templatetags.when import when

register = template.Library()


def _phrase(msgid: str, **values) -> SafeString:
    """A translated phrase with its values escaped, as {% blocktranslate %} writes it."""
    text = gettext(msgid) % {name: escape(value) for name, value in values.items()}
    return mark_safe(text)  # noqa: S308 - the catalogue's own text, the values escaped


def _hours(value) -> str:
    return dateformat.format(value, "H:i")


def clock_differs(one, other) -> bool:
    """Whether two aware datetimes of one moment read differently: another wall-clock time or
    another offset from UTC (the same hour in two zones can still be two moments)."""
    return one.replace(tzinfo=None) != other.replace(tzinfo=None) or (
        one.utcoffset() != other.utcoffset()
    )


def session_clock(session) -> dict:
    """What {% session_times %} shows of a session, for a plain-text message too: its start
    and end at the venue and in the viewer's zone (the active one), and whether the viewer's
    clock reads differently."""
    venue_start, venue_end = session.local_start, session.local_end
    viewer_zone = timezone.get_current_timezone()
    viewer_start = session.starts_at.astimezone(viewer_zone)
    return {
        "session": session,
        "venue_start": venue_start,
        "venue_end": venue_end,
        "venue_zone": session.time_zone,
        "viewer_start": viewer_start,
        "viewer_end": session.ends_at.astimezone(viewer_zone),
        "viewer_zone": str(viewer_zone),
        "differs": clock_differs(viewer_start, venue_start),
    }


@register.simple_tag
def session_times(session) -> SafeString:
    """{% session_times session %}: date and hours at the venue, plus the viewer's when they
    differ (the viewer's zone is the one ViewerTimezoneMiddleware activated)."""
    clock = session_clock(session)
    venue = format_html(
        '<span class="venue-time"><time datetime="{}">{}</time>–<time datetime="{}">{}</time>'  # noqa: RUF001
        ' <span class="zone">{}</span></span>',
        datetime_attr(session.starts_at),
        when(clock["venue_start"], "day_time"),
        datetime_attr(session.ends_at),
        _hours(clock["venue_end"]),
        _phrase(
            "venue time (%(zone)s, %(abbr)s)",
            zone=session.time_zone,
            abbr=dateformat.format(clock["venue_start"], "T"),
        ),
    )
    viewer = ""
    if clock["differs"]:
        viewer = format_html(
            ' <span class="viewer-time">{}</span>',
            _phrase(
                "%(start)s–%(end)s your time (%(zone)s)",  # noqa: RUF001 - the catalogue's msgid
                start=when(clock["viewer_start"], "day_time_short"),
                end=_hours(clock["viewer_end"]),
                zone=clock["viewer_zone"],
            ),
        )
    cancelled = ""
    if session.is_cancelled:
        cancelled = format_html(" <strong>{}</strong>", gettext("Cancelled"))
    return format_html(
        '<span class="session-times{}">{}{}{}</span>',
        " cancelled" if session.is_cancelled else "",
        venue,
        viewer,
        cancelled,
    )


@register.simple_tag
def instant(value, zone: str) -> SafeString:
    """{% instant value zone %}: a moment (a deadline, an offer's end) in the venue's zone
    `zone`, plus the viewer's clock when it reads differently; nothing for no value."""
    if value is None:
        return SafeString("")
    venue = value.astimezone(zoneinfo.ZoneInfo(zone))
    viewer = timezone.localtime(value)
    viewer_time = ""
    if clock_differs(viewer, venue):
        viewer_time = format_html(
            '<span class="viewer-time">{}</span>',
            _phrase(
                "%(when)s your time (%(viewer_zone)s)",
                when=when(viewer, "day_time_short"),
                viewer_zone=timezone.get_current_timezone_name(),
            ),
        )
    return format_html(
        '<span class="instant"><time datetime="{}">{}</time> <span class="zone">{}</span>{}</span>',
        datetime_attr(value),
        when(venue, "day_time"),
        _phrase("venue time (%(zone)s, %(abbr)s)", zone=zone, abbr=dateformat.format(venue, "T")),
        viewer_time,
    )
