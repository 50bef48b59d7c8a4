"""The certificate path through a real Celery worker process on Redis (no eager mode)."""

import time

import pytest
from django.db import transaction

from assessments.services import attempt_start, attempt_submit
from certificates.models import Certificate
from courses.models import Lesson
from courses.services import enrollment_create, lesson_complete
from tests.certificates.pdf import pdf_facts
from tests.factories import CertificateFactory, QuestionFactory, correct_answers
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def wait_for_issue(certificate_id: int) -> Certificate:
    return wait_for(
        lambda: (
            Certificate.objects.exclude(status=Certificate.Status.PENDING)
            .filter(pk=certificate_id)
            .first()
        ),
        message="the worker did not issue the certificate in time",
    )


def test_quiz_pass_to_pdf_through_the_worker(celery_worker, officer, course):
    enrollment = enrollment_create(user=officer, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    modules = list(course.modules.all())
    for module in modules[:-1]:
        attempt = attempt_start(user=officer, quiz=module.quiz, enrollment=enrollment)
        attempt_submit(
            attempt_id=attempt.pk, user=officer, raw_answers=correct_answers(module.quiz)
        )
    last = modules[-1].quiz
    attempt = attempt_start(user=officer, quiz=last, enrollment=enrollment)

    started = time.monotonic()
    attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=correct_answers(last))
    certificate = wait_for_issue(Certificate.objects.get(enrollment=enrollment).pk)
    elapsed = time.monotonic() - started
    print(f"quiz pass to PDF stored through the worker: {elapsed:.2f} s")

    assert certificate.status == Certificate.Status.ISSUED
    facts = pdf_facts(certificate.pdf.read())
    assert facts["pages"] == 1
    assert officer.full_name in facts["text"]
    assert certificate.serial in facts["text"]
    assert facts["qr"] == [certificate.verify_url]


def test_sweeper_task_requeues_a_lost_message(celery_worker, officer, course, settings):
    """A pending row whose broker message never arrived is rebuilt by the sweeper task."""
    from core.models import OutboxMessage
    from core.tasks import outbox_sweep_task

    enrollment = enrollment_create(user=officer, course=course)
    with transaction.atomic():
        certificate = CertificateFactory(
            enrollment=enrollment,
            content_version="lost-message",
            hours="1.0",
            completed_at=enrollment.enrolled_at,
        )
        # Its outbox row, written in the same transaction, but never handed to the broker.
        OutboxMessage.objects.create(
            kind="certificates.tasks.certificate_render_task",
            payload={"certificate_id": certificate.pk},
            next_attempt_at=enrollment.enrolled_at.replace(year=2000),
        )
    # Nothing was queued for this row; the periodic task finds and queues it.
    outbox_sweep_task.delay()
    assert wait_for_issue(certificate.pk).status == Certificate.Status.ISSUED


def test_trace_pdf_is_rendered_by_the_worker(celery_worker, officer, course):
    from assessments.models import LabTrace
    from assessments.questions.lab import lab_graph
    from assessments.services import attempt_start, lab_trace_add_step, lab_trace_pdf_request

    quiz = course.modules.first().quiz
    question = QuestionFactory(
        quiz=quiz, key="lab1", order=99, kind="lab", prompt="Trace.", choices=[], explanation="",
        spec={"params": {"scenario": "peel_chain", "peel_hops": 4, "noise": 5}},
    )  # fmt: skip
    attempt = attempt_start(
        user=officer, quiz=quiz, enrollment=enrollment_create(user=officer, course=course)
    )
    graph = lab_graph(question, attempt.seed)
    trace = lab_trace_add_step(attempt=attempt, question_key="lab1", address=graph.start_address)
    lab_trace_pdf_request(trace=trace)
    wait_for(
        lambda: LabTrace.objects.get(pk=trace.pk).pdf_current,
        message="the worker did not render the trace report",
    )
    assert LabTrace.objects.get(pk=trace.pk).pdf.read().startswith(b"%PDF")
