"""One CSV import described once: its columns, how a row is read and checked, how the checked
rows are shown and written. Reading the file, numbering and reporting the problems, signing
the confirmation and applying every row or none are the same for every import."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import AuditContext
from core.imports.forms import SignedRowsForm, sign_rows
from core.imports.reader import (
    MAX_BYTES,
    MAX_ROWS,
    CsvFileError,
    read_csv,
    too_many_rows_message,
)

# A row is {"row": n, "email": ..., and the import's own cells}, n being the row's number as a
# spreadsheet shows it (the header is row 1); every import so far names a person by email. A
# problem is {"row": n or None for the whole file, "email": ..., "messages": [...]}.
Row = dict
Problem = dict

EMAIL_MAX_LENGTH = 254


class ImportProblems(ValidationError):
    """The rows no longer pass the checks; .problems says which and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            [
                _("Row %(row)s: %(problem)s")
                % {"row": p["row"], "problem": " ".join(p["messages"])}
                if p["row"] is not None
                else " ".join(p["messages"])
                for p in problems
            ]
        )


def file_problem(message: str) -> list[Problem]:
    return [{"row": None, "email": "", "messages": [message]}]


def _is_email(email: str) -> bool:
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        return False
    return True


class ImportSpec:
    """What one kind of import is. A subclass names its columns and its page's words and says
    how a row is read (read_row), what the checks need from the database in one go (lookup),
    what is wrong with a row (row_messages), how a row is written (write_row, through the
    app's services) and what follows the last row (finish: the import's audit row). An
    instance is one import: for one target (an agency, a session) and one actor."""

    # The file: the columns a header may name, those it must name, and the message when it
    # does not (%(found)s is what it named).
    columns: tuple[str, ...] = ("email",)
    required_columns: tuple[str, ...] = ("email",)
    header_message = ""
    max_bytes = MAX_BYTES
    max_rows = MAX_ROWS
    # What the confirmation is signed with (one salt per import).
    salt = ""
    # What a confirmation holding no rows is told.
    no_rows_message = gettext_lazy("The file has a header but no rows.")

    # The page: the upload field's help, the report's heading and its first line, and the
    # table of checked rows (its caption and column labels, after the row number).
    upload_help = ""
    problems_heading = ""
    problems_intro = ""
    preview_caption = ""
    preview_columns: tuple[str, ...] = ()

    def __init__(self, *, actor):
        self.actor = actor

    # --- What each import says -----------------------------------------------------------

    def scope(self) -> dict[str, int]:
        """What the confirmation is signed for, beside the actor (say {"agency": 3})."""
        raise NotImplementedError

    def refusal(self) -> str | None:
        """Why no file at all may be imported now (a cancelled session), or None."""
        return None

    def read_row(self, cells: dict[str, str]) -> Row:
        """The row's values from its cells (by column name), normalised; not "row"."""
        raise NotImplementedError

    def lookup(self, rows: list[Row]):
        """What the checks need from the database, read once for all the rows."""
        return None

    def row_messages(self, row: Row, *, found, email_valid: bool) -> list[str]:
        """What is wrong with this row beyond its email (missing, not valid, repeated)."""
        raise NotImplementedError

    def write_row(self, row: Row, *, found, context: AuditContext | None):
        """Write one checked row through the app's service; a ValidationError refuses it."""
        raise NotImplementedError

    def finish(self, written: list, *, rows: list[Row], context: AuditContext | None):
        """After the last row: the import's own audit row; returns the import's result."""
        return written

    def preview_cells(self, row: Row) -> list:
        """The cells of the row in the table of checked rows, after its number."""
        raise NotImplementedError

    def summary(self, count: int) -> str:
        raise NotImplementedError

    def submit_label(self, count: int) -> str:
        raise NotImplementedError

    def done_message(self, result) -> str:
        raise NotImplementedError

    def done_url(self) -> str:
        raise NotImplementedError

    def confirm_decorator(self, rows: list[Row]):
        """A view decorator the confirmation of these rows must pass first, or None."""
        return None

    # --- The same for every import -------------------------------------------------------

    def header_problem(self, header: list[str]) -> str | None:
        if (
            any(name not in self.columns for name in header)
            or len(set(header)) != len(header)
            or not set(self.required_columns) <= set(header)
        ):
            return self.header_message % {"found": ", ".join(header)}
        return None

    def parse(self, data: bytes) -> tuple[list[Row], list[Problem]]:
        """Read an uploaded file (UTF-8, with or without BOM, header row first) and check every
        row. Writes nothing. Any problem means no row may be imported."""
        refusal = self.refusal()
        if refusal:
            return [], file_problem(refusal)
        try:
            header, records = read_csv(
                data,
                check_header=self.header_problem,
                max_bytes=self.max_bytes,
                max_rows=self.max_rows,
            )
        except CsvFileError as error:
            return [], file_problem(error.message)
        rows: list[Row] = []
        extra: dict[int, list[str]] = {}
        for number, record in records:
            rows.append({"row": number, **self.read_row(dict(zip(header, record, strict=False)))})
            if len(record) > len(header):
                extra[number] = [_("The row has more cells than the header.")]
        return rows, self.check(rows, extra=extra)

    def check(self, rows: list[Row], *, extra: dict[int, list[str]] | None = None) -> list[Problem]:
        """Every problem of every row, in row order; extra holds problems already found."""
        return self._problems(rows, found=self.lookup(rows), extra=extra or {})

    def _problems(self, rows: list[Row], *, found, extra: dict[int, list[str]]) -> list[Problem]:
        first_seen: dict[str, int] = {}
        problems: list[Problem] = []
        for row in rows:
            email = row.get("email", "")
            messages = list(extra.get(row["row"], []))
            email_valid = False
            if not email:
                messages.append(_("The email is missing."))
            else:
                email_valid = _is_email(email)
                if not email_valid:
                    messages.append(_("This is not a valid email address."))
                if email in first_seen:
                    messages.append(
                        _("The same email is already on row %(row)s.") % {"row": first_seen[email]}
                    )
                else:
                    first_seen[email] = row["row"]
            messages += self.row_messages(row, found=found, email_valid=email_valid)
            if messages:
                problems.append({"row": row["row"], "email": email, "messages": messages})
        return problems

    def apply(self, rows: list[Row], *, context: AuditContext | None = None):
        """Write every row, or none: the rows are checked again here, in the transaction, and
        any row refused (by the checks or by its service) rolls back every row before it,
        and the side effects that wait for the commit. Raises ImportProblems."""
        with transaction.atomic():
            if not rows:
                raise ImportProblems(file_problem(str(self.no_rows_message)))
            if len(rows) > self.max_rows:
                raise ImportProblems(file_problem(too_many_rows_message(self.max_rows)))
            refusal = self.refusal()
            if refusal:
                raise ImportProblems(file_problem(refusal))
            found = self.lookup(rows)
            problems = self._problems(rows, found=found, extra={})
            if problems:
                raise ImportProblems(problems)
            written = []
            for row in rows:
                try:
                    written.append(self.write_row(row, found=found, context=context))
                except ValidationError as error:
                    problem = {"row": row["row"], "email": row["email"], "messages": error.messages}
                    raise ImportProblems([problem]) from error
            return self.finish(written, rows=rows, context=context)

    def signed_scope(self) -> dict[str, int]:
        return {**self.scope(), "user": self.actor.pk}

    def sign(self, rows: list[Row]) -> str:
        """The checked rows, signed so they come back from the confirmation page unchanged,
        for this target and this actor only, within the hour."""
        return sign_rows(salt=self.salt, scope=self.signed_scope(), rows=rows)

    def confirm_form(self, *args, **kwargs) -> SignedRowsForm:
        return SignedRowsForm(*args, scope=self.signed_scope(), salt=self.salt, **kwargs)
