"""Celery tasks for certificates: thin, take ids, safe to run twice."""

from celery import shared_task

from certificates.services import certificate_render, certificate_sweep


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificate_render_task(*, certificate_id: int) -> str:
    return certificate_render(certificate_id=certificate_id).status


@shared_task
def certificate_sweep_task() -> int:
    return len(certificate_sweep())
