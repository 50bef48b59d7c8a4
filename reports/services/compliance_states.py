"""Writes of the officer compliance summary (reports.models.ComplianceState): each officer
membership's state as judged by reports.selectors.compliance.officers_compliance, so the
dashboards count states with one GROUP BY instead of judging every officer on every view.

Derived data: no audit row per refresh. The writes that change the evidence (lessons,
attendance, certificates, vetting, the requirement chosen) are audited where they happen;
this table only repeats what the compliance selector says about them.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from reports.models import AgencyRequirement, ComplianceState
from reports.selectors.compliance import officers_compliance

BATCH = 2000
UPDATED_FIELDS = [
    "user",
    "agency",
    "requirement_set",
    "state",
    "cycle_start",
    "cycle_end",
    "hours",
    "shortfalls",
    "computed_at",
]


def _write(batch: list[tuple[int, int, int, object]], *, today: date | None) -> int:
    """Judge one batch of (membership id, user id, agency id, started) and upsert its rows
    in one transaction."""
    judged = officers_compliance(
        officers=[(user_id, agency_id, started) for _pk, user_id, agency_id, started in batch],
        today=today,
    )
    now = timezone.now()
    rows = []
    for membership_id, user_id, agency_id, _started in batch:
        result = judged.get(user_id)
        if result is None:
            continue
        rows.append(
            ComplianceState(
                membership_id=membership_id,
                user_id=user_id,
                agency_id=agency_id,
                requirement_set_id=result.requirement_set_id,
                state=result.state,
                cycle_start=result.cycle_start,
                cycle_end=result.cycle_end,
                hours={category: str(value) for category, value in result.hours.items()},
                shortfalls=result.facts,
                computed_at=now,
            )
        )
    with transaction.atomic():
        ComplianceState.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["membership"],
            update_fields=UPDATED_FIELDS,
        )
    return len(rows)


def compliance_states_refresh(
    *, agency_id: int, user_ids: list[int] | None = None, today: date | None = None
) -> int:
    """Judge the agency's officer memberships (every roster status: the dashboards filter
    by status), or only those of `user_ids`, in batches of BATCH officers, each written in
    one transaction; rows of memberships no longer there (or of an agency that follows no
    requirement any more) are deleted. Returns the number of rows written. Derived data: no
    audit row (the evidence writes are audited)."""
    stale = ComplianceState.objects.filter(agency_id=agency_id)
    if user_ids is not None:
        stale = stale.filter(user_id__in=user_ids)
    if not AgencyRequirement.objects.filter(agency_id=agency_id).exists():
        stale.delete()
        return 0
    members = Membership.objects.filter(agency_id=agency_id, role=Membership.Role.OFFICER)
    if user_ids is not None:
        members = members.filter(user_id__in=user_ids)
    stale.exclude(membership__in=members).delete()
    written = 0
    batch: list = []
    for row in members.order_by("pk").values_list("pk", "user_id", "agency_id", "created_at"):
        batch.append(row)
        if len(batch) >= BATCH:
            written += _write(batch, today=today)
            batch = []
    if batch:
        written += _write(batch, today=today)
    return written


def compliance_state_refresh_officer(*, user_id: int, today: date | None = None) -> int:
    """Refresh one officer's rows in each agency where they are an officer (or have a row)."""
    agency_ids = set(
        Membership.objects.filter(
            user_id=user_id, role=Membership.Role.OFFICER, agency__isnull=False
        ).values_list("agency_id", flat=True)
    ) | set(ComplianceState.objects.filter(user_id=user_id).values_list("agency_id", flat=True))
    return sum(
        compliance_states_refresh(agency_id=agency_id, user_ids=[user_id], today=today)
        for agency_id in sorted(agency_ids)
    )


def compliance_states_refresh_all(*, today: date | None = None) -> int:
    """Daily: every agency with a requirement (states move with the date: at risk, overdue,
    a new cycle), and no rows left for agencies without one."""
    with_requirement = set(AgencyRequirement.objects.values_list("agency_id", flat=True))
    ComplianceState.objects.exclude(agency_id__in=with_requirement).delete()
    return sum(
        compliance_states_refresh(agency_id=agency_id, today=today)
        for agency_id in sorted(with_requirement)
    )
