"""Forms for agency admins: vetting decisions, role changes, invitations and CSV imports."""

from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.imports import MAX_BYTES
from accounts.models import Agency, Membership, Unit, User
from accounts.permissions import ROLES_ABOVE_OFFICER, Action, can
from accounts.services import role_grant_refusal
from core.imports import SignedRowsForm, sign_rows

IMPORT_SALT = "accounts.invitation-import"
# What browsers and spreadsheet programs send for a .csv file (Excel on Windows says
# application/vnd.ms-excel).
CSV_CONTENT_TYPES = frozenset(
    {
        "text/csv",
        "text/x-csv",
        "text/comma-separated-values",
        "text/plain",
        "application/csv",
        "application/x-csv",
        "application/vnd.ms-excel",
    }
)

ROLE_CHOICES = [
    (Membership.Role.OFFICER, Membership.Role.OFFICER.label),
    (Membership.Role.AGENCY_ADMIN, Membership.Role.AGENCY_ADMIN.label),
    (Membership.Role.TRAINER, Membership.Role.TRAINER.label),
]
INVITATION_ROLE_CHOICES = [
    (Membership.Role.OFFICER, Membership.Role.OFFICER.label),
    (Membership.Role.TRAINER, Membership.Role.TRAINER.label),
    (Membership.Role.AGENCY_ADMIN, Membership.Role.AGENCY_ADMIN.label),
]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The officer will see this reason."),
        error_messages={"required": _("Give a reason: the officer will see it.")},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=INVITATION_ROLE_CHOICES, initial=Membership.Role.OFFICER
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("None")
    )

    def __init__(self, *args, agency: Agency, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # Agency admins are offered the officer role only; programme staff every role. The
        # field still knows every role, so a role asked for by hand gets clean_role's answer.
        may_grant = can(user, Action.GRANT_ROLES, agency)
        self.allowed_roles = {
            role
            for role, _label in INVITATION_ROLE_CHOICES
            if may_grant or role not in ROLES_ABOVE_OFFICER
        }
        self.fields["role"].widget.choices = [
            choice for choice in INVITATION_ROLE_CHOICES if choice[0] in self.allowed_roles
        ]
        self.fields["unit"].queryset = Unit.objects.filter(agency=agency).order_by("name")
        # The agency is already on the page; Unit.__str__ would also load it once per unit.
        self.fields["unit"].label_from_instance = lambda unit: unit.name

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        if role not in self.allowed_roles:
            raise forms.ValidationError(role_grant_refusal(role))
        return role


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 CSV with a header row: email, full_name, role (officer when empty; only "
            "programme staff may import trainer or agency_admin rows). At most 1,000 rows and "
            "512 KB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        """The file's bytes, once its name, type and size say it is a small CSV file."""
        upload = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() != ".csv":
            raise forms.ValidationError(_("Upload a .csv file; other kinds of file are refused."))
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type not in CSV_CONTENT_TYPES:
            raise forms.ValidationError(_("Upload a .csv file; other kinds of file are refused."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s KB.") % {"size": MAX_BYTES // 1024}
            )
        upload.seek(0)
        return upload.read(MAX_BYTES + 1)


def sign_import(*, agency: Agency, user: User, rows: list[dict]) -> str:
    """The checked rows, signed so they can travel through the confirmation page unchanged."""
    return sign_rows(salt=IMPORT_SALT, scope={"agency": agency.pk, "user": user.pk}, rows=rows)


class ImportConfirmForm(SignedRowsForm):
    """The rows, if the payload is ours, recent, and for this agency and this admin."""

    salt = IMPORT_SALT

    def __init__(self, *args, agency: Agency, user: User, **kwargs):
        super().__init__(*args, scope={"agency": agency.pk, "user": user.pk}, **kwargs)
