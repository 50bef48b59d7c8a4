"""Expiry and renewal through a real Celery worker on Redis (Django's file backend for the
email it sends): the beat's reminder task, reminder runs racing each other, and renewal
finishes racing each other, each ending in exactly one email or one certificate."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent
from assessments.models import Attempt
from assessments.services import attempt_start
from certificates.models import Certificate, CertificateReminder
from certificates.selectors import final_quiz
from certificates.services import (
    certificate_create_for_completion,
    certificate_reminders_queue,
    certificate_render,
    certificate_renewal_complete,
    certificate_renewal_start,
)
from certificates.tasks import certificate_reminders_task
from core.models import OutboxMessage
from courses.models import Lesson
from courses.services import enrollment_create, lesson_complete
from tests.cohorts.test_notices_worker import read_messages
from tests.factories import CertificateFactory
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def race(function, *, threads: int = 4) -> tuple[list, list]:
    """Run function in several threads released at once; (results, errors)."""
    barrier = threading.Barrier(threads)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(function())
        except Exception as exc:  # collected and asserted by the caller
            errors.append(exc)
        finally:
            connection.close()

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return results, errors


def messages_to(celery_worker, email: str) -> list:
    return [m for m in read_messages(celery_worker["mail"]) if m["To"] == email]


def wait_for_sent(certificate) -> CertificateReminder:
    return wait_for(
        lambda: CertificateReminder.objects.filter(
            certificate=certificate, sent_at__isnull=False
        ).first(),
        message="the worker did not send the reminder in time",
    )


def test_the_beat_task_emails_the_nearest_reminder_once_through_the_worker(celery_worker):
    certificate = CertificateFactory(
        status="issued",
        pdf="certificates/worker.pdf",
        issued_at=timezone.now() - timedelta(days=340),
        valid_until=timezone.now() + timedelta(days=20),
        user__email="reminded@knpa.example",
    )
    certificate_reminders_task.delay()
    reminder = wait_for_sent(certificate)
    assert reminder.days_before == 30 and reminder.last_error == ""
    assert certificate_reminders_queue() == []  # the next run finds nothing new
    mine = wait_for(
        lambda: messages_to(celery_worker, certificate.user.email), message="no message file"
    )
    assert len(mine) == 1
    assert f"/certificates/{certificate.pk}/renew/" in mine[0].get_content()
    assert CertificateReminder.objects.filter(certificate=certificate).count() == 1


def test_runs_racing_each_other_queue_and_send_each_reminder_once(celery_worker):
    certificate = CertificateFactory(
        status="issued",
        pdf="certificates/race.pdf",
        issued_at=timezone.now() - timedelta(days=300),
        valid_until=timezone.now() + timedelta(days=6),
        user__email="raced@knpa.example",
    )
    results, errors = race(certificate_reminders_queue)
    assert errors == []
    reminder = wait_for_sent(certificate)
    assert reminder.days_before == 7
    assert sorted(pk for ids in results for pk in ids) == [reminder.pk]
    kind = "certificates.tasks.certificate_reminder_send_task"
    assert (
        OutboxMessage.objects.filter(kind=kind, payload={"reminder_id": reminder.pk}).count() == 1
    )
    assert len(messages_to(celery_worker, certificate.user.email)) == 1


def test_renewal_finishes_racing_each_other_issue_one_certificate_rendered_by_the_worker(
    celery_worker, officer, course
):
    course.valid_for_months = 12
    course.save(update_fields=["valid_for_months"])
    enrollment = enrollment_create(user=officer, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    issued = certificate_render(
        certificate_id=certificate_create_for_completion(enrollment=enrollment).pk
    )
    quiz = final_quiz(course=course)
    with time_machine.travel(issued.valid_until - timedelta(days=10)):
        renewal = certificate_renewal_start(certificate=issued, actor=officer)
        # Graded without the quiz_passed receiver finishing it: the threads race to do that.
        attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
        Attempt.objects.filter(pk=attempt.pk).update(
            status="graded", score=100, passed=True, submitted_at=timezone.now()
        )
        results, errors = race(lambda: certificate_renewal_complete(renewal=renewal, actor=officer))
    assert errors == []
    (new,) = Certificate.objects.filter(supersedes=issued)
    assert {certificate.pk for certificate in results} == {new.pk}
    assert AuditEvent.objects.filter(action="certificate.renew").count() == 1
    wait_for(
        lambda: Certificate.objects.filter(pk=issued.pk, status="superseded").exists(),
        message="the worker did not issue the renewed certificate in time",
    )
    new.refresh_from_db()
    assert new.status == Certificate.Status.ISSUED and new.valid_until > issued.valid_until
