"""The two forms of every CSV import: the upload (a small .csv file) and the confirmation
(the checked rows, signed)."""

from pathlib import PurePath

from django import forms
from django.core import signing
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports.reader import MAX_BYTES

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


class CsvUploadForm(forms.Form):
    """A small .csv file; help_text says what its columns are."""

    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, help_text: str = "", max_bytes: int = MAX_BYTES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = help_text
        self.max_bytes = max_bytes

    def clean_file(self) -> bytes:
        """The file's bytes, once its name, type and size say it is a small CSV file."""
        upload = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() != ".csv":
            raise forms.ValidationError(_("Upload a .csv file; other kinds of file are refused."))
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type not in CSV_CONTENT_TYPES:
            raise forms.ValidationError(_("Upload a .csv file; other kinds of file are refused."))
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(size)s KB.") % {"size": self.max_bytes // 1024}
            )
        upload.seek(0)
        return upload.read(self.max_bytes + 1)


# --- The confirmation step ---------------------------------------------------------------
# Rows checked on upload travel through the confirmation page signed, bound to what they are
# for (an agency, a session) and to the person, and expire after an hour: what is applied is
# exactly what was shown, and a tampered or stale confirmation is refused.

CONFIRM_MAX_AGE = 60 * 60


def refused_message() -> str:
    return _("This confirmation has expired or was changed. Upload the file again.")


def sign_rows(*, salt: str, scope: dict[str, int], rows: list[dict]) -> str:
    return signing.dumps({**scope, "rows": rows}, salt=salt, compress=True)


class SignedRowsForm(forms.Form):
    """The hidden payload of a confirmation page; cleaned, it is the list of rows. `salt` says
    which import signed them (a subclass may set it); `scope` is what the rows were signed for
    (say {"agency": 3, "user": 7})."""

    salt = ""
    payload = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, scope: dict[str, int], salt: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.salt = salt or self.salt
        self.fields["payload"].error_messages["required"] = refused_message()

    def clean_payload(self) -> list[dict]:
        refused = forms.ValidationError(refused_message())
        try:
            value = signing.loads(
                self.cleaned_data["payload"], salt=self.salt, max_age=CONFIRM_MAX_AGE
            )
        except signing.BadSignature as error:  # SignatureExpired is a BadSignature too
            raise refused from error
        if (
            not isinstance(value, dict)
            or any(value.get(key) != wanted for key, wanted in self.scope.items())
            or not isinstance(value.get("rows"), list)
            or not all(isinstance(row, dict) for row in value["rows"])
        ):
            raise refused
        return value["rows"]
