"""Reads for export jobs: a user's own recent exports."""

from django.db.models import QuerySet

from reports.models import ExportJob

RECENT_JOBS = 50


def export_jobs_recent(*, user) -> QuerySet[ExportJob]:
    """The user's own exports, newest first (at most RECENT_JOBS)."""
    return ExportJob.objects.filter(user=user).order_by("-created_at", "-pk")[:RECENT_JOBS]
