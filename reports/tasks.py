"""Celery tasks for reports: thin, take ids, safe to run twice."""

from celery import shared_task

from core.outbox import outbox_hooks_register
from reports.models import ComplianceSummary
from reports.services.compliance_states import (
    compliance_state_refresh_officer,
    compliance_states_refresh,
    compliance_states_refresh_all,
)
from reports.services.compliance_summary import (
    compliance_summaries_queue,
    compliance_summary_reopen,
    compliance_summary_send,
)
from reports.services.export_jobs import (
    export_job_build,
    export_job_give_up,
    export_job_reopen,
    export_jobs_expire,
)
from reports.services.transcripts import (
    transcript_give_up,
    transcript_render,
    transcript_reopen,
)


class SummaryNotSent(Exception):
    """This attempt failed (the reason is on the summary); the outbox tries again."""


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compliance_summary_send_task(*, summary_id: int) -> bool:
    if compliance_summary_send(summary_id=summary_id):
        return True
    summary = ComplianceSummary.objects.filter(pk=summary_id).first()
    raise SummaryNotSent(summary.last_error if summary else "")


outbox_hooks_register(compliance_summary_send_task, on_send_again=compliance_summary_reopen)


@shared_task
def compliance_summaries_task() -> int:
    """Daily in beat; sends each agency admin's summary once a month (a unique row each)."""
    return len(compliance_summaries_queue())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_build_task(*, job_id: int) -> str:
    """Build an export's file (a ready job is left alone; a cut-short one starts again)."""
    return export_job_build(job_id=job_id).status


outbox_hooks_register(
    export_build_task, on_give_up=export_job_give_up, on_send_again=export_job_reopen
)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def transcript_render_task(*, transcript_id: int) -> str:
    """Make a signed PDF transcript (a ready one is left alone)."""
    return transcript_render(transcript_id=transcript_id).status


outbox_hooks_register(
    transcript_render_task, on_give_up=transcript_give_up, on_send_again=transcript_reopen
)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_files_expire_task() -> int:
    """Daily: delete the files of exports whose link has expired."""
    return len(export_jobs_expire())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compliance_state_refresh_task(*, user_id: int) -> int:
    """One officer's evidence changed: judge their memberships again (idempotent)."""
    return compliance_state_refresh_officer(user_id=user_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compliance_states_refresh_task(*, agency_id: int) -> int:
    """An agency's requirement changed: judge all its officers again (idempotent)."""
    return compliance_states_refresh(agency_id=agency_id)


@shared_task
def compliance_states_daily_task() -> int:
    """Daily in beat: states move with the date (at risk, overdue, a new cycle)."""
    return compliance_states_refresh_all()
