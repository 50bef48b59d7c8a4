"""Reads for the completion dashboards: one agency's figures (headline, module funnel, quiz
pass rates, completions per month, cohorts with attendance, compliance split), the same
headline figures per agency of a country and per country of the programme, and the officers
behind each figure.

Every read aggregates in SQL (GROUP BY, COUNT ... FILTER, uncorrelated IN subqueries that
PostgreSQL hashes once) and costs a fixed number of queries whatever the number of officers,
agencies or countries. Who is counted ("the selection") is the agency's memberships matching
the filters: role (default officer), roster status (default approved with current vetting)
and unit. The date range applies to dated measures only: completions, quiz passes and
attendance.

The compliance split is not judged here: it counts the officer compliance summary
(reports.ComplianceState, kept by reports.services.compliance_states) joined to the
selection; officers of an agency with a requirement and no summary yet are "not yet evaluated".
"""

from reports.selectors.dashboards.agency import (
    AgencyDashboard,
    CohortRow,
    Headline,
    ModuleRow,
    agency_dashboard,
    month_starts,
)
from reports.selectors.dashboards.cross import (
    CROSS_COLUMNS,
    CrossDashboard,
    CrossRow,
    country_dashboard,
    cross_columns,
    cross_table,
    programme_dashboard,
)
from reports.selectors.dashboards.filters import (
    CERTIFIED,
    COMPLETED,
    COMPLIANCE_STATES,
    ENROLLED,
    EXPIRING,
    EXPIRING_DAYS,
    FIGURES,
    HEADLINE,
    MODULE_FIGURES,
    PENDING,
    VETTED,
    DashboardFilters,
    default_date_range,
    figure_labels,
    figure_valid,
    selection,
)
from reports.selectors.dashboards.officers import dashboard_officers

__all__ = [
    "CERTIFIED",
    "COMPLETED",
    "COMPLIANCE_STATES",
    "CROSS_COLUMNS",
    "ENROLLED",
    "EXPIRING",
    "EXPIRING_DAYS",
    "FIGURES",
    "HEADLINE",
    "MODULE_FIGURES",
    "PENDING",
    "VETTED",
    "AgencyDashboard",
    "CohortRow",
    "CrossDashboard",
    "CrossRow",
    "DashboardFilters",
    "Headline",
    "ModuleRow",
    "agency_dashboard",
    "country_dashboard",
    "cross_columns",
    "cross_table",
    "dashboard_officers",
    "default_date_range",
    "figure_labels",
    "figure_valid",
    "month_starts",
    "programme_dashboard",
    "selection",
]
