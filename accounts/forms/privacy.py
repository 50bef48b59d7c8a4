"""Forms for a person's profile and for confirming an erasure."""

import zoneinfo
from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_names() -> tuple[str, ...]:
    # Read once per process: the tz database does not change while the site runs.
    return tuple(sorted(zoneinfo.available_timezones()))


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("As it should appear on your certificates."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        required=False,
        help_text=_(
            "Officers of other agencies see this name instead of your email address. "
            "Your email address is not shown to them."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Dates and times on this site are shown in this time zone."),
    )

    def __init__(self, *args, agency_time_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if agency_time_zone:
            empty = _("My agency's time zone (%(zone)s)") % {"zone": agency_time_zone}
        else:
            empty = _("My agency's time zone (UTC if I have none)")
        self.fields["time_zone"].choices = [
            ("", empty),
            *((name, name) for name in time_zone_names()),
        ]


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        required=True,
    )
