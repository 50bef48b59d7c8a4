"""Writes for reports: a roster export and a cohort report export are each recorded in the
audit trail."""

from django.db import transaction
from django.http import HttpRequest

from accounts.audit import audit_log
from accounts.models import Agency, Membership, User
from cohorts.models import Cohort, Seat
from reports.selectors import (
    ALL,
    ReportRow,
    agency_roster,
    report_rows,
    report_seats,
    report_sessions,
)


@transaction.atomic
def roster_export(
    *,
    agency: Agency,
    actor: User,
    search: str = "",
    status: str = "",
    role: str = "",
    request: HttpRequest | None = None,
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
        request=request,
    )
    return rows


@transaction.atomic
def cohort_report_export(
    *,
    cohort: Cohort,
    actor: User,
    agency_ids: set[int] | None = None,
    request: HttpRequest | None = None,
) -> tuple[list, list[ReportRow]]:
    """Every seat in the report's scope (held ones and the others) with its facts, for a CSV
    file, and an audit row saying who took them. Returns (sessions, rows)."""
    sessions = report_sessions(cohort=cohort)
    seats = list(report_seats(cohort=cohort, section=ALL, agency_ids=agency_ids))
    # Held seats first, then the others; each part in name order.
    seats.sort(key=lambda seat: seat.status != Seat.Status.APPROVED)
    rows = report_rows(cohort=cohort, seats=seats, sessions=sessions)
    # A participating agency's admin exports their own agency's rows: the audit row belongs
    # to that agency; a whole-cohort export belongs to the host.
    agency = cohort.host_agency
    if agency_ids is not None and len(agency_ids) == 1:
        agency = Agency.objects.filter(pk=next(iter(agency_ids))).first() or agency
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
        request=request,
    )
    return sessions, rows
