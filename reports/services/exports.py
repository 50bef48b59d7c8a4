"""Writes for reports: a roster export, a cohort report export and a person's own data export
are each recorded in the audit trail."""

from django.db import transaction

from accounts.audit import audit_log
from accounts.models import Agency, Membership, User
from cohorts.models import Cohort
from core.audit import AuditContext
from reports.exports.tables_cohort_report import cohort_report_agency
from reports.personal_data import personal_data
from reports.selectors.cohort_reports import ReportRow, report_export_rows
from reports.selectors.rosters import agency_roster


@transaction.atomic
def roster_export(
    *,
    agency: Agency,
    actor: User,
    search: str = "",
    status: str = "",
    role: str = "",
    context: AuditContext | None = None,
) -> list[Membership]:
    """The filtered roster rows for a CSV file, with an audit row saying who took them."""
    rows = list(agency_roster(agency=agency, search=search, status=status, role=role))
    audit_log(
        action="roster.export",
        actor=actor,
        target=agency,
        agency=agency,
        details={
            "filters": {"q": search, "status": status, "role": role},
            "rows": len(rows),
        },
        context=context,
    )
    return rows


@transaction.atomic
def cohort_report_export(
    *,
    cohort: Cohort,
    actor: User,
    agency_ids: set[int] | None = None,
    context: AuditContext | None = None,
) -> tuple[list, list[ReportRow]]:
    """Every seat in the report's scope (held ones and the others) with its facts, for a CSV
    file, and an audit row saying who took them. Returns (sessions, rows)."""
    sessions, rows = report_export_rows(cohort=cohort, agency_ids=agency_ids)
    agency = cohort_report_agency(cohort=cohort, agency_ids=agency_ids)
    audit_log(
        action="report.cohort_export",
        actor=actor,
        target=cohort,
        agency=agency,
        details={
            "cohort_id": cohort.pk,
            "rows": len(rows),
            "agency_ids": None if agency_ids is None else sorted(agency_ids),
        },
        context=context,
    )
    return sessions, rows


def personal_data_export(*, user: User, context: AuditContext | None = None) -> dict:
    """The person's own data (reports.personal_data), with an audit row saying they took it.
    Not atomic itself: its one write, the audit row, is (a read needs no savepoint)."""
    data = personal_data(user=user)
    audit_log(action="account.export", actor=user, target=user, context=context)
    return data
