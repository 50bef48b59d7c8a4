"""Forms for attendance: one mark from the roster and the typed check-in code (the CSV
import's forms are core.imports's)."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from cohorts.models import Attendance, Seat, Session
from cohorts.services.attendance import NOTE_MAX_LENGTH


class MarkForm(forms.Form):
    seat = forms.IntegerField(label=_("Seat"), min_value=1)
    status = forms.ChoiceField(label=_("Attendance"), choices=Attendance.Status.choices)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False)

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    def clean_seat(self) -> Seat:
        """A seat of this session's cohort, or an error (never a mark on another cohort)."""
        seat = (
            Seat.objects.filter(pk=self.cleaned_data["seat"], cohort_id=self.session.cohort_id)
            .select_related("agency")
            .first()
        )
        if seat is None:
            raise forms.ValidationError(_("This officer is not in this cohort."))
        return seat


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        min_length=6,
        max_length=6,
        validators=[RegexValidator(r"^[0-9]{6}$", _("Type the six digits shown on the screen."))],
        help_text=_("The six digits under the QR code on the trainer's screen."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "class": "code-input",
            }
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()
