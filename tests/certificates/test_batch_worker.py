"""A cohort's bulk issue through a real Celery worker process on Redis (no eager mode)."""

import factory
import pytest
from django.utils import timezone

from certificates.models import Certificate, CertificateBatch, CertificateBatchItem
from certificates.services import certificate_batch_start
from cohorts.models import Seat
from core.models import OutboxMessage
from tests.factories import SeatFactory, UserFactory, build_cohort
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_small_cohort_batch_is_issued_end_to_end_by_the_worker(celery_worker):
    cohort = build_cohort(capacity=6)
    SeatFactory.create_batch(
        5,
        cohort=cohort,
        user=factory.SubFactory(UserFactory),
        status=Seat.Status.APPROVED,
        completed_at=timezone.now(),
    )
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
