"""The cohort report: roster, attendance per session and overall, results and certificates,
and its CSV export.

Trainers running the cohort, programme staff and admins of the host (and co-host) agencies
see every seat; admins of a participating agency see their own agency's seats only; anyone
else gets the same 404 as for a cohort that does not exist.
"""

import csv
import io

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.access import manageable_agency_ids
from cohorts.models import Cohort
from core.audit import AuditContext
from core.csv import csv_attachment, csv_text
from reports.access import access_cohort_report
from reports.selectors.cohort_reports import (
    HELD,
    OTHERS,
    ReportRow,
    report_rows,
    report_seats,
    report_sessions,
    report_summary,
)
from reports.services.exports import cohort_report_export

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
    sessions, rows = cohort_report_export(
        cohort=cohort,
        actor=request.user,
        agency_ids=agency_ids,
        context=AuditContext.from_request(request),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    session_headers = [
        _("Session %(number)s: %(date)s %(start)s-%(end)s (%(zone)s)")
        % {
            "number": number,
            "date": session.date.isoformat(),
            "start": session.start_time.strftime("%H:%M"),
            "end": session.end_time.strftime("%H:%M"),
            "zone": session.time_zone,
        }
        for number, session in enumerate(sessions, start=1)
    ]
    writer.writerow(
        [
            _("Officer"),
            _("Email"),
            _("Agency"),
            _("Seat status"),
            _("Walk-in"),
            *[csv_text(header) for header in session_headers],
            _("Sessions attended"),
            _("Sessions"),
            _("Attendance (%)"),
            _("Prerequisite modules done"),
            _("Prerequisite modules"),
            _("Assessment"),
            _("Best score (%)"),
            _("Completed"),
            _("Certificate"),
            _("Certificate status"),
        ]
    )
    for row in rows:
        writer.writerow(_csv_row(cohort, row))
    stamp = timezone.localdate().isoformat()
    return csv_attachment(buffer.getvalue(), f"cohort-{cohort.pk}-report-{stamp}.csv")


def _csv_row(cohort: Cohort, row: ReportRow) -> list:
    seat, facts, certificate = row.seat, row.facts, row.certificate
    if not cohort.assessment_id:
        assessment = ""
    elif facts["assessment_passed"]:
        assessment = _("passed")
    else:
        assessment = _("not yet")
    return [
        csv_text(row.name),
        csv_text(seat.user.email),
        csv_text(seat.agency.name),
        csv_text(seat.get_status_display()),
        _("yes") if seat.walk_in else _("no"),
        *[csv_text(label) for _status, label in row.mark_labels],
        facts["sessions_attended"],
        facts["sessions_total"],
        facts["attendance_percent"],
        facts["modules_done"],
        facts["modules_total"],
        assessment,
        "" if row.best_score is None else row.best_score,
        "" if seat.completed_at is None else timezone.localdate(seat.completed_at).isoformat(),
        csv_text(certificate.serial if certificate else ""),
        csv_text(certificate.get_status_display() if certificate else ""),
    ]
