"""The dashboards' tables as export tables:
- "dashboard_officers": the officers behind one figure of an agency's dashboard (parameters:
  agency, figure and the dashboard's filters). Personal: the password is asked again.
- "dashboard_country" (parameters: country and the filters) and "dashboard_programme" (the
  filters): the headline figures per agency or country and their total, with the SAME
  small-cell suppression as the pages (a hidden cell is written as "<5" or "hidden").
  Not personal: no name leaves, and no count below k."""

from django.http import Http404
from django.utils.translation import gettext as _

from reports.access import (
    access_dashboard_agency,
    access_dashboard_country,
    access_dashboard_programme,
)
from reports.exports.registry import (
    ExportTable,
    Params,
    export_table_register,
    param_id,
    param_text,
)
from reports.forms import ROSTER_STATUS_LABELS, DashboardFilterForm
from reports.selectors.dashboards import (
    COMPLETED,
    CROSS_COLUMNS,
    ENROLLED,
    country_dashboard,
    cross_table,
    dashboard_officers,
    figure_labels,
    figure_valid,
    programme_dashboard,
)

FILTER_KEYS = ("course", "unit", "status", "role", "date_from", "date_to")


def _filters(params: Params, *, agency=None):
    data = {key: param_text(params, key) for key in FILTER_KEYS if key in params}
    return DashboardFilterForm(data, agency=agency).filters()


# The officers behind a figure -------------------------------------------------------------


def _officers_scope(user, params: Params):
    agency = access_dashboard_agency(user=user, agency_id=param_id(params, "agency"))
    if not figure_valid(param_text(params, "figure")):
        raise Http404
    return agency


def _officers(user, params: Params):
    agency = _officers_scope(user, params)
    return dashboard_officers(
        agency=agency,
        figure=param_text(params, "figure"),
        filters=_filters(params, agency=agency),
    )


def _officer_columns(params: Params) -> list[str]:
    return [_("Full name"), _("Email"), _("Unit"), _("Status"), _("Date")]


def _officer_rows(user, params: Params):
    for member in _officers(user, params).iterator(chunk_size=2000):
        yield [
            member.user.full_name,
            member.user.email,
            member.unit.name if member.unit else "",
            str(ROSTER_STATUS_LABELS.get(member.roster_status, member.roster_status)),
            member.figure_date,
        ]


DASHBOARD_OFFICERS = export_table_register(
    ExportTable(
        name="dashboard_officers",
        title=lambda params: _("Officers behind a dashboard figure"),
        personal=True,
        scope=_officers_scope,
        columns=_officer_columns,
        count=lambda user, params: _officers(user, params).count(),
        rows=_officer_rows,
    )
)


# Cross-agency tables ----------------------------------------------------------------------


def _cross_columns(first: str) -> list[str]:
    labels = figure_labels()
    return [
        first,
        labels[CROSS_COLUMNS[0]],
        labels[ENROLLED],
        labels[COMPLETED],
        _("Completion rate (%)"),
        *[labels[column] for column in CROSS_COLUMNS[3:]],
    ]


def _cross_rows(data) -> list[list]:
    rows, total = cross_table(data)
    out = []
    for row in [*rows, total]:
        # The page leaves "not yet evaluated" out while it is 0 everywhere; the file always
        # has the column (its header does not depend on the data): 0 then.
        cells = [
            row.cells[column].export_value() if column in row.cells else 0
            for column in CROSS_COLUMNS
        ]
        rate = row.rates["completion"].export_value()
        label = row.label if row is not total else _("Total")
        out.append([label, *cells[:3], rate, *cells[3:]])
    return out


def _country_scope(user, params: Params):
    access_dashboard_country(user=user, country=param_text(params, "country"))
    return None  # crosses agencies


def _country_rows(user, params: Params) -> list[list]:
    country = access_dashboard_country(user=user, country=param_text(params, "country"))
    return _cross_rows(country_dashboard(country=country, filters=_filters(params)))


DASHBOARD_COUNTRY = export_table_register(
    ExportTable(
        name="dashboard_country",
        title=lambda params: (
            _("Dashboard of %(country)s") % {"country": param_text(params, "country").upper()}
        ),
        personal=False,
        scope=_country_scope,
        columns=lambda params: _cross_columns(_("Agency")),
        count=lambda user, params: len(_country_rows(user, params)),
        rows=_country_rows,
    )
)


def _programme_scope(user, params: Params):
    access_dashboard_programme(user=user)
    return None


def _programme_rows(user, params: Params) -> list[list]:
    access_dashboard_programme(user=user)
    return _cross_rows(programme_dashboard(filters=_filters(params)))


DASHBOARD_PROGRAMME = export_table_register(
    ExportTable(
        name="dashboard_programme",
        title=lambda params: _("Programme dashboard"),
        personal=False,
        scope=_programme_scope,
        columns=lambda params: _cross_columns(_("Country")),
        count=lambda user, params: len(_programme_rows(user, params)),
        rows=_programme_rows,
    )
)
