"""The cohort report as an export table ("cohort_report"): every seat in the viewer's scope
(held ones first, then the others), with a mark per session, completion facts, assessment
and certificate. Parameters: cohort (id). Personal: names and emails leave."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency
from cohorts.models import Cohort
from reports.access import access_cohort_report
from reports.exports.registry import ExportTable, Params, export_table_register, param_id
from reports.selectors.cohort_reports import (
    ALL,
    ReportRow,
    report_export_rows,
    report_seats,
    report_sessions,
)


def cohort_report_agency(*, cohort: Cohort, agency_ids: set[int] | None) -> Agency:
    """The agency an export of this report belongs to: a participating agency's admin
    exports their own agency's rows; a whole-cohort export belongs to the host."""
    if agency_ids is not None and len(agency_ids) == 1:
        return Agency.objects.filter(pk=next(iter(agency_ids))).first() or cohort.host_agency
    return cohort.host_agency


def _access(user, params: Params) -> tuple[Cohort, set[int] | None]:
    return access_cohort_report(user=user, cohort_id=param_id(params, "cohort"))


def _scope(user, params: Params) -> Agency:
    cohort, agency_ids = _access(user, params)
    return cohort_report_agency(cohort=cohort, agency_ids=agency_ids)


def _title(params: Params) -> str:
    return _("Cohort report")


def cohort_report_columns(sessions) -> list[str]:
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
    return [
        _("Officer"),
        _("Email"),
        _("Agency"),
        _("Seat status"),
        _("Walk-in"),
        *session_headers,
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


def _columns(params: Params) -> list[str]:
    cohort = Cohort.objects.filter(pk=param_id(params, "cohort")).first()
    return cohort_report_columns(report_sessions(cohort=cohort) if cohort else [])


def cohort_report_row(cohort: Cohort, row: ReportRow) -> list:
    seat, facts, certificate = row.seat, row.facts, row.certificate
    if not cohort.assessment_id:
        assessment = ""
    elif facts["assessment_passed"]:
        assessment = _("passed")
    else:
        assessment = _("not yet")
    return [
        row.name,
        seat.user.email,
        seat.agency.name,
        seat.get_status_display(),
        _("yes") if seat.walk_in else _("no"),
        *[label for _status, label in row.mark_labels],
        facts["sessions_attended"],
        facts["sessions_total"],
        facts["attendance_percent"],
        facts["modules_done"],
        facts["modules_total"],
        assessment,
        row.best_score,
        None if seat.completed_at is None else timezone.localdate(seat.completed_at),
        certificate.serial if certificate else "",
        certificate.get_status_display() if certificate else "",
    ]


def _count(user, params: Params) -> int:
    cohort, agency_ids = _access(user, params)
    return report_seats(cohort=cohort, section=ALL, agency_ids=agency_ids).count()


def _rows(user, params: Params):
    cohort, agency_ids = _access(user, params)
    _sessions, rows = report_export_rows(cohort=cohort, agency_ids=agency_ids)
    for row in rows:
        yield cohort_report_row(cohort, row)


COHORT_REPORT = export_table_register(
    ExportTable(
        name="cohort_report",
        title=_title,
        personal=True,
        scope=_scope,
        columns=_columns,
        count=_count,
        rows=_rows,
    )
)
