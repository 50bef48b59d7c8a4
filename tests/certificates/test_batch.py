"""Bulk issue and reissue of a cohort's certificates: the batch, its items, the outbox rows,
what a double press, a give-up and a retry do."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from certificates.models import Certificate, CertificateBatch, CertificateBatchItem
from certificates.services import (
    certificate_batch_item_run,
    certificate_batch_retry_failed,
    certificate_batch_start,
    certificate_revoke,
)
from cohorts.models import Seat
from core.models import OutboxMessage
from core.outbox import outbox_sweep
from tests.factories import SeatFactory, build_cohort, completed_cohort, staff_user

pytestmark = pytest.mark.django_db

ITEM_TASK = "certificates.tasks.certificate_batch_item_task"
Kind = CertificateBatch.Kind
State = CertificateBatchItem.State


@pytest.fixture
def deliver_all(deliver_outbox):
    """Run the outbox as the worker would until nothing is left to do (items queue renders)."""

    def run() -> None:
        for _ in range(20):
            if not deliver_outbox():
                return
        raise AssertionError("the outbox did not settle")

    return run


def trainer_of(cohort):
    return cohort.trainers.first()


def item_rows(batch) -> int:
    return OutboxMessage.objects.filter(
        kind=ITEM_TASK, payload__item_id__in=list(batch.items.values_list("pk", flat=True))
    ).count()


def test_issue_batch_has_one_item_and_one_outbox_row_per_completed_seat_without_certificate():
    cohort = completed_cohort(3)
    SeatFactory(cohort=cohort, status=Seat.Status.APPROVED)  # not completed: left out
    batch = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=trainer_of(cohort))
    assert batch.items.count() == 3
    assert set(batch.items.values_list("state", flat=True)) == {State.WAITING}
    assert item_rows(batch) == 3
    assert batch.finished_at is None
    assert AuditEvent.objects.filter(action="certificate.batch_start").count() == 1


def test_pressing_issue_twice_returns_the_running_batch_and_queues_nothing_more():
    cohort = completed_cohort(2)
    first = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=trainer_of(cohort))
    second = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=staff_user())
    assert second.pk == first.pk
    assert CertificateBatchItem.objects.count() == 2
    assert OutboxMessage.objects.filter(kind=ITEM_TASK).count() == 2


def test_one_open_batch_per_cohort_and_kind_is_a_database_constraint():
    cohort = completed_cohort(1)
    actor = trainer_of(cohort)
    certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=actor)
    with pytest.raises(IntegrityError):
        CertificateBatch.objects.create(cohort=cohort, kind=Kind.ISSUE, created_by=actor)


def test_nothing_to_issue_gives_a_finished_empty_batch():
    cohort = build_cohort()
    batch = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=trainer_of(cohort))
    assert batch.finished_at is not None
    assert not batch.items.exists()


def test_starting_a_batch_costs_the_same_queries_for_10_and_200_seats():
    counts = []
    for seats in (10, 200):
        cohort = completed_cohort(seats)
        actor = trainer_of(cohort)
        with CaptureQueriesContext(connection) as queries:
            batch = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=actor)
        assert batch.items.count() == seats
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_issue_batch_issues_one_certificate_per_seat_and_finishes(deliver_all):
    cohort = completed_cohort(2)
    batch = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=trainer_of(cohort))
    deliver_all()
    batch.refresh_from_db()
    assert batch.finished_at is not None
    assert set(batch.items.values_list("state", flat=True)) == {State.DONE}
    issued = Certificate.objects.filter(cohort=cohort, status=Certificate.Status.ISSUED)
    assert issued.count() == 2
    assert set(batch.items.values_list("certificate_id", flat=True)) == set(
        issued.values_list("pk", flat=True)
    )
    # A copy of an item's message delivered again changes nothing.
    item = batch.items.first()
    assert certificate_batch_item_run(item_id=item.pk).certificate_id == item.certificate_id
    assert Certificate.objects.filter(cohort=cohort).count() == 2


def test_issue_batch_leaves_seats_that_have_a_certificate_alone(deliver_all):
    cohort = completed_cohort(2)
    certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=trainer_of(cohort))
    deliver_all()
    again = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=trainer_of(cohort))
    assert again.finished_at is not None
    assert not again.items.exists()


def test_reissue_needs_a_reason():
    cohort = completed_cohort(1)
    with pytest.raises(ValueError, match="reason"):
        certificate_batch_start(
            cohort=cohort, kind=Kind.REISSUE, actor=trainer_of(cohort), reason="  "
        )


def test_reissue_all_issues_the_next_revision_of_every_issued_certificate(deliver_all):
    cohort = completed_cohort(2)
    actor = trainer_of(cohort)
    certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=actor)
    deliver_all()
    old = set(Certificate.objects.filter(cohort=cohort).values_list("pk", flat=True))
    batch = certificate_batch_start(
        cohort=cohort, kind=Kind.REISSUE, actor=actor, reason="New template", template_version=2
    )
    assert set(batch.items.values_list("source_id", flat=True)) == old
    deliver_all()
    batch.refresh_from_db()
    assert batch.finished_at is not None
    assert set(batch.items.values_list("state", flat=True)) == {State.DONE}
    new = Certificate.objects.filter(cohort=cohort, supersedes__in=old)
    assert [(c.status, c.revision, c.template_version) for c in new] == [("issued", 2, 2)] * 2
    assert set(Certificate.objects.filter(pk__in=old).values_list("status", flat=True)) == {
        "superseded"
    }


def test_a_certificate_revoked_before_its_reissue_fails_that_item_with_the_reason(deliver_all):
    cohort = completed_cohort(2)
    actor = trainer_of(cohort)
    certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=actor)
    deliver_all()
    batch = certificate_batch_start(cohort=cohort, kind=Kind.REISSUE, actor=actor, reason="Fix")
    revoked = Certificate.objects.filter(cohort=cohort).first()
    certificate_revoke(
        certificate=revoked, actor=staff_user(), reason_category="misconduct", reason="Cheated"
    )
    deliver_all()
    failed = batch.items.get(state=State.FAILED)
    assert failed.source_id == revoked.pk
    assert "cannot be reissued" in failed.error
    assert batch.items.filter(state=State.DONE).count() == 1


def break_rendering(settings) -> None:
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False, "OPTIONS": {"loaders": []}}
    ]


def test_a_render_the_outbox_gives_up_marks_its_item_failed_with_the_error(deliver_all, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    cohort = completed_cohort(2)
    batch = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=trainer_of(cohort))
    break_rendering(settings)
    deliver_all()
    batch.refresh_from_db()
    assert batch.finished_at is not None
    items = list(batch.items.select_related("certificate"))
    assert {item.state for item in items} == {State.FAILED}
    assert all("TemplateDoesNotExist" in item.error for item in items)
    assert {item.certificate.status for item in items} == {Certificate.Status.FAILED}


def test_an_item_whose_own_row_is_given_up_is_failed_with_the_outbox_error(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    cohort = completed_cohort(1)
    batch = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=trainer_of(cohort))
    OutboxMessage.objects.filter(kind=ITEM_TASK).update(
        attempts=3, last_error="OperationalError: gone", next_attempt_at=timezone.now()
    )
    outbox_sweep(now=timezone.now() + timedelta(seconds=1))
    item = batch.items.get()
    assert (item.state, item.error) == (State.FAILED, "OperationalError: gone")
    batch.refresh_from_db()
    assert batch.finished_at is not None


def test_retry_failed_queues_only_the_failed_items_once(deliver_all, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    cohort = completed_cohort(2)
    actor = trainer_of(cohort)
    batch = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=actor)
    deliver_all()
    done, failed = list(batch.items.order_by("pk"))
    # The second one's render was given up (a font missing on the worker, say).
    Certificate.objects.filter(pk=failed.certificate_id).update(
        status="failed", pdf="", issued_at=None, last_error="OSError: font"
    )
    CertificateBatchItem.objects.filter(pk=failed.pk).update(state="failed", error="OSError")

    assert certificate_batch_retry_failed(batch=batch, actor=actor) == 1
    assert certificate_batch_retry_failed(batch=batch, actor=actor) == 0
    done.refresh_from_db()
    failed.refresh_from_db()
    assert (done.state, failed.state, failed.error) == (State.DONE, State.WAITING, "")
    assert failed.certificate.status == Certificate.Status.PENDING
    batch.refresh_from_db()
    assert batch.finished_at is None
    deliver_all()
    failed.refresh_from_db()
    batch.refresh_from_db()
    assert failed.state == State.DONE
    assert batch.finished_at is not None
    assert Certificate.objects.filter(cohort=cohort).count() == 2
    assert AuditEvent.objects.filter(action="certificate.batch_retry").count() == 1


def test_items_whose_messages_were_lost_are_queued_again_by_the_sweeper(settings):
    """A worker killed mid-batch, or a flushed Redis: the item rows are still pending in the
    database, and the sweeper hands them to the broker again."""
    settings.OUTBOX_STALE_SECONDS = 60
    cohort = completed_cohort(3)
    certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=trainer_of(cohort))
    rows = set(OutboxMessage.objects.filter(kind=ITEM_TASK).values_list("pk", flat=True))
    assert outbox_sweep() == []  # just queued
    assert set(outbox_sweep(now=timezone.now() + timedelta(minutes=5))) == rows


@pytest.mark.django_db(transaction=True)
def test_the_first_certificates_issued_at_once_share_the_first_status_lists():
    """Two workers creating a fresh site's first certificates at the same moment both open
    status list 1: the later ones join the first's list instead of failing (the item would
    wait for the sweeper)."""
    import threading

    from django.db import connection as thread_connection
    from django.db import transaction

    from certificates.models import StatusList
    from certificates.services import status_list_allocate

    workers = 8
    barrier = threading.Barrier(workers)
    results = []

    def run():
        try:
            with transaction.atomic():
                barrier.wait()
                certificate = status_list_allocate(certificate=Certificate())
                results.append((certificate.revocation_list_id, certificate.suspension_list_id))
        except Exception as error:  # collected for the assertion
            results.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(set(results)) == 1
    assert sorted(StatusList.objects.values_list("purpose", "number", "allocated")) == [
        ("revocation", 1, workers),
        ("suspension", 1, workers),
    ]
