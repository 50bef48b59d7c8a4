"""Audit search and CSV export: programme staff see every row, agency admins their agencies'
rows. Everyone else gets a 404 on both pages."""

import csv
import io
from datetime import UTC

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import access_audit, audit_export_allowed
from accounts.audit import AuditScope, audit_events_search
from accounts.forms.audit import AuditSearchForm
from accounts.models import AuditEvent
from accounts.permissions import Action
from accounts.services import audit_export_record
from core.audit import AuditContext
from core.csv import csv_attachment, csv_text

PAGE_SIZE = 50
EXPORT_CAP = 50_000


# Spreadsheet programs run a cell starting with one of these as a formula.
@login_required
def search(request):
    scope = access_audit(user=request.user, action=Action.VIEW_AUDIT)
    form = AuditSearchForm(request.GET, agencies=scope.agency_choices())
    page = None
    if form.is_valid():
        events = audit_events_search(scope=scope, **form.search_filters())
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_export": audit_export_allowed(user=request.user),
    }
    return render(request, "accounts/audit/search.html", context)


@login_required
def export(request):
    # The access check comes first, so people without the right get the 404 everyone else
    # gets, not an invitation to re-authenticate.
    scope = access_audit(user=request.user, action=Action.EXPORT_AUDIT)
    return _export(request, scope=scope)


@reauthentication_required
def _export(request, *, scope: AuditScope):
    form = AuditSearchForm(request.GET, agencies=scope.agency_choices())
    back = reverse("accounts:audit_search") + "?" + request.GET.urlencode()
    if not form.is_valid():
        messages.error(request, _("Correct the filters, then export again."))
        return redirect(back)
    filters = form.search_filters()
    events = audit_events_search(scope=scope, **filters)
    agency = filters["agency"] or scope.only_agency()
    total = events.count()
    if total > EXPORT_CAP:
        audit_export_record(
            actor=request.user,
            agency=agency,
            filters=form.logged_filters(),
            rows=total,
            refused="too many rows",
            context=AuditContext.from_request(request),
        )
        messages.error(
            request,
            _(
                "These filters match %(total)s events; an export holds at most %(cap)s. "
                "Narrow the filters (a shorter date range, an action or an agency) and export again."
            )
            % {"total": total, "cap": EXPORT_CAP},
        )
        return redirect(back)
    content, written = _csv_content(events[:EXPORT_CAP])
    audit_export_record(
        actor=request.user,
        agency=agency,
        filters=form.logged_filters(),
        rows=written,
        context=AuditContext.from_request(request),
    )
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return csv_attachment(content, f"audit-{stamp}.csv", bom=False)


def _csv_content(events: QuerySet[AuditEvent]) -> tuple[str, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("time (UTC)"),
            _("actor email"),
            _("action"),
            _("target type"),
            _("target id"),
            _("agency"),
            _("IP address"),
            _("outcome"),
            _("details"),
        ]
    )
    written = 0
    for event in events.iterator(chunk_size=2000):
        writer.writerow(
            [
                csv_text(value)
                for value in (
                    event.created_at.astimezone(UTC).isoformat(),
                    event.actor.email if event.actor else "",
                    event.action,
                    event.target_type,
                    event.target_id,
                    event.agency.name if event.agency else "",
                    event.ip_address or "",
                    event.outcome,
                    event.details_json,
                )
            ]
        )
        written += 1
    return buffer.getvalue(), written
