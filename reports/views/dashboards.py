"""Completion dashboards: the list of a user's dashboards, one agency's dashboard (exact
figures), the country and programme dashboards (small cells suppressed), and the officers
behind a figure of an agency's dashboard."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import Module
from reports.access import (
    access_dashboard_agency,
    access_dashboard_country,
    access_dashboard_programme,
    dashboard_scopes,
    roster_transcript_ids,
)
from reports.forms import ROSTER_STATUS_LABELS, DashboardFilterForm
from reports.selectors.compliance import OVERDUE
from reports.selectors.dashboards import (
    CERTIFIED,
    COMPLETED,
    COMPLIANCE_STATES,
    ENROLLED,
    EXPIRING,
    PENDING,
    VETTED,
    agency_dashboard,
    country_dashboard,
    cross_table,
    dashboard_officers,
    figure_labels,
    figure_valid,
    programme_dashboard,
)
from reports.suppression import small_cell_k

OFFICERS_PAGE_SIZE = 50


@login_required
def index(request):
    scopes = dashboard_scopes(user=request.user)
    links = []
    if scopes["programme"]:
        links.append((_("Programme"), reverse("reports:dashboard_programme")))
    for country in scopes["countries"]:
        links.append((country, reverse("reports:dashboard_country", args=[country])))
    for agency in scopes["agencies"]:
        links.append((agency.name, reverse("reports:dashboard_agency", args=[agency.pk])))
    if not links:
        raise Http404
    if len(links) == 1:
        return redirect(links[0][1])
    return render(request, "reports/dashboards/index.html", {"links": links})


@login_required
def agency(request, agency_id: int):
    agency = access_dashboard_agency(user=request.user, agency_id=agency_id)
    form = DashboardFilterForm(request.GET, agency=agency)
    filters = form.filters()
    data = agency_dashboard(agency=agency, filters=filters)
    labels = figure_labels()
    link = _officers_link(request, agency)
    headline = [
        (key, labels[key], data.headline.get(key), link(key))
        for key in (VETTED, ENROLLED, COMPLETED, CERTIFIED, EXPIRING, OVERDUE)
    ]
    # "Not yet evaluated" only while some officer has no summary yet.
    compliance = [
        (key, labels[key], data.headline.get(key), link(key))
        for key in COMPLIANCE_STATES
        if key != PENDING or data.headline.get(key)
    ]
    modules = [
        {
            "row": m,
            "read_url": link(f"read:{m.module_id}"),
            "tried_url": link(f"tried:{m.module_id}"),
            "passed_url": link(f"passed:{m.module_id}"),
            "first_url": link(f"first:{m.module_id}"),
        }
        for m in data.modules
    ]
    chart_data = {
        "funnel": {
            "labels": [m.title for m in data.modules],
            "series": [
                {"label": _("Enrolled"), "data": [m.enrolled for m in data.modules]},
                {"label": _("All lessons read"), "data": [m.read_all for m in data.modules]},
                {"label": _("Quiz passed"), "data": [m.passed for m in data.modules]},
            ],
            "unit": "",
        },
        "passrates": {
            "labels": [m.title for m in data.modules],
            "series": [
                {"label": _("Pass rate"), "data": [_num(m.pass_rate) for m in data.modules]},
                {
                    "label": _("First-attempt pass rate"),
                    "data": [_num(m.first_pass_rate) for m in data.modules],
                },
            ],
            "unit": "%",
        },
        "months": {
            "labels": [_month_label(month) for month, _n in data.months],
            "series": [{"label": _("Completions"), "data": [n for _m, n in data.months]}],
            "unit": "",
        },
        "compliance": {
            "labels": [label for _k, label, _v, _u in compliance],
            "series": [{"label": _("Officers"), "data": [v for _k, _l, v, _u in compliance]}],
            "unit": "",
        },
    }
    context = {
        "agency": agency,
        "form": form,
        "filters": filters,
        "data": data,
        "headline": headline,
        "compliance": compliance,
        "modules": modules,
        "enrolled_url": link(ENROLLED),
        "months": [(month, _month_label(month), n) for month, n in data.months],
        "chart_data": chart_data,
        "query": _filter_query(request),
    }
    return render(request, "reports/dashboards/agency.html", context)


@login_required
def country(request, country: str):
    country = access_dashboard_country(user=request.user, country=country)
    form = DashboardFilterForm(request.GET)
    filters = form.filters()
    data = country_dashboard(country=country, filters=filters)
    return _cross(request, form=form, data=data, country=country)


@login_required
def programme(request):
    access_dashboard_programme(user=request.user)
    form = DashboardFilterForm(request.GET)
    filters = form.filters()
    data = programme_dashboard(filters=filters)
    return _cross(request, form=form, data=data, country="")


def _cross(request, *, form, data, country: str):
    rows, total = cross_table(data)
    query = _filter_query(request)
    for row in rows:
        if country:
            row.url = reverse("reports:dashboard_agency", args=[row.key]) + query
        else:
            row.url = reverse("reports:dashboard_country", args=[row.key]) + query
    rates = [
        (row.label, row.rates["completion"].value if row.rates["completion"].shown else None)
        for row in rows
    ]
    chart_data = {
        "completion": {
            "labels": [label for label, _v in rates],
            "series": [{"label": _("Completion rate"), "data": [_num(v) for _l, v in rates]}],
            "unit": "%",
        }
    }
    context = {
        "country": country,
        "form": form,
        "rows": rows,
        "total": total,
        "labels": figure_labels(),
        "chart_data": chart_data,
        "k": small_cell_k(),
        "show_pending": bool(data.total.get(PENDING)),
        "compliance_as_of": data.total.compliance_as_of,
        "action": (
            reverse("reports:dashboard_country", args=[country])
            if country
            else reverse("reports:dashboard_programme")
        ),
        "export_links": _country_export_links(request, country) if country else [],
    }
    return render(request, "reports/dashboards/cross.html", context)


@login_required
def officers(request, agency_id: int):
    agency = access_dashboard_agency(user=request.user, agency_id=agency_id)
    figure = request.GET.get("figure", "")
    if not figure_valid(figure):
        raise Http404
    form = DashboardFilterForm(request.GET, agency=agency)
    filters = form.filters()
    members = dashboard_officers(agency=agency, figure=figure, filters=filters)
    page = Paginator(members, OFFICERS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "agency": agency,
        "figure": figure,
        "figure_label": _figure_label(figure, filters),
        "filters": filters,
        "page_obj": page,
        "members": page.object_list,
        "rows": _rows_with_records(request.user, agency, page.object_list),
        "status_labels": ROSTER_STATUS_LABELS,
        "back": reverse("reports:dashboard_agency", args=[agency.pk])
        + _filter_query(request, drop=("figure", "page")),
    }
    return render(request, "reports/dashboards/officers.html", context)


def _country_export_links(request, country: str) -> list[tuple[str, str]]:
    """The country table's downloads: like reports/includes/export_buttons.html, whose tag
    adds agency, cohort and user ids but not a country, which is in this page's path."""
    params = request.GET.copy()
    params.pop("page", None)
    params["country"] = country
    query = params.urlencode()
    return [
        (
            label,
            reverse("reports:export", kwargs={"table": "dashboard_country", "fmt": fmt})
            + "?"
            + query,
        )
        for label, fmt in ((_("Download CSV"), "csv"), (_("Download XLSX"), "xlsx"))
    ]


def _rows_with_records(user, agency, members) -> list[tuple]:
    """(membership, its training record's URL or "") for each row: a link only where the
    viewer may open the record (a coordinator sees the figures, not the records)."""
    may_open = roster_transcript_ids(user=user, agency=agency, members=members)
    return [
        (
            m,
            reverse("reports:transcript", kwargs={"user_id": m.user_id})
            if m.user_id in may_open
            else "",
        )
        for m in members
    ]


def _figure_label(figure: str, filters) -> str:
    labels = figure_labels()
    if figure in labels:
        return labels[figure]
    kind, _sep, pk = figure.partition(":")
    module = Module.objects.filter(pk=int(pk), course=filters.course).first()
    if module is None:
        raise Http404
    kinds = {
        "read": _("All lessons read: %(module)s"),
        "tried": _("Took the quiz in the period: %(module)s"),
        "passed": _("Passed the quiz in the period: %(module)s"),
        "first": _("Passed the quiz at the first attempt: %(module)s"),
    }
    return kinds[kind] % {"module": module.title}


def _officers_link(request, agency):
    """A function giving the officer list's URL for a figure, with the page's filters."""
    base = reverse("reports:dashboard_officers", args=[agency.pk])
    params = request.GET.copy()
    params.pop("page", None)

    def link(figure: str) -> str:
        params["figure"] = figure
        return f"{base}?{params.urlencode()}"

    return link


def _filter_query(request, drop=("page",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


def _num(value):
    return float(value) if value is not None else None


def _month_label(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")
