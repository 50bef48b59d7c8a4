"""{% session_times %} and {% instant %}: the venue's clock, and the viewer's beside it only
when it reads differently."""

from datetime import UTC, date, datetime, time

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def render(markup: str, **context) -> str:
    return Template("{% load cohort_times %}" + markup).render(Context(context))


def test_a_session_shows_the_venue_clock_and_the_viewers_in_their_language():
    session = SessionFactory(
        cohort__time_zone="Asia/Seoul", date=date(2026, 12, 19), end_time=time(16, 30)
    )
    with translation.override("ko"), timezone.override("Asia/Bangkok"):
        html = render("{% session_times session %}", session=session)
    assert html.startswith('<span class="session-times"><span class="venue-time">')
    assert '<time datetime="2026-12-19T00:00:00+00:00">2026년 12월 19일 (토) 09:00</time>' in html
    assert '<time datetime="2026-12-19T07:30:00+00:00">16:30</time>' in html
    assert "(Asia/Seoul, KST)" in html
    assert '<span class="viewer-time">12월 19일 (토) 07:00–14:30' in html  # noqa: RUF001
    assert "(Asia/Bangkok)" in html
    with timezone.override("Asia/Seoul"):
        assert "viewer-time" not in render("{% session_times session %}", session=session)


def test_a_cancelled_session_says_so():
    session = SessionFactory(is_cancelled=True)
    html = render("{% session_times session %}", session=session)
    assert html.startswith('<span class="session-times cancelled">')
    assert html.endswith(" <strong>Cancelled</strong></span>")


def test_an_instant_whose_clock_reads_the_same_shows_it_once():
    """01:00 UTC on 25 October 2026 is when London leaves summer time: its clock then reads
    01:00 (GMT), as UTC's does, so no second time is shown."""
    at = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    with timezone.override("Europe/London"):
        html = render("{% instant at zone %}", at=at, zone="UTC")
    assert "viewer-time" not in html and "01:00" in html
    with timezone.override("Europe/Chisinau"):
        html = render("{% instant at zone %}", at=at, zone="UTC")
    assert '<span class="viewer-time">Sun 25 Oct, 03:00 your time (Europe/Chisinau)</span>' in html


def test_no_instant_shows_nothing():
    assert render("{% instant at zone %}", at=None, zone="UTC") == ""
