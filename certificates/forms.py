"""Validation of what staff and trainers type on the certificate pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        help_text=_("Recorded in the audit trail, for example: new template, corrected names."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    template_version = forms.IntegerField(
        label=_("Template version (optional)"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Leave empty to keep each certificate's current template."),
    )
