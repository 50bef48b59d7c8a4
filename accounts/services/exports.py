"""The audit export's own audit row: who took which rows of the trail, or was refused."""

from typing import Any

from django.db import transaction

from accounts.audit import audit_log
from accounts.models import Agency, AuditEvent, User
from core.audit import AuditContext


@transaction.atomic
def audit_export_record(
    *,
    actor: User,
    agency: Agency | None,
    filters: dict[str, Any],
    rows: int,
    refused: str = "",
    context: AuditContext | None = None,
) -> AuditEvent:
    """Record an export of `rows` audit rows under `filters`; with `refused`, the reason the
    export was refused (a failure row)."""
    details: dict[str, Any] = {"filters": filters, "rows": rows}
    if refused:
        details["refused"] = refused
    return audit_log(
        action="audit.export",
        actor=actor,
        agency=agency,
        outcome=AuditEvent.Outcome.FAILURE if refused else AuditEvent.Outcome.SUCCESS,
        details=details,
        context=context,
    )
