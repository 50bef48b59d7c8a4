"""Forms for agency admins: vetting decisions, role changes and invitations (the CSV import's
forms are core.imports's)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Membership, Unit, User
from accounts.permissions import ROLES_ABOVE_OFFICER, Action, can
from accounts.services import role_grant_refusal

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
