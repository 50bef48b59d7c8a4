"""Dashboards that cross agencies (a country's agencies, the programme's countries): the same headline figures per row, with small cells suppressed."""

from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Agency
from reports.selectors.dashboards.agency import Headline, _headlines
from reports.selectors.dashboards.filters import (
    COMPLETED,
    COMPLIANCE_STATES,
    ENROLLED,
    HEADLINE,
    PENDING,
    VETTED,
    DashboardFilters,
    selection,
)
from reports.suppression import suppress_table


@dataclass
class CrossRow:
    key: str | int  # agency id or country code
    label: str
    headline: Headline


@dataclass
class CrossDashboard:
    filters: DashboardFilters
    rows: list[CrossRow]
    total: Headline
    country: str = ""


def country_dashboard(*, country: str, filters: DashboardFilters) -> CrossDashboard:
    """A row of headline figures per agency of the country (every agency, even with nobody
    counted), and their total. Exact figures: the view suppresses small cells. Four queries."""
    now = timezone.now()
    members = selection(filters=filters, country=country)
    headlines = _headlines(members=members, filters=filters, group="agency_id", now=now)
    rows = [
        CrossRow(key=agency.pk, label=agency.name, headline=headlines.get(agency.pk, Headline()))
        for agency in Agency.objects.filter(country=country).order_by("name")
    ]
    return CrossDashboard(filters=filters, rows=rows, total=_total(rows), country=country)


def programme_dashboard(*, filters: DashboardFilters) -> CrossDashboard:
    """A row of headline figures per country with agencies, and their total. Four queries."""
    now = timezone.now()
    members = selection(filters=filters)
    headlines = _headlines(members=members, filters=filters, group="agency__country", now=now)
    countries = Agency.objects.order_by("country").values_list("country", flat=True).distinct()
    rows = [
        CrossRow(key=code, label=code, headline=headlines.get(code, Headline()))
        for code in countries
    ]
    return CrossDashboard(filters=filters, rows=rows, total=_total(rows))


def _total(rows: list[CrossRow]) -> Headline:
    total = Headline()
    for row in rows:
        total.add(row.headline)
    return total


CROSS_COLUMNS = (*HEADLINE, *COMPLIANCE_STATES)


def cross_columns(data: CrossDashboard) -> list[str]:
    """The columns of a country or programme table: "not yet evaluated" only while some
    officer counted has no compliance summary yet."""
    return [column for column in CROSS_COLUMNS if column != PENDING or data.total.get(PENDING)]


def cross_table(data: CrossDashboard):
    """The rows and total of a country or programme dashboard as shown and exported: small
    cells suppressed, and the cells that would give them away (reports.suppression)."""
    columns = cross_columns(data)
    rows = [
        (row.key, row.label, {column: row.headline.get(column) for column in columns})
        for row in data.rows
    ]
    total = {column: data.total.get(column) for column in columns}
    states = [state for state in COMPLIANCE_STATES if state in columns]
    return suppress_table(
        rows,
        total,
        columns=columns,
        row_groups=[(states, VETTED)],
        rates={"completion": (COMPLETED, ENROLLED)},
    )
