"""Access checks for agency people and invitations: 404 for missing and forbidden alike."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Agency, Invitation, Membership
from accounts.permissions import Action, agencies_for


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
