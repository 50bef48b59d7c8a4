"""Writes for agency reports: a roster export is recorded in the audit trail."""

from django.db import transaction
from django.http import HttpRequest

from accounts.models import Agency, Membership, User
from accounts.services import audit_log
from reports.selectors import agency_roster


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
