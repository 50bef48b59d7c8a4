"""Agency admins' actions on people: vetting decisions, invitations one by one and in bulk
from a CSV file; and programme staff's role grants (a role change, or an invitation to a role
above officer), each after the password is asked again."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import access_agency, access_invitation, access_membership
from accounts.forms.vetting import InvitationForm, RejectForm, RoleForm
from accounts.imports import InvitationImport
from accounts.models import Membership
from accounts.permissions import ROLES_ABOVE_OFFICER, Action, can, vetting_cutoff
from accounts.selectors import invitations_for_agency
from accounts.services import (
    invitation_create,
    invitation_send,
    membership_approve,
    membership_change_role,
    membership_mark_left,
    membership_reconfirm,
    membership_reject,
)
from core.audit import AuditContext
from core.imports.views import csv_import_page

INVITATIONS_PER_PAGE = 50


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _render_member(request, membership: Membership, *, reject_form=None, role_form=None):
    lapsed = (
        membership.role == Membership.Role.OFFICER
        and membership.status == Membership.Status.APPROVED
        and (membership.vetted_at is None or membership.vetted_at < vetting_cutoff())
    )
    return render(
        request,
        "accounts/vetting/member.html",
        {
            "membership": membership,
            "lapsed": lapsed,
            "can_change_roles": can(request.user, Action.GRANT_ROLES, membership.agency),
            "reject_form": reject_form or RejectForm(),
            "role_form": role_form or RoleForm(initial={"role": membership.role}),
        },
    )


@login_required
def member(request, membership_id: int):
    membership = access_membership(
        user=request.user, membership_id=membership_id, action=Action.VET_OFFICERS
    )
    return _render_member(request, membership)


def _decide(request, membership_id: int, service, success: str):
    """Approve, mark as left or re-confirm: one service call, then back to the person."""
    membership = access_membership(
        user=request.user, membership_id=membership_id, action=Action.VET_OFFICERS
    )
    try:
        service(
            membership=membership, actor=request.user, context=AuditContext.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success % {"name": membership.user.full_name})
    return redirect("accounts:member", membership_id=membership.pk)


@login_required
@require_POST
def member_approve(request, membership_id: int):
    return _decide(request, membership_id, membership_approve, _("%(name)s is approved."))


@login_required
@require_POST
def member_left(request, membership_id: int):
    return _decide(
        request, membership_id, membership_mark_left, _("%(name)s is marked as having left.")
    )


@login_required
@require_POST
def member_reconfirm(request, membership_id: int):
    return _decide(request, membership_id, membership_reconfirm, _("%(name)s is re-confirmed."))


@login_required
@require_POST
def member_reject(request, membership_id: int):
    membership = access_membership(
        user=request.user, membership_id=membership_id, action=Action.VET_OFFICERS
    )
    return _member_form_action(
        request,
        membership,
        RejectForm(request.POST),
        field="reason",
        form_name="reject_form",
        apply=lambda data: membership_reject(
            membership=membership,
            actor=request.user,
            reason=data["reason"],
            context=AuditContext.from_request(request),
        ),
        success=_("%(name)s is rejected."),
    )


@login_required
@require_POST
def member_role(request, membership_id: int):
    # The access check comes first: someone who may not change roles (anyone but programme
    # staff) gets the same 404 whether or not they signed in recently.
    membership = access_membership(
        user=request.user, membership_id=membership_id, action=Action.GRANT_ROLES
    )
    return _change_role(request, membership)


@reauthentication_required
def _change_role(request, membership: Membership):
    return _member_form_action(
        request,
        membership,
        RoleForm(request.POST),
        field="role",
        form_name="role_form",
        apply=lambda data: membership_change_role(
            membership=membership,
            role=data["role"],
            actor=request.user,
            context=AuditContext.from_request(request),
        ),
        success=_("%(name)s's role is changed."),
    )


def _member_form_action(request, membership, form, *, field, form_name, apply, success):
    """Validate a member-page form, apply the service, and either go back to the member
    page with a message or show the page again with the error beside the field."""
    if form.is_valid():
        try:
            apply(form.cleaned_data)
        except ValidationError as error:
            form.add_error(field, _error_text(error))
        else:
            messages.success(request, success % {"name": membership.user.full_name})
            return redirect("accounts:member", membership_id=membership.pk)
    return _render_member(request, membership, **{form_name: form})


def _grants_a_role(request, agency) -> bool:
    """A POST asking for a role above officer by someone who may grant it: ask for the
    password again first. (Someone who may not grant it is refused by the form instead.)"""
    return request.POST.get("role") in ROLES_ABOVE_OFFICER and can(
        request.user, Action.GRANT_ROLES, agency
    )


@login_required
def invitations(request, agency_id: int):
    agency = access_agency(user=request.user, agency_id=agency_id, action=Action.INVITE_OFFICERS)
    if request.method == "POST" and _grants_a_role(request, agency):
        return _invitations_granting(request, agency)
    return _invitations(request, agency)


@reauthentication_required
def _invitations_granting(request, agency):
    return _invitations(request, agency)


def _invitations(request, agency):
    if request.method == "POST":
        form = InvitationForm(request.POST, agency=agency, user=request.user)
        if form.is_valid():
            try:
                invitation = invitation_create(
                    agency=agency,
                    actor=request.user,
                    context=AuditContext.from_request(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(
                    request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
                )
                return redirect("accounts:invitations", agency_id=agency.pk)
    else:
        form = InvitationForm(agency=agency, user=request.user)
    page = Paginator(invitations_for_agency(agency=agency), INVITATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/vetting/invitations.html",
        {"agency": agency, "form": form, "page": page, "now": timezone.now()},
    )


@login_required
@require_POST
def invitation_resend(request, invitation_id: int):
    invitation = access_invitation(
        user=request.user, invitation_id=invitation_id, action=Action.INVITE_OFFICERS
    )
    try:
        invitation_send(
            invitation=invitation, actor=request.user, context=AuditContext.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, _("The invitation to %(email)s was sent again.") % {"email": invitation.email}
        )
    return redirect("accounts:invitations", agency_id=invitation.agency_id)


@login_required
def invitation_import_page(request, agency_id: int):
    """Invitations from a CSV file: the confirm-step import of core.imports."""
    agency = access_agency(user=request.user, agency_id=agency_id, action=Action.INVITE_OFFICERS)
    return csv_import_page(
        request,
        InvitationImport(agency=agency, actor=request.user),
        template="accounts/vetting/import.html",
        context={"agency": agency},
    )
