"""The "compliance" export table: each officer of an agency against the requirement set the
agency follows (parameter: agency). Personal: names and emails leave, so the password is
asked again. Same access as the agency's dashboard (Action.VIEW_DASHBOARD)."""

from datetime import timedelta
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.access import access_agency
from accounts.models import Membership
from accounts.permissions import Action, memberships_that_count
from courses.models import TrainingCategory
from reports.exports.registry import ExportTable, Params, export_table_register
from reports.selectors.compliance import officers_compliance, state_labels
from reports.selectors.hours import TOTAL

# Officers evaluated per batch: a fixed number of queries per batch, bounded memory.
CHUNK = 2000
CENT = Decimal("0.01")
ONE_DAY = timedelta(days=1)


def _scope(user, params: Params):
    try:
        agency_id = int(params.get("agency", ""))
    except (TypeError, ValueError):
        raise Http404 from None
    return access_agency(user=user, agency_id=agency_id, action=Action.VIEW_DASHBOARD)


def _officers(agency):
    return (
        memberships_that_count()
        .filter(agency=agency, role=Membership.Role.OFFICER)
        .order_by("user__full_name", "user_id")
    )


def _columns(params: Params) -> list[str]:
    return [
        _("Full name"),
        _("Email"),
        _("Unit"),
        _("Compliance"),
        _("Cycle start"),
        _("Cycle's last day"),
        *[
            _("%(category)s (hours)") % {"category": label}
            for _value, label in TrainingCategory.choices
        ],
        _("Total hours"),
        _("Still to do"),
    ]


def _rows(user, params: Params):
    agency = _scope(user, params)
    labels = state_labels()
    rows = _officers(agency).values_list(
        "user_id", "agency_id", "created_at", "user__full_name", "user__email", "unit__name"
    )
    batch = []
    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) == CHUNK:
            yield from _batch_rows(batch, labels)
            batch = []
    if batch:
        yield from _batch_rows(batch, labels)


def _batch_rows(batch, labels):
    results = officers_compliance(officers=[row[:3] for row in batch])
    for user_id, _agency_id, _started, name, email, unit in batch:
        result = results[user_id]
        hours = [
            result.hours.get(category, Decimal(0)).quantize(CENT) if result.hours else None
            for category in [*TrainingCategory.values, TOTAL]
        ]
        yield [
            name,
            email,
            unit or "",
            labels[result.state],
            result.cycle_start,
            # The selector's cycle is [start, end): people read the last day.
            result.cycle_end - ONE_DAY if result.cycle_end else None,
            *hours,
            "; ".join(result.shortfalls),
        ]


COMPLIANCE = export_table_register(
    ExportTable(
        name="compliance",
        title=lambda params: _("Training compliance"),
        personal=True,
        scope=_scope,
        columns=_columns,
        count=lambda user, params: _officers(_scope(user, params)).count(),
        rows=_rows,
    )
)
