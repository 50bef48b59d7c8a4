"""Celery tasks for assessments: thin, take ids, safe to run twice."""

from celery import shared_task

from assessments.services import lab_trace_pdf_render


@shared_task(acks_late=True, reject_on_worker_lost=True)
def lab_trace_pdf_task(*, trace_id: int) -> bool:
    return lab_trace_pdf_render(trace_id=trace_id).pdf_current
