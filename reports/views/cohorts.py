"""The cohort report: roster, attendance per session and overall, results and certificates,
and its CSV export.

Trainers running the cohort, programme staff and admins of the host (and co-host) agencies
see every seat; admins of a participating agency see their own agency's seats only; anyone
else gets the same 404 as for a cohort that does not exist.
"""

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from certificates.access import manageable_agency_ids
from cohorts.models import Cohort
from core.audit import AuditContext
from reports.access import access_cohort_report
from reports.exports.tables_cohort_report import cohort_report_columns, cohort_report_row
from reports.exports.writers import write_csv
from reports.selectors.cohort_reports import (
    HELD,
    OTHERS,
    report_rows,
    report_seats,
    report_sessions,
    report_summary,
)
from reports.services.exports import cohort_report_export
from reports.views.exports import file_response

REPORT_PAGE_SIZE = 100


@login_required
def report(request, cohort_id: int):
    cohort, agency_ids = access_cohort_report(user=request.user, cohort_id=cohort_id)
    section = OTHERS if request.GET.get("show") == OTHERS else HELD
    sessions = report_sessions(cohort=cohort)
    summary = report_summary(cohort=cohort, sessions=sessions, agency_ids=agency_ids)
    seats = report_seats(cohort=cohort, section=section, agency_ids=agency_ids)
    page = Paginator(seats, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = report_rows(cohort=cohort, seats=list(page.object_list), sessions=sessions)
    context = {
        "cohort": cohort,
        "own_agencies_only": agency_ids is not None,
        "section": section,
        "sessions": sessions,
        "summary": summary,
        "page_obj": page,
        "rows": rows,
        # Serials link to the certificate page where the viewer may manage the certificate.
        "manage_agency_ids": manageable_agency_ids(user=request.user),
    }
    return render(request, "reports/cohorts/report.html", context)


@login_required
def export(request, cohort_id: int):
    # The access check comes before re-authentication, so a stranger gets the same 404 as
    # for a missing cohort instead of a password prompt.
    cohort, agency_ids = access_cohort_report(user=request.user, cohort_id=cohort_id)
    return _report_csv(request, cohort, agency_ids)


@reauthentication_required
def _report_csv(request, cohort: Cohort, agency_ids: set[int] | None) -> HttpResponse:
    # The same cells as the "cohort_report" export table, so both give the same file.
    sessions, rows = cohort_report_export(
        cohort=cohort,
        actor=request.user,
        agency_ids=agency_ids,
        context=AuditContext.from_request(request),
    )
    content = write_csv(
        cohort_report_columns(sessions), (cohort_report_row(cohort, row) for row in rows)
    )
    stamp = timezone.localdate().isoformat()
    return file_response(content, fmt="csv", filename=f"cohort-{cohort.pk}-report-{stamp}.csv")
