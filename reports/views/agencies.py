"""Agency reports: the agencies a user oversees, their rosters, and the roster CSV export."""

import csv
import io

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import access_agency
from accounts.models import Agency
from accounts.permissions import Action, can
from core.audit import AuditContext
from core.csv import csv_attachment, csv_text
from reports.access import access_roster_agencies
from reports.forms import ROSTER_STATUS_LABELS, RosterFilterForm
from reports.selectors.rosters import agencies_with_member_counts, agency_roster
from reports.services.exports import roster_export as roster_export_rows

ROSTER_PAGE_SIZE = 25


# A spreadsheet treats a cell starting with one of these as a formula; tab and carriage
# return can hide such a start from a naive check.
@login_required
def agencies(request):
    agency_ids = access_roster_agencies(user=request.user)
    rows = agencies_with_member_counts(agency_ids=agency_ids)
    return render(request, "reports/agencies.html", {"agencies": rows})


@login_required
def roster(request, agency_id: int):
    agency = access_agency(user=request.user, agency_id=agency_id, action=Action.VIEW_ROSTER)
    form = RosterFilterForm(request.GET)
    filters = form.filters()
    members = agency_roster(agency=agency, **filters)
    page = Paginator(members, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "agency": agency,
        "form": form,
        "page_obj": page,
        "members": page.object_list,
        "can_export": can(request.user, Action.EXPORT_ROSTER, agency),
        "can_choose": can(request.user, Action.CHOOSE_REQUIREMENTS, agency),
        "filtered": any(filters.values()),
    }
    return render(request, "reports/roster.html", context)


@login_required
def roster_export(request, agency_id: int):
    # The access check comes before re-authentication, so a stranger gets the same 404 as
    # for a missing agency instead of a password prompt.
    agency = access_agency(user=request.user, agency_id=agency_id, action=Action.EXPORT_ROSTER)
    return _roster_csv(request, agency)


@reauthentication_required
def _roster_csv(request, agency: Agency) -> HttpResponse:
    filters = RosterFilterForm(request.GET).filters()
    rows = roster_export_rows(
        agency=agency, actor=request.user, context=AuditContext.from_request(request), **filters
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Full name"),
            _("Email"),
            _("Role"),
            _("Status"),
            _("Vetted"),
            _("Last sign-in"),
            _("Course enrollments"),
            _("Certificates issued"),
        ]
    )
    for member in rows:
        writer.writerow(
            [
                csv_text(member.user.full_name),
                csv_text(member.user.email),
                csv_text(member.get_role_display()),
                csv_text(ROSTER_STATUS_LABELS[member.roster_status]),
                csv_text(_csv_datetime(member.vetted_at)),
                csv_text(_csv_datetime(member.user.last_login)),
                member.enrollment_count,
                member.certificate_count,
            ]
        )
    stamp = timezone.localdate().isoformat()
    return csv_attachment(buffer.getvalue(), f"roster-{agency.pk}-{stamp}.csv")


def _csv_datetime(value) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).isoformat(timespec="minutes")
