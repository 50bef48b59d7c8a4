"""A cohort's bulk issue through a real Celery worker process on Redis (no eager mode)."""

import os
import signal
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.utils import timezone

from certificates.models import Certificate, CertificateBatch, CertificateBatchItem
from certificates.services import certificate_batch_start
from core.models import OutboxMessage
from core.outbox import outbox_sweep
from tests.factories import completed_cohort
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_small_cohort_batch_is_issued_end_to_end_by_the_worker(celery_worker):
    cohort = completed_cohort(5)
    batch = certificate_batch_start(
        cohort=cohort, kind=CertificateBatch.Kind.ISSUE, actor=cohort.trainers.first()
    )
    wait_for(
        lambda: CertificateBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists(),
        timeout=120,
        message="the worker did not finish the batch",
    )
    assert set(batch.items.values_list("state", flat=True)) == {CertificateBatchItem.State.DONE}
    certificates = Certificate.objects.filter(cohort=cohort)
    assert certificates.count() == 5
    assert all(c.status == "issued" and c.pdf for c in certificates)
    # Every outbox row of the batch (items, then renders) is done; none is left pending.
    kinds = OutboxMessage.objects.values_list("kind", "status")
    assert {status for _kind, status in kinds} == {"done"}
    assert len([k for k, _s in kinds if k.endswith("certificate_batch_item_task")]) == 5


def test_worker_killed_mid_batch_loses_nothing_and_issues_nothing_twice(worker_factory, settings):
    # Killed once one certificate is issued: the other 19 PDFs (0.1-0.2 s each; the kill
    # can come a few late under load) leave seconds to spare (40 seats cost a minute and a
    # half under load).
    seats = 20
    cohort = completed_cohort(seats)
    issued = Certificate.objects.filter(cohort=cohort, status=Certificate.Status.ISSUED)
    first = worker_factory()
    batch = certificate_batch_start(
        cohort=cohort, kind=CertificateBatch.Kind.ISSUE, actor=cohort.trainers.first()
    )
    wait_for(lambda: issued.exists(), timeout=90, message="the worker issued nothing")
    os.kill(first.pid, signal.SIGKILL)  # kill -9, in the middle of the batch
    first.wait()
    done_before_kill = issued.count()
    print(f"issued before kill -9: {done_before_kill} of {seats}")
    assert done_before_kill < seats

    # What the dead worker held is unacknowledged: the sweeper (beat's task) queues again
    # what is still pending, and a new worker finishes the batch.
    settings.OUTBOX_STALE_SECONDS = 0
    outbox_sweep(
        now=timezone.now() + timedelta(seconds=django_settings.OUTBOX_BACKOFF_MAX_SECONDS + 1)
    )
    worker_factory()
    wait_for(
        lambda: CertificateBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists(),
        timeout=180,
        message="the batch did not finish after the worker was replaced",
    )
    assert set(batch.items.values_list("state", flat=True)) == {CertificateBatchItem.State.DONE}
    certificates = list(Certificate.objects.filter(cohort=cohort))
    assert len(certificates) == seats == len({c.user_id for c in certificates})
    files = default_storage.listdir("certificates")[1]
    for certificate in certificates:
        assert certificate.status == Certificate.Status.ISSUED
        assert [name for name in files if name.startswith(certificate.serial)] == [
            f"{certificate.serial}.pdf"
        ]
