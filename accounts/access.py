"""Access checks of accounts: agencies, people, invitations, the audit trail and erasure.
Each takes the acting user and returns the object (or the scope) it may act on, or raises
Http404: the same answer for missing and forbidden."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.audit import AuditScope
from accounts.models import Agency, Invitation, Membership, User
from accounts.permissions import Action, agencies_for, can


def access_agency(*, user, agency_id: int, action: Action) -> Agency:
    """An agency over which the user may do this action."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(agencies_for(user, action), pk=agency_id)


def access_membership(*, user, membership_id: int, action: Action) -> Membership:
    """A membership in an agency over which the user may do this action."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Membership.objects.select_related("user", "agency", "unit", "decided_by"),
        pk=membership_id,
        agency__in=agencies_for(user, action),
    )


def access_invitation(*, user, invitation_id: int, action: Action) -> Invitation:
    """An invitation to an agency over which the user may do this action."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Invitation.objects.select_related("agency"),
        pk=invitation_id,
        agency__in=agencies_for(user, action),
    )


def access_audit(*, user: User, action: Action) -> AuditScope:
    """The audit rows this user may see (VIEW_AUDIT) or export (EXPORT_AUDIT); Http404 for
    everyone else. A right held without an agency in scope (programme staff) covers every row,
    including rows that belong to no agency."""
    if can(user, action):
        return AuditScope(all_rows=True)
    agencies = tuple(agencies_for(user, action).order_by("name"))
    if not agencies:
        raise Http404
    return AuditScope(all_rows=False, agencies=agencies)


def audit_export_allowed(*, user: User) -> bool:
    try:
        access_audit(user=user, action=Action.EXPORT_AUDIT)
    except Http404:
        return False
    return True


def access_person_for_erasure(*, user, user_id: int) -> User:
    """A person programme staff may erase: anyone but themselves. Everyone else gets 404."""
    if not (user.is_authenticated and user.is_active and user.is_staff) or user.pk == user_id:
        raise Http404
    return get_object_or_404(
        User.objects.prefetch_related("memberships__agency").order_by(), pk=user_id
    )
