"""Reading an uploaded CSV file the same way for every import: the file-level checks (size,
text, UTF-8 with or without BOM, CSV syntax, not empty, a header row naming the columns, a
row cap). What each row must hold is the caller's business."""

import csv
import io
from collections.abc import Callable

from django.utils.translation import gettext as _

MAX_BYTES = 512 * 1024
MAX_ROWS = 1000


class CsvFileError(ValueError):
    """The file as a whole cannot be used; .message says why, for the person uploading it."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def too_many_rows_message(max_rows: int) -> str:
    return _("The file has more than %(max)s rows; split it into smaller files.") % {
        "max": max_rows
    }


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
        raise CsvFileError(too_many_rows_message(max_rows))
    return header, data_records
