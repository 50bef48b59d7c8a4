"""Writes for table exports: the audit row of a direct download, and the export jobs a worker
builds when a table is over EXPORT_ASYNC_ROWS rows (request, build, download, expiry).

A job is built inside the outbox's transaction (core.outbox.outbox_deliver holds one while
the task runs), where nothing is visible to the job's page until the end. Progress is
therefore written on a second, autocommitting connection, so the page polling the job sees
the rows move; everything else goes through the usual connection.
"""

import logging
import secrets
import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import Agency, User
from core.audit import AuditContext
from core.outbox import enqueue_on_commit
from reports.exports.registry import Params, export_table
from reports.exports.writers import PROGRESS_EVERY, write_table
from reports.models import ExportJob

logger = logging.getLogger(__name__)

Status = ExportJob.Status


def export_filename(*, table: str, fmt: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f"{table.replace('_', '-')}-{stamp}.{fmt}"


@transaction.atomic
def export_record(
    *,
    actor: User,
    table: str,
    fmt: str,
    params: Params,
    rows: int,
    agency: Agency | None,
    context: AuditContext | None = None,
) -> None:
    """The audit row of a file sent in the request: which table, format, parameters and
    how many rows, and whose agency's data it was."""
    audit_log(
        action="report.export",
        actor=actor,
        agency=agency,
        details={"table": table, "format": fmt, "params": params, "rows": rows},
        context=context,
    )


@transaction.atomic
def export_job_create(
    *,
    user: User,
    table: str,
    fmt: str,
    params: Params,
    agency: Agency | None,
    rows_total: int,
    language: str = "",
    time_zone: str = "",
    context: AuditContext | None = None,
) -> ExportJob:
    """A job for the worker to build this export, handed to it through the outbox once the
    request commits, and an audit row saying who asked for what."""
    from reports.tasks import export_build_task

    job = ExportJob(
        user=user,
        agency=agency,
        table=table,
        params=params,
        format=fmt,
        rows_total=rows_total,
        language=language,
        time_zone=time_zone,
    )
    job.full_clean()
    job.save()
    audit_log(
        action="report.export_requested",
        actor=user,
        target=job,
        agency=agency,
        details={"table": table, "format": fmt, "params": params, "rows": rows_total},
        context=context,
    )
    enqueue_on_commit(export_build_task, job_id=job.pk)
    return job


class _SideWriter:
    """Writes to the job's row on a connection of its own, committed at once."""

    FIELDS = frozenset({"status", "rows_done", "rows_total", "error"})

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def update(self, **fields: Any) -> None:
        if not fields.keys() <= self.FIELDS:
            raise ValueError(sorted(fields))
        quote = self.connection.ops.quote_name
        assignments = ", ".join(f"{quote(name)} = %s" for name in fields)
        sql = f"UPDATE {quote(ExportJob._meta.db_table)} SET {assignments} WHERE id = %s"  # noqa: S608 (names from FIELDS)
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*fields.values(), self.job_id])

    def close(self) -> None:
        self.connection.close()


def _activate_requester(job: ExportJob):
    """Translation and time zone of the person who asked (as the direct download has)."""
    language = job.language or job.user.language or settings.LANGUAGE_CODE
    zone_name = job.time_zone or job.user.time_zone
    zone = zoneinfo.ZoneInfo(zone_name) if zone_name else timezone.get_default_timezone()
    return translation.override(language), timezone.override(zone)


def _delete_on_commit(name: str) -> None:
    # After the commit: a rollback must not leave a job pointing at a deleted file.
    transaction.on_commit(lambda: default_storage.delete(name))


def export_job_build(*, job_id: int, progress_every: int = PROGRESS_EVERY) -> ExportJob:
    """Build the job's file: check again that its owner may still export the table, write
    the rows (saving progress every `progress_every` rows where the page sees it), store
    the file under a random name and mark the job ready until EXPORT_LINK_HOURS from now.

    Safe to run twice: a ready job is left alone; a job whose build was cut short (a worker
    lost mid-way) starts again from the first row. Not atomic: see the module docstring."""
    job = ExportJob.objects.select_related("user", "agency").get(pk=job_id)
    if job.status == Status.READY:
        return job
    language_override, zone_override = _activate_requester(job)
    with language_override, zone_override:
        table = export_table(job.table)
        error = ""
        try:
            if table is None:
                raise Http404
            table.scope(job.user, job.params)
        except Http404:
            error = _(
                "You may no longer export this table (your role or agency has changed), so "
                "the file was not made."
            )
        if error:
            return _fail(job, error)
        side = _SideWriter(job.pk)
        written = 0

        def progress(done: int) -> None:
            nonlocal written
            written = done
            side.update(rows_done=done)

        try:
            side.update(status=Status.RUNNING, rows_done=0, error="")
            content = write_table(
                job.format,
                title=table.title(job.params),
                columns=table.columns(job.params),
                rows=table.rows(job.user, job.params),
                progress=progress,
                every=progress_every,
            )
        finally:
            side.close()
        filename = export_filename(table=job.table, fmt=job.format)
    return _store(job_id=job.pk, content=content, filename=filename, rows=written)


@transaction.atomic
def _store(*, job_id: int, content: bytes, filename: str, rows: int) -> ExportJob:
    job = (
        ExportJob.objects.select_for_update(of=("self",))
        .select_related("user", "agency")
        .get(pk=job_id)
    )
    if job.file:  # a previous attempt's file, if one got this far
        _delete_on_commit(job.file.name)
    name = default_storage.save(
        f"exports/{secrets.token_urlsafe(24)}.{job.format}", ContentFile(content)
    )
    now = timezone.now()
    job.file = name
    job.filename = filename
    job.status = Status.READY
    job.rows_done = rows
    job.rows_total = rows  # the count when asked may have changed since
    job.finished_at = now
    job.expires_at = now + timedelta(hours=settings.EXPORT_LINK_HOURS)
    job.error = ""
    job.save(
        update_fields=[
            "file",
            "filename",
            "status",
            "rows_done",
            "rows_total",
            "finished_at",
            "expires_at",
            "error",
        ]
    )
    audit_log(
        action="report.export_built",
        actor=None,
        target=job,
        agency=job.agency,
        details={"table": job.table, "format": job.format, "rows": rows, "user_id": job.user_id},
    )
    return job


@transaction.atomic
def _fail(job: ExportJob, error: str) -> ExportJob:
    job.status = Status.FAILED
    job.error = error[:300]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    audit_log(
        action="report.export_failed",
        actor=None,
        target=job,
        agency=job.agency,
        outcome="failure",
        details={"table": job.table, "format": job.format, "user_id": job.user_id},
    )
    return job


@transaction.atomic
def export_job_give_up(*, job_id: int) -> None:
    """The outbox gave up building this job (every attempt raised): show it failed, so its
    page stops waiting. Runs in the outbox's transaction."""
    job = ExportJob.objects.select_related("user", "agency").get(pk=job_id)
    if job.status == Status.READY:
        return
    with translation.override(job.language or job.user.language or settings.LANGUAGE_CODE):
        _fail(job, _("The file could not be made. Please ask for the export again."))


@transaction.atomic
def export_job_reopen(*, job_id: int) -> None:
    """Staff sent the outbox row again: the job waits for the worker once more."""
    ExportJob.objects.filter(pk=job_id).exclude(status=Status.READY).update(
        status=Status.PENDING, error="", rows_done=0
    )


@transaction.atomic
def export_job_download_record(
    *, job: ExportJob, actor: User, context: AuditContext | None = None
) -> None:
    """The audit row of a built export's download (only its owner gets this far)."""
    audit_log(
        action="report.export_download",
        actor=actor,
        target=job,
        agency=job.agency,
        details={
            "table": job.table,
            "format": job.format,
            "params": job.params,
            "rows": job.rows_done,
        },
        context=context,
    )


def export_jobs_expire(*, now: datetime | None = None) -> list[int]:
    """Delete the files of exports whose link has expired, each with an audit row; the job
    stays listed, without its file. Returns the ids of the jobs whose file went."""
    now = now or timezone.now()
    ids = list(
        ExportJob.objects.filter(expires_at__lte=now).exclude(file="").values_list("pk", flat=True)
    )
    return [job_id for job_id in ids if _expire_one(job_id=job_id, now=now)]


@transaction.atomic
def _expire_one(*, job_id: int, now: datetime) -> bool:
    job = (
        ExportJob.objects.select_for_update(skip_locked=True)
        .filter(pk=job_id, expires_at__lte=now)
        .exclude(file="")
        .first()
    )
    if job is None:
        return False
    name = job.file.name
    job.file = ""
    job.save(update_fields=["file"])
    audit_log(
        action="report.export_expire",
        actor=None,
        target=job,
        agency=job.agency,
        details={"table": job.table, "format": job.format, "user_id": job.user_id},
    )
    _delete_on_commit(name)
    return True
