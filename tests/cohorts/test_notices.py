"""Cohort messages: each kind rendered in the officer's language with the right calendar
attached (or none), sent once, reminders a week and a day before, and the sweeper."""

import email
import email.policy
from datetime import time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from icalendar import Calendar

from accounts.models import AuditEvent
from accounts.services import user_erase
from cohorts.models import Notice, Seat
from cohorts.notices import notice_queue, notice_send, reminders_queue
from cohorts.services.schedule import session_save
from cohorts.services.seats import seat_nominate, seat_withdraw
from core.models import OutboxMessage
from core.outbox import outbox_sweep
from tests.factories import AgencyFactory, MembershipFactory, build_cohort, seated, staff_user

pytestmark = pytest.mark.django_db

Kind = Notice.Kind

# kind -> (seat status when the message goes, whether the seat had been confirmed, calendar)
CASES = {
    Kind.NOMINATED: (Seat.Status.NOMINATED, False, None),
    Kind.CONFIRMED: (Seat.Status.APPROVED, True, "REQUEST"),
    Kind.WAITLISTED: (Seat.Status.WAITLISTED, False, None),
    Kind.OFFERED: (Seat.Status.OFFERED, False, None),
    Kind.DECLINED: (Seat.Status.DECLINED, False, None),
    Kind.WITHDRAWN: (Seat.Status.WITHDRAWN, True, "CANCEL"),
    Kind.EXPIRED: (Seat.Status.EXPIRED, False, None),
    Kind.CHANGED: (Seat.Status.APPROVED, True, "REQUEST"),
    Kind.CANCELLED: (Seat.Status.CANCELLED, True, "CANCEL"),
    Kind.REMINDER_7D: (Seat.Status.APPROVED, True, "REQUEST"),
    Kind.REMINDER_1D: (Seat.Status.APPROVED, True, "REQUEST"),
}


@pytest.fixture(autouse=True)
def _mail_link(settings):
    settings.SITE_URL = "https://training.example.org"


def _officer(agency, **fields):
    user = MembershipFactory(agency=agency).user
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    return user


def _seat(cohort, *, confirmed: bool, status: str, user=None) -> Seat:
    """A seat that went through the services (confirmed or only nominated), then moved to
    the status the message is about."""
    if confirmed:
        seat = seated(cohort, user=user)
    else:
        seat = seat_nominate(
            cohort=cohort,
            user=user or _officer(cohort.host_agency),
            agency=cohort.host_agency,
            actor=cohort.trainers.first(),
        )
    expires = timezone.now() + timedelta(hours=48) if status == Seat.Status.OFFERED else None
    Seat.objects.filter(pk=seat.pk).update(
        status=status, offer_expires_at=expires, reason="Quota reached for this agency."
    )
    seat.refresh_from_db()
    return seat


def _calendar_parts(message) -> list:
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    return [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]


@pytest.mark.parametrize("kind", list(CASES))
def test_each_kind_in_the_officers_language_with_its_calendar(kind, mailoutbox):
    status, confirmed, method = CASES[kind]
    cohort = build_cohort(title="Tracing stolen funds")
    user = _officer(cohort.host_agency, language="ko", full_name="Kim Min-jun")
    seat = _seat(cohort, confirmed=confirmed, status=status, user=user)
    mailoutbox.clear()
    notice = notice_queue(seat=seat, kind=kind)

    assert notice_send(notice_id=notice.pk) is True

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [user.email]
    assert "Tracing stolen funds" in message.subject
    assert "\n" not in message.subject
    body = message.body
    assert "Kim Min-jun" in body
    assert "Training Centre" in body
    assert "https://training.example.org" + reverse("cohorts:detail", args=[cohort.pk]) in body
    # Rendered in Korean: the session dates carry Korean day names.
    first = cohort.sessions.order_by("starts_at").first()
    with translation.override("ko"):
        korean_day = formats.date_format(first.local_start, "D")
    with translation.override("en"):
        english_day = formats.date_format(first.local_start, "D")
    assert korean_day != english_day
    assert korean_day in body
    parts = _calendar_parts(message)
    if method is None:
        assert parts == []
    else:
        # One file per session: iTIP wants one event per REQUEST/CANCEL.
        assert len(parts) == cohort.sessions.count()
        uids = []
        for part in parts:
            assert part.get_param("method") == method
            assert part.get_filename().endswith(".ics")
            raw = part.get_content()
            raw = raw if isinstance(raw, bytes) else raw.encode()
            assert b"\r\n" in raw
            calendar = Calendar.from_ical(raw)
            assert str(calendar["METHOD"]) == method
            (event,) = calendar.walk("VEVENT")
            uids.append(str(event["UID"]))
        assert sorted(uids) == sorted(s.calendar_uid for s in cohort.sessions.all())
    notice.refresh_from_db()
    assert notice.sent_at is not None
    assert notice.attempts == 1
    event = AuditEvent.objects.get(action="cohort.notice_send", target_id=str(notice.pk))
    assert event.details["kind"] == kind
    assert user.email not in str(event.details)


def test_sending_twice_sends_one_email(mailoutbox):
    seat = seated(build_cohort())
    notice = Notice.objects.get(seat=seat, kind=Kind.CONFIRMED)
    mailoutbox.clear()
    assert notice_send(notice_id=notice.pk) is True
    assert notice_send(notice_id=notice.pk) is True
    assert len(mailoutbox) == 1
    assert notice_send(notice_id=10**9) is False  # gone: nothing to do


def test_officer_in_another_zone_sees_venue_and_own_time(mailoutbox):
    cohort = build_cohort(time_zone="Asia/Bangkok", start=(9, 0), end=(17, 0))
    seoul = _officer(cohort.host_agency, time_zone="Asia/Seoul")
    seat = seated(cohort, user=seoul)
    mailoutbox.clear()
    notice_send(notice_id=Notice.objects.get(seat=seat, kind=Kind.CONFIRMED).pk)
    body = mailoutbox[0].body
    assert "09:00\u201317:00 venue time (Asia/Bangkok" in body
    assert "11:00\u201319:00 your time (Asia/Seoul)" in body

    # An officer at the venue's clock sees the venue time only.
    local = seated(cohort, user=_officer(cohort.host_agency, time_zone="Asia/Bangkok"))
    mailoutbox.clear()
    notice_send(notice_id=Notice.objects.get(seat=local, kind=Kind.CONFIRMED).pk)
    assert "your time" not in mailoutbox[0].body


def test_offer_gives_the_claim_deadline_and_decline_the_reason(mailoutbox):
    cohort = build_cohort()
    offered = _seat(cohort, confirmed=False, status=Seat.Status.OFFERED)
    declined = _seat(cohort, confirmed=False, status=Seat.Status.DECLINED)
    mailoutbox.clear()
    notice_send(notice_id=notice_queue(seat=offered, kind=Kind.OFFERED).pk)
    notice_send(notice_id=notice_queue(seat=declined, kind=Kind.DECLINED).pk)
    offer, decline = mailoutbox
    deadline = offered.offer_expires_at.astimezone(cohort.tz)
    assert "Claim the seat by" in offer.body
    assert formats.date_format(deadline, "D j M Y, H:i") in offer.body
    assert "Reason given: Quota reached for this agency." in decline.body


def test_withdrawal_from_the_waiting_list_has_no_calendar(mailoutbox):
    seat = _seat(build_cohort(), confirmed=False, status=Seat.Status.WAITLISTED)
    seat_withdraw(seat=seat, actor=seat.user)
    mailoutbox.clear()
    notice_send(notice_id=Notice.objects.get(seat=seat, kind=Kind.WITHDRAWN).pk)
    assert _calendar_parts(mailoutbox[0]) == []


def test_erased_or_stale_recipients_are_not_emailed(mailoutbox):
    cohort = build_cohort()
    erased = seated(cohort)
    user_erase(user=erased.user, actor=staff_user())
    gone = seated(cohort)
    reminder = notice_queue(seat=gone, kind=Kind.REMINDER_1D)
    seat_withdraw(seat=gone, actor=gone.user)
    mailoutbox.clear()

    for notice in (Notice.objects.get(seat=erased, kind=Kind.CONFIRMED), reminder):
        assert notice_send(notice_id=notice.pk) is True
        notice.refresh_from_db()
        assert notice.sent_at is not None
        assert notice.last_error.startswith("Not sent")
    assert mailoutbox == []
    assert AuditEvent.objects.filter(action="cohort.notice_skip").count() == 2


def test_a_failed_send_is_recorded_then_sent_by_the_sweeper(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    seat = seated(build_cohort())
    notice = Notice.objects.get(seat=seat, kind=Kind.CONFIRMED)
    locmem = settings.MAILERS
    # A real SMTP connection to a port nobody listens on.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    assert notice_send(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.sent_at is None
    assert notice.attempts == 1
    assert notice.last_error
    failure = AuditEvent.objects.get(action="cohort.notice_send", outcome="failure")
    assert failure.details["attempts"] == 1

    settings.MAILERS = locmem
    later = timezone.now() + timedelta(seconds=settings.OUTBOX_STALE_SECONDS + 1)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        assert send_message(notice).pk in outbox_sweep()
    assert callbacks
    mailoutbox.clear()
    assert notice_send(notice_id=notice.pk) is True
    notice.refresh_from_db()
    assert (notice.attempts, notice.last_error) == (2, "")
    assert len(mailoutbox) == 1


def send_message(notice: Notice) -> OutboxMessage:
    """The outbox row that sends this notice."""
    return OutboxMessage.objects.get(
        kind="cohorts.tasks.notice_send_task", payload={"notice_id": notice.pk}
    )


def test_sweeper_requeues_stale_unsent_notices_only(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_STALE_SECONDS = 120
    settings.OUTBOX_MAX_ATTEMPTS = 5
    cohort = build_cohort()
    stale, fresh, sent, exhausted = (seated(cohort) for _ in range(4))
    notices = {
        name: Notice.objects.get(seat=seat, kind=Kind.CONFIRMED)
        for name, seat in {
            "stale": stale,
            "fresh": fresh,
            "sent": sent,
            "exhausted": exhausted,
        }.items()
    }
    rows = {name: send_message(notice) for name, notice in notices.items()}
    long_ago = timezone.now() - timedelta(seconds=121)
    OutboxMessage.objects.update(next_attempt_at=long_ago)
    OutboxMessage.objects.filter(pk=rows["fresh"].pk).update(
        next_attempt_at=timezone.now() + timedelta(seconds=120)
    )
    OutboxMessage.objects.filter(pk=rows["sent"].pk).update(status=OutboxMessage.Status.DONE)
    OutboxMessage.objects.filter(pk=rows["exhausted"].pk).update(attempts=5)
    OutboxMessage.objects.exclude(pk__in=[row.pk for row in rows.values()]).update(
        status=OutboxMessage.Status.DONE
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert outbox_sweep() == [rows["stale"].pk]
    assert len(callbacks) == 1
    rows["stale"].refresh_from_db()
    assert rows["stale"].next_attempt_at > long_ago
    assert send_message(notices["exhausted"]).status == OutboxMessage.Status.FAILED
    with django_capture_on_commit_callbacks(execute=False):
        assert outbox_sweep() == []  # just re-queued: fresh again
    assert AuditEvent.objects.filter(action="outbox.requeue").count() == 1


def _reminders(cohort) -> list[tuple[str, int]]:
    return sorted(
        Notice.objects.filter(
            seat__cohort=cohort, kind__in=[Kind.REMINDER_7D, Kind.REMINDER_1D]
        ).values_list("kind", "seat_id")
    )


def test_reminders_a_week_and_a_day_before_once_each(django_capture_on_commit_callbacks):
    cohort = build_cohort()
    seat = seated(cohort)
    first = cohort.sessions.order_by("starts_at").first().starts_at

    with django_capture_on_commit_callbacks(execute=False):
        with time_machine.travel(first - timedelta(days=8), tick=False):
            assert reminders_queue() == []
        with time_machine.travel(first - timedelta(days=6), tick=False):
            week = reminders_queue()
            assert len(week) == 1
            assert reminders_queue() == []  # once
        with time_machine.travel(first - timedelta(hours=20), tick=False):
            day = reminders_queue()
            assert len(day) == 1
            assert reminders_queue() == []
        with time_machine.travel(first + timedelta(hours=1), tick=False):
            assert reminders_queue() == []  # started: no more reminders
    assert _reminders(cohort) == [(Kind.REMINDER_1D, seat.pk), (Kind.REMINDER_7D, seat.pk)]
    key = Notice.objects.get(pk=week[0]).key
    assert key == f"reminder_7d:{seat.pk}:{first.isoformat()}"


def test_no_week_reminder_inside_the_last_day_and_new_ones_after_a_move(
    django_capture_on_commit_callbacks,
):
    cohort = build_cohort()
    seat = seated(cohort)
    session = cohort.sessions.order_by("starts_at").first()
    with django_capture_on_commit_callbacks(execute=False):
        with time_machine.travel(session.starts_at - timedelta(hours=10), tick=False):
            reminders_queue()
        assert _reminders(cohort) == [(Kind.REMINDER_1D, seat.pk)]

        # The cohort moves a month later: the new dates get their own reminders.
        moved = session_save(
            cohort=cohort,
            actor=cohort.trainers.first(),
            session=session,
            day=session.date + timedelta(days=30),
            start_time=time(9, 0),
            end_time=time(17, 0),
        )
        new_first = cohort.sessions.order_by("starts_at").first()
        assert new_first.pk != moved.pk  # the other day now comes first
        with time_machine.travel(new_first.starts_at - timedelta(days=3), tick=False):
            assert len(reminders_queue()) == 1
    kinds = [kind for kind, _seat in _reminders(cohort)]
    assert sorted(kinds) == [Kind.REMINDER_1D, Kind.REMINDER_7D]


def test_reminders_skip_unconfirmed_seats_and_cancelled_cohorts(
    django_capture_on_commit_callbacks,
):
    cohort = build_cohort()
    _seat(cohort, confirmed=False, status=Seat.Status.WAITLISTED)
    cancelled = build_cohort(status="cancelled")
    first = cohort.sessions.order_by("starts_at").first().starts_at
    with (
        django_capture_on_commit_callbacks(execute=False),
        time_machine.travel(first - timedelta(days=2), tick=False),
    ):
        assert reminders_queue() == []
    assert _reminders(cancelled) == []


def test_reminders_take_the_same_queries_for_few_or_many_seats(
    django_capture_on_commit_callbacks,
):
    def run(seats: int) -> int:
        cohort = build_cohort(
            host=AgencyFactory(country="TH", time_zone="Asia/Bangkok"), capacity=seats
        )
        for _ in range(seats):
            seated(cohort)
        first = cohort.sessions.order_by("starts_at").first().starts_at
        with (
            django_capture_on_commit_callbacks(execute=False),
            time_machine.travel(first - timedelta(days=2), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert len(reminders_queue()) == seats
        Notice.objects.filter(kind=Kind.REMINDER_7D).update(sent_at=timezone.now())
        Seat.objects.filter(cohort=cohort).update(status=Seat.Status.WITHDRAWN)
        return len(queries)

    assert run(2) == run(12)


def test_staff_send_a_given_up_message_again_from_the_notice_admin(
    client, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    seat = seated(build_cohort())
    notice = Notice.objects.get(seat=seat, kind=Kind.CONFIRMED)
    row = send_message(notice)
    Notice.objects.filter(pk=notice.pk).update(attempts=2, last_error="SMTP down")
    OutboxMessage.objects.filter(pk=row.pk).update(
        attempts=2, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_sweep() == []  # out of tries: given up
    assert send_message(notice).status == OutboxMessage.Status.FAILED
    staff = staff_user(is_superuser=True)
    client.force_login(staff)
    failed = client.get(reverse("admin:cohorts_notice_changelist") + "?delivery=failed")
    assert [n.pk for n in failed.context["cl"].result_list] == [notice.pk]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:cohorts_notice_changelist"),
            {"action": "send_again", "_selected_action": [notice.pk]},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    notice.refresh_from_db()
    assert (notice.attempts, notice.last_error) == (0, "")
    again = send_message(notice)  # the same row starts over: nothing failed is left listed
    assert (again.pk, again.status, again.attempts) == (row.pk, OutboxMessage.Status.PENDING, 0)
    assert AuditEvent.objects.filter(action="cohort.notice_retry", actor=staff).count() == 1
