"""The agency's training requirement: the requirement sets on offer, described, and the form
with which the agency's admin (or staff) chooses the one the agency follows."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import access_agency
from accounts.permissions import Action
from core.audit import AuditContext
from reports.forms import RequirementChoiceForm
from reports.selectors.requirements import (
    agency_requirement,
    requirement_set_label,
    requirement_sets_described,
)
from reports.services.requirements import agency_requirement_choose


@login_required
@require_http_methods(["GET", "POST"])
def agency_requirements(request, agency_id: int):
    agency = access_agency(
        user=request.user, agency_id=agency_id, action=Action.CHOOSE_REQUIREMENTS
    )
    current = agency_requirement(agency=agency)
    if request.method == "POST":
        form = RequirementChoiceForm(request.POST)
        if form.is_valid():
            chosen = form.cleaned_data["requirement_set"]
            agency_requirement_choose(
                agency=agency,
                requirement_set=chosen,
                actor=request.user,
                context=AuditContext.from_request(request),
            )
            if chosen is None:
                messages.success(request, _("Your agency now follows no requirement set."))
            else:
                messages.success(
                    request,
                    _("Your agency now follows %(name)s.") % {"name": chosen.name},
                )
            return redirect("reports:agency_requirements", agency_id=agency.pk)
    else:
        form = RequirementChoiceForm(
            initial={"requirement_set": current.requirement_set_id if current else None}
        )
    context = {
        "agency": agency,
        "current": current,
        "current_label": requirement_set_label(current.requirement_set) if current else "",
        "sets": requirement_sets_described(),
        "form": form,
        "selected": str(form["requirement_set"].value() or ""),
        "at_risk_days": settings.REPORTS_AT_RISK_DAYS,
    }
    return render(request, "reports/agency_requirements.html", context)
