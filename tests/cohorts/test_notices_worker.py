"""Cohort messages through a real Celery worker process on Redis (no eager mode): the worker
writes each email to a file (Django's file backend), as in development."""

import email
import email.policy
import time

import pytest
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from cohorts.models import Notice
from tests.factories import build_cohort, seated
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def mail_worker(celery_worker):
    """The session's worker, which writes the email it sends to files in a folder."""
    return {"folder": celery_worker["mail"], "name": celery_worker["name"]}


def read_messages(folder) -> list[email.message.EmailMessage]:
    messages = []
    for path in sorted(folder.glob("*.log")):
        for raw in path.read_text().split("\n" + "-" * 79 + "\n"):
            if raw.strip():
                messages.append(email.message_from_string(raw, policy=email.policy.default))
    return messages


def wait_for_sent(notice_id: int) -> Notice:
    return wait_for(
        lambda: Notice.objects.filter(pk=notice_id, sent_at__isnull=False).first(),
        message="the worker did not send the message in time",
    )


def test_approval_emails_the_officer_an_invitation_through_the_worker(mail_worker):
    cohort = build_cohort(title="Worker cohort")
    started = time.monotonic()
    seat = seated(cohort)  # nominated, then approved: each writes a message, queued on commit
    confirmed = Notice.objects.get(seat=seat, kind=Notice.Kind.CONFIRMED)
    wait_for_sent(confirmed.pk)
    wait_for_sent(Notice.objects.get(seat=seat, kind=Notice.Kind.NOMINATED).pk)
    print(f"approval to invitation sent by the worker: {time.monotonic() - started:.2f} s")

    mine = [m for m in read_messages(mail_worker["folder"]) if m["To"] == seat.user.email]
    assert {m["Subject"] for m in mine} == {
        "Nominated for Worker cohort",
        "Seat confirmed: Worker cohort",
    }
    (invitation,) = [m for m in mine if m["Subject"].startswith("Seat confirmed")]
    parts = [p for p in invitation.walk() if p.get_content_type() == "text/calendar"]
    found = {}
    for part in parts:  # one file per session
        assert part.get_param("method") == "REQUEST"
        calendar = Calendar.from_ical(part.get_content())
        assert str(calendar["METHOD"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        found[str(event["UID"])] = event
    sessions = list(cohort.sessions.all())
    assert set(found) == {session.calendar_uid for session in sessions}
    for session in sessions:
        assert found[session.calendar_uid].start == session.starts_at


def test_sweeper_task_sends_a_message_whose_broker_message_was_lost(mail_worker):
    from core.models import OutboxMessage
    from core.tasks import outbox_sweep_task

    cohort = build_cohort(title="Lost message cohort")
    seat = seated(cohort)
    for notice in Notice.objects.filter(seat=seat):
        wait_for_sent(notice.pk)
    with transaction.atomic():
        # A message written but never handed to the broker (say, Redis was flushed).
        lost = Notice.objects.create(
            seat=seat,
            kind=Notice.Kind.CHANGED,
            key=f"changed:{seat.pk}:lost",
        )
        OutboxMessage.objects.create(
            kind="cohorts.tasks.notice_send_task",
            payload={"notice_id": lost.pk},
            next_attempt_at=timezone.now().replace(year=2000),
        )
    outbox_sweep_task.delay()
    sent = wait_for_sent(lost.pk)
    assert sent.attempts == 1
    subjects = [m["Subject"] for m in read_messages(mail_worker["folder"])]
    assert "Changed: Lost message cohort" in subjects
