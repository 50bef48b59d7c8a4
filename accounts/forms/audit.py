"""The audit search filters, shared by the search page and its CSV export."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, AuditEvent

PREFIX_MARK = "*"


class DateInput(forms.DateInput):
    input_type = "date"


class AuditSearchForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=65,
        help_text=_(
            "An exact action such as vetting.approve, or a prefix ending in * (vetting.*)."
        ),
    )
    actor_email = forms.EmailField(label=_("Actor email"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Any outcome")), *AuditEvent.Outcome.choices],
    )
    date_from = forms.DateField(label=_("From (date)"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To (date, inclusive)"), required=False, widget=DateInput)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        required=False,
        queryset=Agency.objects.none(),
        empty_label=_("Any agency"),
    )

    def __init__(self, *args, agencies: QuerySet[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        # Only the agencies the viewer may read: another agency's id is an invalid choice.
        self.fields["agency"].queryset = agencies

    def clean_action(self) -> str:
        return self.cleaned_data["action"].strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def search_filters(self) -> dict[str, Any]:
        """Keyword arguments for accounts.audit.audit_events_search. Dates are days in the
        viewer's time zone (the active one); they become aware datetimes here."""
        data = self.cleaned_data
        action = data["action"]
        prefix = action.endswith(PREFIX_MARK)
        return {
            "action": action.rstrip(PREFIX_MARK) if prefix else action,
            "action_prefix": prefix,
            "actor_email": data["actor_email"],
            "outcome": data["outcome"],
            "since": _start_of(data["date_from"]) if data["date_from"] else None,
            "until": _start_of(data["date_to"] + timedelta(days=1)) if data["date_to"] else None,
            "agency": data["agency"],
        }

    def logged_filters(self) -> dict[str, Any]:
        """The filters as typed, for the export's audit row (JSON-safe, empty ones left out)."""
        data = self.cleaned_data
        logged = {
            "action": data["action"],
            "actor_email": data["actor_email"],
            "outcome": data["outcome"],
            "date_from": data["date_from"].isoformat() if data["date_from"] else "",
            "date_to": data["date_to"].isoformat() if data["date_to"] else "",
            "agency": data["agency"].pk if data["agency"] else None,
        }
        logged = {key: value for key, value in logged.items() if value}
        if "date_from" in logged or "date_to" in logged:
            logged["time_zone"] = timezone.get_current_timezone_name()
        return logged


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
