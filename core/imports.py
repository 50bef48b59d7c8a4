"""Reading an uploaded CSV file the same way for every import: the file-level checks (size,
text, UTF-8 with or without BOM, CSV syntax, not empty, a header row naming the columns, a
row cap). What each row must hold is the caller's business."""

import csv
import io
from collections.abc import Callable

from django import forms
from django.core import signing
from django.utils.translation import gettext as _

MAX_BYTES = 512 * 1024
MAX_ROWS = 1000


class CsvFileError(ValueError):
    """The file as a whole cannot be used; .message says why, for the person uploading it."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def normalise_header(cells: list[str]) -> list[str]:
    return [cell.strip().lower().replace(" ", "_") for cell in cells]


def read_csv(
    data: bytes,
    *,
    check_header: Callable[[list[str]], str | None],
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (lower case, spaces as underscores) and the data rows, each with its number
    as a spreadsheet shows it (the header is row 1); blank lines are skipped. check_header
    returns a message when the header is not acceptable. Raises CsvFileError."""
    if len(data) > max_bytes:
        raise CsvFileError(_("The file is larger than %(size)s KB.") % {"size": max_bytes // 1024})
    if b"\x00" in data:
        raise CsvFileError(_("This is not a CSV text file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError(_("The file is not UTF-8 text; save it as “CSV UTF-8”.")) from error

    records: list[tuple[int, list[str]]] = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if not any(cell.strip() for cell in record):
                continue
            records.append((number, record))
            # The header plus one row too many is enough to refuse the file.
            if len(records) > max_rows + 1:
                break
    except csv.Error as error:
        raise CsvFileError(_("The file could not be read as CSV.")) from error

    if not records:
        raise CsvFileError(_("The file is empty."))
    header = normalise_header(records[0][1])
    problem = check_header(header)
    if problem:
        raise CsvFileError(problem)
    data_records = records[1:]
    if not data_records:
        raise CsvFileError(_("The file has a header but no rows."))
    if len(data_records) > max_rows:
        raise CsvFileError(
            _("The file has more than %(max)s rows; split it into smaller files.")
            % {"max": max_rows}
        )
    return header, data_records


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
    """The hidden payload of a confirmation page; cleaned, it is the list of rows. Subclasses
    set `salt`; `scope` is what the rows were signed for (say {"agency": 3, "user": 7})."""

    salt = ""
    payload = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, scope: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
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
