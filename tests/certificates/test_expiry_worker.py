"""The beat's expiry-reminder task through a real Celery worker on Redis: the worker queues
the due reminder and sends it (Django's file backend), once, however often the task runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certificates.models import CertificateReminder
from certificates.services import certificate_reminders_queue
from certificates.tasks import certificate_reminders_task
from tests.cohorts.test_notices_worker import read_messages
from tests.factories import CertificateFactory
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_the_beat_task_emails_the_nearest_reminder_once_through_the_worker(celery_worker):
    certificate = CertificateFactory(
        status="issued",
        pdf="certificates/worker.pdf",
        issued_at=timezone.now() - timedelta(days=340),
        valid_until=timezone.now() + timedelta(days=20),
        user__email="reminded@knpa.example",
    )
    certificate_reminders_task.delay()
    reminder = wait_for(
        lambda: CertificateReminder.objects.filter(
            certificate=certificate, sent_at__isnull=False
        ).first(),
        message="the worker did not send the reminder in time",
    )
    assert reminder.days_before == 30 and reminder.last_error == ""
    assert certificate_reminders_queue() == []  # the next run finds nothing new
    mine = wait_for(
        lambda: [
            m for m in read_messages(celery_worker["mail"]) if m["To"] == certificate.user.email
        ],
        message="no message file",
    )
    assert len(mine) == 1
    assert f"/certificates/{certificate.pk}/renew/" in mine[0].get_content()
    assert CertificateReminder.objects.filter(certificate=certificate).count() == 1
