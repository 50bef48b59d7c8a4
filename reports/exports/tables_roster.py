"""The agency roster as an export table ("roster"): one row per member with the roster's
filters (q, status, role). Parameters: agency (id), q, status, role. Personal: names and
emails leave, so the password is asked again."""

from django.utils.translation import gettext as _

from accounts.access import access_agency
from accounts.models import Agency
from accounts.permissions import Action
from reports.exports.registry import ExportTable, Params, export_table_register, param_id
from reports.forms import ROSTER_STATUS_LABELS, RosterFilterForm
from reports.selectors.rosters import agency_roster


def roster_filters(params: Params) -> dict[str, str]:
    """The roster's filters from the parameters, validated as the page validates them."""
    return RosterFilterForm({key: params.get(key, "") for key in ("q", "status", "role")}).filters()


def _scope(user, params: Params) -> Agency:
    return access_agency(
        user=user, agency_id=param_id(params, "agency"), action=Action.EXPORT_ROSTER
    )


def _title(params: Params) -> str:
    return _("Roster")


def _columns(params: Params) -> list[str]:
    return [
        _("Full name"),
        _("Email"),
        _("Role"),
        _("Status"),
        _("Vetted"),
        _("Last sign-in"),
        _("Course enrollments"),
        _("Certificates issued"),
    ]


def _members(user, params: Params):
    agency = _scope(user, params)
    return agency_roster(agency=agency, **roster_filters(params))


def _count(user, params: Params) -> int:
    return _members(user, params).count()


def roster_row(member) -> list:
    return [
        member.user.full_name,
        member.user.email,
        member.get_role_display(),
        str(ROSTER_STATUS_LABELS[member.roster_status]),
        member.vetted_at,
        member.user.last_login,
        member.enrollment_count,
        member.certificate_count,
    ]


def _rows(user, params: Params):
    for member in _members(user, params).iterator(chunk_size=2000):
        yield roster_row(member)


ROSTER = export_table_register(
    ExportTable(
        name="roster",
        title=_title,
        personal=True,
        scope=_scope,
        columns=_columns,
        count=_count,
        rows=_rows,
    )
)
