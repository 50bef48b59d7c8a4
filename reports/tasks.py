"""Celery tasks for reports: thin, take ids, safe to run twice."""

from celery import shared_task

from core.outbox import outbox_hooks_register
from reports.services.export_jobs import (
    export_job_build,
    export_job_give_up,
    export_job_reopen,
    export_jobs_expire,
)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_build_task(*, job_id: int) -> str:
    """Build an export's file (a ready job is left alone; a cut-short one starts again)."""
    return export_job_build(job_id=job_id).status


outbox_hooks_register(
    export_build_task, on_give_up=export_job_give_up, on_send_again=export_job_reopen
)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_files_expire_task() -> int:
    """Daily: delete the files of exports whose link has expired."""
    return len(export_jobs_expire())
