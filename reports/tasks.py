"""Celery tasks for reports: thin, take ids, safe to run twice."""

from celery import shared_task

from core.outbox import outbox_hooks_register
from reports.models import ComplianceSummary
from reports.services.compliance_summary import (
    compliance_summaries_queue,
    compliance_summary_reopen,
    compliance_summary_send,
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
