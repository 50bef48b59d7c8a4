"""Forms of the certificate page: revoke, suspend, reinstate and correct the name, each asking
for the acting person's password again."""

from allauth.account.adapter import get_adapter
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate


class ReauthenticateForm(forms.Form):
    """The password, checked the way allauth's re-authentication checks it (through the
    authentication backends): a wrong one counts towards the django-axes lockout and writes
    a failed-login audit row (accounts.receivers), like every other password prompt."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Asked again for every change to a certificate."),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # allauth's rate limit on failed logins may refuse before checking (a ValidationError
        # with its own message), like its own re-authentication form.
        if not get_adapter().reauthenticate(self.user, password):
            raise ValidationError(_("That is not your password."), code="incorrect_password")
        return password


def _reason(label) -> forms.CharField:
    return forms.CharField(label=label, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RevokeForm(ReauthenticateForm):
    prefix = "revoke"
    field_order = ["category", "reason", "password"]

    category = forms.ChoiceField(
        label=_("Reason category (shown on the verification page)"),
        # No category is chosen for the person revoking: they pick one.
        choices=[("", _("Choose a category")), *Certificate.RevocationReason.choices],
    )
    reason = _reason(_("Reason (kept in the audit trail, not shown publicly)"))


class SuspendForm(ReauthenticateForm):
    prefix = "suspend"
    field_order = ["reason", "password"]

    reason = _reason(_("Reason (kept in the audit trail, not shown publicly)"))


class ReinstateForm(ReauthenticateForm):
    prefix = "reinstate"
    field_order = ["reason", "password"]

    reason = _reason(_("Reason (kept in the audit trail)"))


class CorrectNameForm(ReauthenticateForm):
    prefix = "correct"
    field_order = ["holder_name", "reason", "password"]

    holder_name = forms.CharField(
        label=_("Name as it should be printed"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = _reason(_("Reason for the correction (kept in the audit trail)"))


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        help_text=_("Recorded in the audit trail, for example: new template, corrected names."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
