"""Access checks for agency reports: 404 for missing and forbidden alike."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Agency
from accounts.permissions import Action, agencies_for


def access_roster_agencies(*, user) -> list[int]:
    """The ids of the agencies whose roster this user may view; 404 when there are none."""
    agency_ids = list(agencies_for(user, Action.VIEW_ROSTER).values_list("pk", flat=True))
    if not agency_ids:
        raise Http404
    return agency_ids


def access_agency(*, user, agency_id: int, action: Action = Action.VIEW_ROSTER) -> Agency:
    """An agency the user may act on for this action (view or export the roster)."""
    return get_object_or_404(agencies_for(user, action), pk=agency_id)
