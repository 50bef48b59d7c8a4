"""Cohort calendars: RFC 5545 files that read back to the same instants (across a
daylight-saving change too), stable UIDs with rising SEQUENCE, the private feed and the
cohort download."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from accounts.models import AuditEvent
from cohorts.calendar import CANCEL, calendar_feed, calendar_for_seat
from cohorts.models import CalendarFeed, Seat, Session, hash_feed_token
from cohorts.selectors.cohorts import calendar_seats
from cohorts.services.schedule import cohort_set_status, session_cancel, session_save
from cohorts.services.seats import seat_withdraw
from tests.factories import AgencyFactory, MembershipFactory, admin_of, build_cohort, seated

pytestmark = pytest.mark.django_db

CHISINAU = "Europe/Chisinau"


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def events(body: bytes) -> dict[str, object]:
    return {str(event["UID"]): event for event in parse(body).walk("VEVENT")}


def assert_wire_format(body: bytes) -> None:
    """CRLF line ends only, and lines folded at 75 octets."""
    lines = body.split(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    assert lines[0] == b"BEGIN:VCALENDAR"


def _chisinau_cohort():
    host = AgencyFactory(country="MD", time_zone=CHISINAU)
    return build_cohort(host=host, time_zone=CHISINAU, days=0, city="Chisinau")


def _add_session(cohort, day: date, start: time, end: time) -> Session:
    return session_save(
        cohort=cohort, actor=cohort.trainers.first(), day=day, start_time=start, end_time=end
    )


def test_bangkok_ics_reads_back_to_the_same_utc_instants():
    cohort = build_cohort(title="Tracing stolen funds, Bangkok")
    seat = seated(cohort)
    body = calendar_for_seat(seat=seat)

    assert_wire_format(body)
    calendar = parse(body)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["PRODID"]).startswith("-//")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Bangkok"]
    found = events(body)
    sessions = list(cohort.sessions.order_by("starts_at"))
    assert len(found) == len(sessions) == 2
    for session in sessions:
        event = found[session.calendar_uid]
        assert event["DTSTART"].params["TZID"] == "Asia/Bangkok"
        assert event.start == session.starts_at  # the same instant
        assert event.end == session.ends_at
        assert event.start.astimezone(UTC) == session.starts_at.astimezone(UTC)
        assert (event.start.hour, event.start.minute) == (9, 0)  # venue wall-clock time
        assert int(event["SEQUENCE"]) == session.sequence
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["SUMMARY"]) == cohort.title
        assert "Training Centre" in str(event["LOCATION"])
        assert str(event["URL"]).endswith(reverse("cohorts:detail", args=[cohort.pk]))
        assert str(event["ATTENDEE"]) == f"mailto:{seat.user.email}"
        assert str(event["ORGANIZER"]).startswith("mailto:")
        assert event["DTSTAMP"].dt.tzinfo is not None


def test_uid_is_stable_and_sequence_rises_when_a_session_changes():
    cohort = build_cohort()
    seat = seated(cohort)
    session = cohort.sessions.order_by("starts_at").first()
    first, second = events(calendar_for_seat(seat=seat)), events(calendar_for_seat(seat=seat))
    assert set(first) == set(second) == {s.calendar_uid for s in cohort.sessions.all()}
    before = int(first[session.calendar_uid]["SEQUENCE"])

    session_save(
        cohort=cohort,
        actor=cohort.trainers.first(),
        session=session,
        day=session.date,
        start_time=time(10, 0),
        end_time=time(16, 0),
    )

    after = events(calendar_for_seat(seat=seat))
    assert set(after) == set(first)  # replaced in place, not added beside
    event = after[session.calendar_uid]
    assert int(event["SEQUENCE"]) == before + 1
    assert (event.start.hour, event.end.hour) == (10, 16)


def test_sessions_either_side_of_the_october_dst_change_stay_at_nine_local():
    cohort = _chisinau_cohort()
    saturday = _add_session(cohort, date(2026, 10, 24), time(9), time(17))
    monday = _add_session(cohort, date(2026, 10, 26), time(9), time(17))

    assert saturday.starts_at == datetime(2026, 10, 24, 6, 0, tzinfo=UTC)  # EEST, UTC+3
    assert monday.starts_at == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)  # EET, UTC+2
    assert saturday.local_start.hour == monday.local_start.hour == 9

    seat = seated(cohort)
    body = calendar_for_seat(seat=seat)
    assert_wire_format(body)
    found = events(body)
    for session in (saturday, monday):
        event = found[session.calendar_uid]
        assert event["DTSTART"].params["TZID"] == CHISINAU
        assert (event.start.hour, event.start.minute) == (9, 0)
        assert event.start.astimezone(UTC) == session.starts_at
        assert event.end.astimezone(UTC) == session.ends_at

    # The VTIMEZONE carries the zone's own rules: read through it alone (not the system's
    # zone database), 09:00 is UTC+3 before the change and UTC+2 after it.
    (vtimezone,) = parse(body).walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == CHISINAU
    offsets = {part["TZOFFSETTO"].td for part in vtimezone.walk("STANDARD")}
    assert timedelta(hours=2) in offsets
    assert vtimezone.walk("DAYLIGHT")
    from_vtimezone = vtimezone.to_tz()
    for session in (saturday, monday):
        wall = datetime.combine(session.date, time(9), tzinfo=from_vtimezone)
        assert wall.astimezone(UTC) == session.starts_at


def test_session_across_the_change_night_lasts_its_elapsed_time():
    cohort = _chisinau_cohort()
    # 00:30 summer time to 05:00 winter time; 03:00-03:59 happens twice that night, so the
    # times are picked outside it. The clocks go back an hour, so 4 h 30 on the clock is
    # 5 h 30 of elapsed time.
    night = _add_session(cohort, date(2026, 10, 25), time(0, 30), time(5, 0))
    assert night.starts_at == datetime(2026, 10, 24, 21, 30, tzinfo=UTC)
    assert night.ends_at == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    assert night.ends_at - night.starts_at == timedelta(hours=5, minutes=30)

    body = calendar_for_seat(seat=seated(cohort))
    event = events(body)[night.calendar_uid]
    assert (event.start.hour, event.start.minute, event.end.hour) == (0, 30, 5)
    elapsed = event.end.astimezone(UTC) - event.start.astimezone(UTC)
    assert elapsed == timedelta(hours=5, minutes=30)
    from_vtimezone = parse(body).walk("VTIMEZONE")[0].to_tz()
    start = datetime(2026, 10, 25, 0, 30, tzinfo=from_vtimezone).astimezone(UTC)
    end = datetime(2026, 10, 25, 5, 0, tzinfo=from_vtimezone).astimezone(UTC)
    assert (start, end) == (night.starts_at, night.ends_at)


def test_cancel_calendar_and_cancelled_sessions():
    cohort = build_cohort(days=3)
    seat = seated(cohort)
    dropped = cohort.sessions.order_by("starts_at").last()
    session_cancel(session=dropped, actor=cohort.trainers.first())

    found = events(calendar_for_seat(seat=seat))
    statuses = {uid: str(event["STATUS"]) for uid, event in found.items()}
    assert statuses.pop(dropped.calendar_uid) == "CANCELLED"
    assert set(statuses.values()) == {"CONFIRMED"}

    cancel = parse(calendar_for_seat(seat=seat, method=CANCEL))
    assert str(cancel["METHOD"]) == "CANCEL"
    assert {str(event["STATUS"]) for event in cancel.walk("VEVENT")} == {"CANCELLED"}


def _issue(client) -> str:
    response = client.post(reverse("cohorts:calendar_issue"))
    assert response.status_code == 200
    url = response.context["feed_url"]
    assert url in response.content.decode()
    return url.split("/calendar/", 1)[1].removesuffix(".ics")


def _feed(token: str):
    return Client().get(reverse("cohorts:feed", kwargs={"token": token}))


def test_feed_issue_fetch_replace_and_revoke(client):
    cohort = build_cohort()
    seat = seated(cohort)
    client.force_login(seat.user)
    page = client.get(reverse("cohorts:calendar"))
    assert page.status_code == 200
    assert "Create a feed address" in page.content.decode()

    token = _issue(client)
    feed = CalendarFeed.objects.get(user=seat.user)
    assert feed.token_hash == hash_feed_token(token)
    assert token not in feed.token_hash

    response = _feed(token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    calendar = parse(response.content)
    assert "METHOD" not in calendar  # a subscribed feed has no METHOD
    assert set(events(response.content)) == {s.calendar_uid for s in cohort.sessions.all()}
    feed.refresh_from_db()
    assert feed.last_used_at is not None
    _feed(token)
    assert AuditEvent.objects.filter(action="calendar.feed_use").count() == 1  # once an hour

    # The page never shows the address again: only its hash is kept.
    assert token not in client.get(reverse("cohorts:calendar")).content.decode()

    new_token = _issue(client)
    assert _feed(token).status_code == 404
    assert _feed(new_token).status_code == 200

    response = client.post(reverse("cohorts:calendar_revoke"))
    assert response.status_code == 302
    assert _feed(new_token).status_code == 404
    assert not CalendarFeed.objects.filter(user=seat.user).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"calendar.feed_issue", "calendar.feed_revoke"} <= actions
    assert _feed("not-a-token").status_code == 404


def test_a_feed_shows_only_its_owners_sessions(client):
    mine = seated(build_cohort(title="Mine"))
    theirs = seated(build_cohort(title="Theirs"))
    client.force_login(mine.user)
    my_token = _issue(client)
    other = Client()
    other.force_login(theirs.user)
    their_token = _issue(other)

    my_uids = set(events(_feed(my_token).content))
    their_uids = set(events(_feed(their_token).content))
    assert my_uids == {s.calendar_uid for s in mine.cohort.sessions.all()}
    assert their_uids == {s.calendar_uid for s in theirs.cohort.sessions.all()}
    assert not my_uids & their_uids


def test_cancelled_cohort_and_given_up_seat_show_as_cancelled_in_the_feed(client):
    agency = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    cancelled = build_cohort(title="Cancelled cohort", host=agency)
    seat = seated(cancelled)
    given_up = seated(build_cohort(title="Given up", host=agency), user=seat.user)
    kept = seated(build_cohort(title="Kept", host=agency), user=seat.user)
    cohort_set_status(cohort=cancelled, status="cancelled", actor=cancelled.trainers.first())
    seat_withdraw(seat=given_up, actor=seat.user)

    body = calendar_feed(seats=calendar_seats(user=seat.user))
    statuses = {uid: str(event["STATUS"]) for uid, event in events(body).items()}
    for session in cancelled.sessions.all():
        assert statuses[session.calendar_uid] == "CANCELLED"
    for session in given_up.cohort.sessions.all():
        assert statuses[session.calendar_uid] == "CANCELLED"
    for session in kept.cohort.sessions.all():
        assert statuses[session.calendar_uid] == "CONFIRMED"


def test_feed_query_count_does_not_grow_with_cohorts(client, django_assert_num_queries):
    agency = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    seat = seated(build_cohort(host=agency))
    client.force_login(seat.user)
    token = _issue(client)
    _feed(token)  # the hourly "last used" write happens here, not in the counted reads
    anonymous = Client()
    url = reverse("cohorts:feed", kwargs={"token": token})
    # The feed with its owner, the seats with their cohorts, the sessions.
    with django_assert_num_queries(3):
        assert anonymous.get(url).status_code == 200
    for _ in range(3):
        seated(build_cohort(days=3, host=agency), user=seat.user)
    with django_assert_num_queries(3):
        response = anonymous.get(url)
    assert len(events(response.content)) == 2 + 3 * 3


def test_cohort_download_for_officer_trainer_and_nobody_else(client):
    cohort = build_cohort()
    seat = seated(cohort)
    url = reverse("cohorts:cohort_ics", args=[cohort.pk])

    client.force_login(seat.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    calendar = parse(response.content)
    assert str(calendar["METHOD"]) == "REQUEST"
    attendees = {str(event["ATTENDEE"]) for event in calendar.walk("VEVENT")}
    assert attendees == {f"mailto:{seat.user.email}"}
    assert client.post(url).status_code == 405

    trainer = Client()
    trainer.force_login(cohort.trainers.first())
    response = trainer.get(url)
    assert response.status_code == 200
    calendar = parse(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"  # not invited: no attendee
    assert len(calendar.walk("VEVENT")) == 2
    assert not any("ATTENDEE" in event for event in calendar.walk("VEVENT"))

    for person in (
        MembershipFactory(agency=AgencyFactory(country="KR")).user,
        admin_of(AgencyFactory(country="KR")),
    ):
        stranger = Client()
        stranger.force_login(person)
        assert stranger.get(url).status_code == 404
        assert stranger.post(url).status_code == 404


def test_nominated_officer_downloads_tentative_events(client):
    cohort = build_cohort()
    officer = MembershipFactory(agency=cohort.host_agency).user
    from cohorts.services.seats import seat_nominate

    seat_nominate(
        cohort=cohort, user=officer, agency=cohort.host_agency, actor=cohort.trainers.first()
    )
    assert Seat.objects.get(user=officer).status == Seat.Status.NOMINATED
    client.force_login(officer)
    response = client.get(reverse("cohorts:cohort_ics", args=[cohort.pk]))
    statuses = {str(event["STATUS"]) for event in parse(response.content).walk("VEVENT")}
    assert statuses == {"TENTATIVE"}


def test_calendar_page_reads_a_fixed_number_of_queries(client, django_assert_num_queries):
    seat = seated(build_cohort())
    client.force_login(seat.user)
    url = reverse("cohorts:calendar")
    client.get(url)  # a first request empties the query log (request_started resets it)
    with CaptureQueriesContext(connection) as without_feed:
        client.get(url)
    count = len(without_feed.captured_queries)  # read now: the log is reset per request
    assert count > 0
    _issue(client)
    for _ in range(3):
        seated(build_cohort(host=seat.agency), user=seat.user)
    with django_assert_num_queries(count):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Replace the address" in html
    assert "style=" not in html and "<script>" not in html
