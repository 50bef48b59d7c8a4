"""Privacy pages: a person's own profile, and erasure of a person by programme staff.

The "download my data" view reads every app, so it lives in reports
(reports.views.personal_data, routed as reports:personal_data_export).
"""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import access_person_for_erasure
from accounts.forms.privacy import EraseForm, ProfileForm
from accounts.models import User
from accounts.selectors import primary_membership
from accounts.services import user_erase, user_update_profile
from core.audit import AuditContext


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    membership = primary_membership(user=request.user)
    agency_time_zone = membership.agency.time_zone if membership and membership.agency else ""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, agency_time_zone=agency_time_zone)
        if form.is_valid():
            try:
                user_update_profile(
                    user=user, **form.cleaned_data, context=AuditContext.from_request(request)
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={
                "full_name": user.full_name,
                "display_name": user.display_name,
                "time_zone": user.time_zone,
            },
            agency_time_zone=agency_time_zone,
        )
    return render(request, "accounts/privacy/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def erase(request, user_id: int):
    # The access check comes first, so people who are not staff get the same 404 as for a
    # missing person, never a re-authentication prompt that would reveal the page exists.
    person = access_person_for_erasure(user=request.user, user_id=user_id)
    return _erase_confirmed(request, person)


@reauthentication_required
def _erase_confirmed(request, person: User):
    if request.method == "POST" and person.erased_at is None:
        form = EraseForm(request.POST)
        if form.is_valid():
            user_erase(user=person, actor=request.user, context=AuditContext.from_request(request))
            messages.success(request, _("The person's personal data has been erased."))
            return redirect("accounts:person_erase", user_id=person.pk)
    else:
        form = EraseForm()
    return render(request, "accounts/privacy/erase.html", {"person": person, "form": form})
