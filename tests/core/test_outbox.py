"""The outbox: a row written in the caller's transaction, queued only after commit, queued
again by one sweeper with backoff, given up after OUTBOX_MAX_ATTEMPTS and shown to staff,
who can send it again. Real PostgreSQL and Redis; a real worker for the last test."""

import time
from datetime import timedelta

import pytest
import redis
from celery import shared_task
from django.conf import settings as django_settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from config.celery import app as celery_app
from core.models import OutboxMessage
from core.outbox import (
    enqueue_on_commit,
    outbox_deliver,
    outbox_hooks_register,
    outbox_sweep,
    retry_delay,
)
from tests.cohorts.test_notices_worker import read_messages
from tests.factories import AgencyFactory, admin_of, staff_user

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
RUNS: list[int] = []
FAIL: set[int] = set()
GIVEN_UP: list[int] = []
REVIVED: list[int] = []


@shared_task(name="tests.core.record_task")
def record_task(*, item_id: int) -> bool:
    """A side effect that counts its runs, and fails while its id is in FAIL."""
    RUNS.append(item_id)
    if item_id in FAIL:
        raise RuntimeError(f"item {item_id} cannot be done")
    return True


outbox_hooks_register(
    record_task,
    on_give_up=lambda *, item_id: GIVEN_UP.append(item_id),
    on_send_again=lambda *, item_id: REVIVED.append(item_id),
)


@pytest.fixture(autouse=True)
def _clean_state():
    for box in (RUNS, GIVEN_UP, REVIVED):
        box.clear()
    FAIL.clear()


def queued_messages() -> int:
    """Messages waiting in the broker (Redis, this run's database)."""
    return redis.Redis.from_url(django_settings.REDIS_URL).llen("celery")


def _reset_broker_connections() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_enqueue_writes_a_row_and_queues_it_only_on_commit(django_capture_on_commit_callbacks):
    before = queued_messages()
    with django_capture_on_commit_callbacks() as callbacks:
        message = enqueue_on_commit(record_task, item_id=7)
        assert queued_messages() == before  # nothing handed over before commit
    assert message.kind == "tests.core.record_task"
    assert message.payload == {"item_id": 7}
    assert (message.status, message.attempts) == (Status.PENDING, 0)
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued_messages() == before + 1


def test_a_rolled_back_transaction_leaves_no_row_and_queues_nothing(
    django_capture_on_commit_callbacks,
):
    before = queued_messages()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(record_task, item_id=8)
        raise RuntimeError("the caller's write failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert queued_messages() == before


def test_delivery_runs_the_task_once_and_a_second_run_is_a_no_op():
    message = enqueue_on_commit(record_task, item_id=1)
    assert outbox_deliver(message_id=message.pk) is True
    assert outbox_deliver(message_id=message.pk) is False  # already done: nothing runs
    assert RUNS == [1]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.DONE, 1, "")
    assert message.done_at is not None


def test_broker_down_leaves_the_row_pending_then_the_sweeper_queues_it(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_STALE_SECONDS = 60
    working = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    _reset_broker_connections()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = enqueue_on_commit(record_task, item_id=2)  # publishing fails quietly
    finally:
        celery_app.conf.broker_url = working
        _reset_broker_connections()
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert outbox_sweep() == []  # not due yet: the first try is a minute away
    before = queued_messages()
    later = timezone.now() + timedelta(seconds=61)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep(now=later) == [message.pk]
    assert queued_messages() == before + 1
    message.refresh_from_db()
    assert message.next_attempt_at == later + timedelta(seconds=60)
    assert AuditEvent.objects.filter(action="outbox.requeue").count() == 1


def test_failed_attempts_back_off_then_the_row_is_given_up_and_visible(settings):
    settings.OUTBOX_STALE_SECONDS = 10
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 30
    FAIL.add(3)
    message = enqueue_on_commit(record_task, item_id=3)
    waits = []
    for _ in range(2):
        started = timezone.now()
        assert outbox_deliver(message_id=message.pk) is False
        message.refresh_from_db()
        waits.append(round((message.next_attempt_at - started).total_seconds()))
        assert message.status == Status.PENDING
        assert message.last_error == "RuntimeError: item 3 cannot be done"
    assert waits == [20, 30]  # doubled, then capped
    assert [retry_delay(n).total_seconds() for n in range(4)] == [10, 20, 30, 30]
    assert outbox_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert GIVEN_UP == [3]
    event = AuditEvent.objects.get(action="outbox.fail")
    assert event.outcome == "failure"
    assert event.details["ids"] == {"item_id": 3}
    assert outbox_sweep(now=timezone.now() + timedelta(days=1)) == []  # failed rows stay put


def test_the_sweeper_gives_up_a_row_out_of_attempts(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = enqueue_on_commit(record_task, item_id=4)
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=2, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_sweep() == []
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert GIVEN_UP == [4]


def test_staff_see_failed_rows_and_send_them_again_with_an_audit_row(
    client, django_capture_on_commit_callbacks
):
    FAIL.add(5)
    failed = enqueue_on_commit(record_task, item_id=5)
    done = enqueue_on_commit(record_task, item_id=6)
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, attempts=5, last_error="RuntimeError: item 5 cannot be done"
    )
    OutboxMessage.objects.filter(pk=done.pk).update(status=Status.DONE)
    staff = staff_user(is_superuser=True)
    client.force_login(staff)
    listing = client.get(reverse("admin:core_outboxmessage_changelist"))
    assert listing.status_code == 200
    assert "tests.core.record_task" in listing.text
    assert "RuntimeError: item 5 cannot be done" in listing.text
    assert len(listing.context["cl"].result_list) == 1  # failed rows first: the done one is not
    FAIL.clear()
    before = queued_messages()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:core_outboxmessage_changelist") + "?status=all",
            {"action": "send_again", "_selected_action": [failed.pk, done.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.PENDING, 0)
    assert REVIVED == [5]
    assert queued_messages() == before + 1  # the done row is left alone
    event = AuditEvent.objects.get(action="outbox.send_again")
    assert (event.actor, event.target_id, event.details["from"]) == (
        staff,
        str(failed.pk),
        "failed",
    )
    assert outbox_deliver(message_id=failed.pk) is True


def test_the_outbox_admin_is_for_staff_only(client):
    client.force_login(admin_of(AgencyFactory()))
    response = client.get(reverse("admin:core_outboxmessage_changelist"))
    assert response.status_code == 302  # to the admin sign-in, as for any admin page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_a_row_and_marks_it_done(celery_worker):
    """Through the real worker: an invitation's mail, written as a row, sent after commit."""
    from accounts.services import invitation_create

    agency = AgencyFactory()
    invitation = invitation_create(
        agency=agency, email="worker.outbox@mail.example", actor=admin_of(agency)
    )
    message = OutboxMessage.objects.get(kind="accounts.tasks.invitation_mail_task")
    assert message.payload == {"invitation_id": invitation.pk}
    deadline = time.monotonic() + 60
    while OutboxMessage.objects.get(pk=message.pk).status != Status.DONE:
        assert time.monotonic() < deadline, "the worker did not deliver the row"
        time.sleep(0.1)
    # The worker's file backend may append to a file another test's mail opened: read every
    # message of every file, not the first of each.
    sent = read_messages(celery_worker["mail"])
    assert any(
        mail["To"] == "worker.outbox@mail.example"
        and invitation.token in (mail.get_body(("plain",)) or mail).get_content()
        for mail in sent
    )


def test_the_outbox_admin_list_takes_the_same_queries_for_many_rows(
    client, django_assert_max_num_queries
):
    client.force_login(staff_user(is_superuser=True))
    url = reverse("admin:core_outboxmessage_changelist") + "?status=all"
    enqueue_on_commit(record_task, item_id=1)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for item_id in range(2, 40):
        enqueue_on_commit(record_task, item_id=item_id)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
