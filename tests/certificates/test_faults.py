"""Faults that must lose nothing (SECURITY.md): a worker killed mid-render, the broker down
while officers finish courses, and the broker emptied with tasks queued. Real worker
processes on Redis; the sweeper (what beat runs) repairs what the broker lost."""

import os
import signal
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_create_for_completion
from config.celery import app as celery_app
from core.models import OutboxMessage
from core.outbox import outbox_publish, outbox_sweep
from courses.models import Lesson
from courses.services import enrollment_create, lesson_complete
from tests.factories import MembershipFactory, build_course, correct_answers
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def pending_certificates(count: int) -> list[Certificate]:
    course = build_course(modules=1, lessons_per_module=1)
    lesson = Lesson.objects.get(module__course=course)
    certificates = []
    for _ in range(count):
        enrollment = enrollment_create(user=MembershipFactory().user, course=course)
        lesson_complete(enrollment=enrollment, lesson=lesson)
        enrollment.completed_at = enrollment.enrolled_at
        enrollment.save(update_fields=["completed_at"])
        certificates.append(certificate_create_for_completion(enrollment=enrollment))
    return certificates


def render_messages(ids) -> list[int]:
    """The outbox rows that render these certificates."""
    return [
        OutboxMessage.objects.get(
            kind="certificates.tasks.certificate_render_task", payload={"certificate_id": pk}
        ).pk
        for pk in ids
    ]


def wait_until(condition, timeout: float = 90) -> None:
    wait_for(condition, timeout=timeout, interval=0.01, message="timed out")


def soon():
    """A sweep late enough that every pending row's next try has come."""
    return timezone.now() + timedelta(seconds=django_settings.OUTBOX_BACKOFF_MAX_SECONDS + 1)


def issued(ids) -> int:
    return Certificate.objects.filter(pk__in=ids, status=Certificate.Status.ISSUED).count()


def assert_one_pdf_each(ids) -> None:
    files = default_storage.listdir("certificates")[1]
    for certificate in Certificate.objects.filter(pk__in=ids):
        assert certificate.status == Certificate.Status.ISSUED
        assert default_storage.exists(certificate.pdf.name)
        assert [name for name in files if name.startswith(certificate.serial)] == [
            f"{certificate.serial}.pdf"
        ]


def test_worker_killed_mid_render_loses_nothing_and_duplicates_nothing(worker_factory, settings):
    # A batch long enough that the worker is surely mid-way when it is killed: it is killed
    # once one PDF is stored, each takes 0.1-0.2 s to draw and sign, and under load the kill
    # came 5 PDFs late; 30 leave seconds to spare (60 cost a minute under load).
    certificates = pending_certificates(30)
    ids = [c.pk for c in certificates]
    first = worker_factory()
    for message_id in render_messages(ids):
        outbox_publish(message_id=message_id)
    wait_until(lambda: issued(ids) >= 1)
    os.kill(first.pid, signal.SIGKILL)  # kill -9, in the middle of the batch
    first.wait()
    done_before_kill = issued(ids)
    print(f"issued before kill -9: {done_before_kill} of {len(ids)}")
    assert done_before_kill < len(ids)

    # The message the dead worker held is unacknowledged; the sweeper re-queues what is
    # still pending, and a new worker finishes the batch.
    settings.OUTBOX_STALE_SECONDS = 0
    outbox_sweep(now=soon())
    worker_factory()
    wait_until(lambda: issued(ids) == len(ids))
    assert_one_pdf_each(ids)


def _reset_broker_connections() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_broker_down_while_officers_finish_then_every_certificate_is_issued(
    client, worker_factory, settings
):
    course = build_course(modules=1, lessons_per_module=1, questions=2)
    officer = MembershipFactory().user
    enrollment_create(user=officer, course=course)
    lesson = Lesson.objects.get(module__course=course)
    quiz = course.modules.get().quiz
    client.force_login(officer)

    working_broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    _reset_broker_connections()
    try:
        complete = reverse(
            "courses:lesson_complete", args=[course.slug, lesson.module.slug, lesson.slug]
        )
        assert client.post(complete).status_code == 302
        start = client.post(
            reverse("assessments:quiz_start", args=[course.slug, lesson.module.slug])
        )
        data = {f"q_{key}": value for key, value in correct_answers(quiz).items()}
        data.update({f"q_{key}__shown": "1" for key in correct_answers(quiz)})
        response = client.post(start["Location"], data)
        assert response.status_code == 302  # the page works without the broker
        certificate = Certificate.objects.get(user=officer)
        assert certificate.status == Certificate.Status.PENDING
    finally:
        celery_app.conf.broker_url = working_broker
        _reset_broker_connections()

    settings.OUTBOX_STALE_SECONDS = 0
    # the broker is back: beat's sweep
    assert outbox_sweep(now=soon()) == render_messages([certificate.pk])
    worker_factory()
    wait_until(lambda: issued([certificate.pk]) == 1)
    assert_one_pdf_each([certificate.pk])


def test_flushed_broker_is_rebuilt_from_the_database(worker_factory, settings):
    certificates = pending_certificates(5)
    ids = [c.pk for c in certificates]
    for message_id in render_messages(ids):
        outbox_publish(message_id=message_id)
    redis.Redis.from_url(django_settings.REDIS_URL).flushdb()  # every queued task is gone
    settings.OUTBOX_STALE_SECONDS = 0
    assert sorted(outbox_sweep(now=soon())) == sorted(render_messages(ids))
    worker_factory()
    wait_until(lambda: issued(ids) == len(ids))
    assert_one_pdf_each(ids)


def test_flush_under_a_running_worker_still_delivers(worker_factory, settings):
    worker_factory()
    redis.Redis.from_url(django_settings.REDIS_URL).flushdb()  # queue bindings are gone too
    certificates = pending_certificates(3)
    ids = [c.pk for c in certificates]
    settings.OUTBOX_STALE_SECONDS = 0
    outbox_sweep(now=soon())
    wait_until(lambda: issued(ids) == len(ids), timeout=30)
    assert_one_pdf_each(ids)
