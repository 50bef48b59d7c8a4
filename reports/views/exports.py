"""Table exports (CSV and XLSX) for every registered table (reports.exports.registry).

Up to EXPORT_ASYNC_ROWS rows the file is made in the request; over that, a page offers to
build it in the background (an ExportJob, built by the worker), whose progress page polls
its JSON and, once ready, links the file: for its owner only, until EXPORT_LINK_HOURS.

The table's access check comes first (404 for missing and forbidden alike), then, where
personal data leaves, the password again; every file sent is audited.
"""

from functools import wraps

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.audit import AuditContext
from reports.access import access_export_job
from reports.exports.registry import ExportTable, Params, export_table
from reports.exports.writers import CONTENT_TYPES, write_table
from reports.models import ExportJob
from reports.selectors.export_jobs import export_jobs_recent
from reports.services.export_jobs import (
    export_filename,
    export_job_create,
    export_job_download_record,
    export_record,
)

FORMATS = ("csv", "xlsx")
Status = ExportJob.Status


def export_params(query) -> Params:
    """The table's parameters from a query string: every key but the page, one value as a
    string, repeated values as a list (JSON-safe, so a worker can use them later)."""
    params: Params = {}
    for key in query:
        if key == "page":
            continue
        values = query.getlist(key)
        params[key] = values[0] if len(values) == 1 else values
    return params


def _table_or_404(name: str, fmt: str) -> ExportTable:
    table = export_table(name)
    if table is None or fmt not in FORMATS:
        raise Http404
    return table


@login_required
@require_http_methods(["GET", "POST"])
def export(request, table: str, fmt: str):
    export = _table_or_404(table, fmt)
    params = export_params(request.GET)
    # The access check comes before re-authentication, so a stranger gets the same 404 as
    # for a missing object instead of a password prompt.
    agency = export.scope(request.user, params)
    send = _send_personal if export.asks_password(request.user, params) else _send
    return send(request, export=export, fmt=fmt, params=params, agency=agency)


@reauthentication_required
def _send_personal(request, **kwargs) -> HttpResponse:
    return _send(request, **kwargs)


def _send(request, *, export: ExportTable, fmt: str, params: Params, agency) -> HttpResponse:
    rows_total = export.count(request.user, params)
    if rows_total > settings.EXPORT_ASYNC_ROWS:
        return _offer_job(
            request, export=export, fmt=fmt, params=params, agency=agency, rows_total=rows_total
        )
    written = 0

    def progress(done: int) -> None:
        nonlocal written
        written = done

    content = write_table(
        fmt,
        title=export.title(params),
        columns=export.columns(params),
        rows=export.rows(request.user, params),
        progress=progress,
    )
    export_record(
        actor=request.user,
        table=export.name,
        fmt=fmt,
        params=params,
        rows=written,
        agency=agency,
        context=AuditContext.from_request(request),
    )
    return file_response(content, fmt=fmt, filename=export_filename(table=export.name, fmt=fmt))


def file_response(content: bytes, *, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _offer_job(request, *, export, fmt, params, agency, rows_total) -> HttpResponse:
    if request.method == "POST":
        job = export_job_create(
            user=request.user,
            table=export.name,
            fmt=fmt,
            params=params,
            agency=agency,
            rows_total=rows_total,
            language=translation.get_language() or "",
            time_zone=timezone.get_current_timezone_name(),
            context=AuditContext.from_request(request),
        )
        return redirect("reports:export_job", job_id=job.pk)
    context = {
        "title": export.title(params),
        "format_label": ExportJob.Format(fmt).label,
        "rows_total": rows_total,
        "limit": settings.EXPORT_ASYNC_ROWS,
        "link_hours": settings.EXPORT_LINK_HOURS,
    }
    return render(request, "reports/exports/confirm.html", context)


def _job_state(job: ExportJob) -> dict:
    """What the job page and its JSON both show."""
    now = timezone.now()
    expired = job.expires_at is not None and job.expires_at <= now
    ready = job.status == Status.READY and bool(job.file) and not expired
    table = export_table(job.table)
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": (100 * job.rows_done // job.rows_total) if job.rows_total else 0,
        "ready": ready,
        "expired": job.status == Status.READY and not ready,
        "finished": job.status in (Status.READY, Status.FAILED),
        "title": table.title(job.params) if table else job.table,
        "text": _("%(status)s: %(done)s of %(total)s rows written.")
        % {
            "status": job.get_status_display(),
            "done": formats.number_format(job.rows_done, force_grouping=True),
            "total": formats.number_format(job.rows_total, force_grouping=True),
        },
        "error": job.error,
        "download_url": reverse("reports:export_job_download", args=[job.pk]) if ready else "",
        "expires_at": (
            formats.date_format(timezone.localtime(job.expires_at), "DATETIME_FORMAT")
            if job.expires_at
            else ""
        ),
    }


def _owned_job(request, job_id: int) -> ExportJob:
    """The user's own job; 404 for anyone else's, before the method is looked at, so a
    stranger's POST is told nothing either."""
    job = access_export_job(user=request.user, job_id=job_id)
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowed
    return job


class MethodNotAllowed(Exception):
    """Answered 405 by the views below."""


def _get_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except MethodNotAllowed:
            return HttpResponseNotAllowed(["GET", "HEAD"])

    return wrapper


@login_required
@_get_only
def job(request, job_id: int):
    job = _owned_job(request, job_id)
    return render(request, "reports/exports/job.html", {"job": job, "state": _job_state(job)})


@login_required
@_get_only
def job_status(request, job_id: int):
    job = _owned_job(request, job_id)
    return JsonResponse(_job_state(job))


@login_required
@_get_only
def job_download(request, job_id: int):
    job = _owned_job(request, job_id)
    state = _job_state(job)
    if state["expired"]:
        return render(request, "reports/exports/gone.html", {"job": job}, status=410)
    if not state["ready"]:
        raise Http404
    table = export_table(job.table)
    # A table unknown since the job was made is treated as personal: ask rather than not.
    asks = table is None or table.asks_password(request.user, job.params)
    send = _download_personal if asks else _download
    return send(request, job=job)


@reauthentication_required
def _download_personal(request, *, job: ExportJob):
    return _download(request, job=job)


def _download(request, *, job: ExportJob):
    export_job_download_record(
        job=job, actor=request.user, context=AuditContext.from_request(request)
    )
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES[job.format],
    )


@login_required
@require_GET
def jobs(request):
    rows = [(job, _job_state(job)) for job in export_jobs_recent(user=request.user)]
    return render(request, "reports/exports/jobs.html", {"rows": rows})
