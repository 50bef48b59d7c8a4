"""Search and filters for the agency roster."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from reports.models import RequirementSet
from reports.selectors.rosters import LAPSED

ROSTER_STATUS_CHOICES = [
    (Membership.Status.PENDING, _("Pending vetting")),
    (Membership.Status.APPROVED, _("Approved")),
    (LAPSED, _("Lapsed")),
    (Membership.Status.REJECTED, _("Rejected")),
    (Membership.Status.LEFT, _("Left the agency")),
]
ROSTER_STATUS_LABELS = dict(ROSTER_STATUS_CHOICES)

# Coordinators belong to a country, never to an agency's roster.
ROSTER_ROLE_CHOICES = [
    choice for choice in Membership.Role.choices if choice[0] != Membership.Role.COORDINATOR
]


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=150)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ROSTER_STATUS_CHOICES],
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *ROSTER_ROLE_CHOICES]
    )

    def filters(self) -> dict[str, str]:
        """The filters that validated; an invalid one is shown as an error and ignored."""
        self.is_valid()
        return {
            "search": self.cleaned_data.get("q", ""),
            "status": self.cleaned_data.get("status", ""),
            "role": self.cleaned_data.get("role", ""),
        }


class RequirementChoiceForm(forms.Form):
    """The requirement set an agency follows, or none."""

    requirement_set = forms.ModelChoiceField(
        label=_("Requirement set"),
        queryset=RequirementSet.objects.all(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=_("No requirement"),
    )
