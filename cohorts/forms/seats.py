"""Forms of the seat pages: nominating officers, declining a nomination, adding a walk-in."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_NOMINATIONS_AT_ONCE = 200


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=2000,
        required=False,
        help_text=_("The officer and their agency will see it."),
    )


class WalkInForm(forms.Form):
    email = forms.EmailField(
        label=_("Officer's email"),
        max_length=254,
        help_text=_(
            "An approved officer of an agency taking part in the cohort who was not nominated."
        ),
    )


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            ids = [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(_("Choose officers from the list.")) from None
        if len(ids) > MAX_NOMINATIONS_AT_ONCE:
            raise ValidationError(
                _("Nominate at most %(max)s officers at once.") % {"max": MAX_NOMINATIONS_AT_ONCE}
            )
        return list(dict.fromkeys(ids))


class NominateForm(forms.Form):
    officers = IdListField(
        error_messages={"required": _("Tick the officers you want to nominate.")}
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or email"), max_length=100, required=False)
