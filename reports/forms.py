"""Search and filters for the agency roster."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Unit
from courses.models import Course
from reports.models import RequirementSet
from reports.selectors.dashboards import DashboardFilters, default_date_range
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


# The dashboards count officers by default; coordinators belong to no agency.
DASHBOARD_ROLE_CHOICES = ROSTER_ROLE_CHOICES


class DashboardFilterForm(forms.Form):
    """The dashboard filters. Every field has a default (the first published course, approved
    officers with current vetting, the last 12 months), so an empty query string is valid."""

    # Choices are filled from one read of the courses and units each, and the chosen one is
    # looked up in them: no second query to validate.
    course = forms.TypedChoiceField(label=_("Course"), coerce=int, required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ROSTER_STATUS_CHOICES],
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Any role")), *DASHBOARD_ROLE_CHOICES],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, *, agency=None, today=None):
        self.today = today or timezone.localdate()
        self.default_from, self.default_to = default_date_range(self.today)
        courses = Course.objects.filter(is_published=True).order_by("order", "title")
        self.courses = list(courses)
        initial = {
            "course": self.courses[0].pk if self.courses else None,
            "status": Membership.Status.APPROVED,
            "role": Membership.Role.OFFICER,
            "date_from": self.default_from,
            "date_to": self.default_to,
        }
        # Unset fields take their defaults; a bound form keeps what was sent.
        merged = dict(initial)
        if data is not None:
            for key in self.base_fields:
                if key in data:
                    merged[key] = data.get(key)
        super().__init__(merged)
        self.fields["course"].choices = [(c.pk, c.title) for c in self.courses]
        if agency is None:
            del self.fields["unit"]
        else:
            units = list(Unit.objects.filter(agency=agency).order_by("name"))
            self.fields["unit"].choices = [("", _("Any unit"))] + [(u.pk, u.name) for u in units]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("date_from"), cleaned.get("date_to")
        if since and until and since > until:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return cleaned

    def filters(self) -> DashboardFilters:
        """The filters that validated; an invalid one falls back to its default (and is shown
        as an error)."""
        self.is_valid()
        data = {key: value for key, value in self.cleaned_data.items() if key not in self.errors}
        if self.errors.keys() & {"date_from", "date_to"}:
            data.pop("date_from", None)
            data.pop("date_to", None)
        by_id = {course.pk: course for course in self.courses}
        course = by_id.get(data.get("course")) or (self.courses[0] if self.courses else None)
        return DashboardFilters(
            course=course,
            unit_id=data.get("unit") or None,
            status=data.get("status", Membership.Status.APPROVED),
            role=data.get("role", Membership.Role.OFFICER),
            date_from=data.get("date_from") or self.default_from,
            date_to=data.get("date_to") or self.default_to,
        )
