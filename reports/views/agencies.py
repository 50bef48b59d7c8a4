"""Agency reports: the agencies a user oversees, their rosters, and the roster CSV export."""

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import access_agency
from accounts.models import Agency
from accounts.permissions import Action, can
from core.audit import AuditContext
from reports.access import access_roster_agencies, roster_transcript_ids
from reports.exports.tables_roster import ROSTER, roster_row
from reports.exports.writers import write_csv
from reports.forms import RosterFilterForm
from reports.selectors.rosters import agencies_with_member_counts, agency_roster
from reports.services.exports import roster_export as roster_export_rows
from reports.views.exports import file_response

ROSTER_PAGE_SIZE = 25


@login_required
def agencies(request):
    rows = access_roster_agencies(user=request.user, agencies=agencies_with_member_counts())
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
        # Whose training record the viewer may open: their names link to it.
        "transcript_ids": roster_transcript_ids(
            user=request.user, agency=agency, members=page.object_list
        ),
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
    # The same cells as the "roster" export table (reports.exports.tables_roster), so this
    # older URL and the table's CSV give the same file.
    filters = RosterFilterForm(request.GET).filters()
    members = roster_export_rows(
        agency=agency, actor=request.user, context=AuditContext.from_request(request), **filters
    )
    content = write_csv(ROSTER.columns({}), (roster_row(member) for member in members))
    stamp = timezone.localdate().isoformat()
    return file_response(content, fmt="csv", filename=f"roster-{agency.pk}-{stamp}.csv")
