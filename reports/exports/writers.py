"""The two file formats of a table export, written from the same cells: CSV (UTF-8 with a
byte-order mark) and XLSX (openpyxl, write-only so memory stays flat as rows grow).

Both apply one rule to text (core.csv.csv_text): a cell a spreadsheet would run as a formula
starts with a quote, so the two files carry the same text and neither runs anything. Numbers
stay numbers; dates and times are real date cells in XLSX and ISO 8601 in CSV, in the active
time zone. Both accept any iterable of rows and call `progress(rows_written)` every `every`
rows and once at the end, so a worker can show how far it is.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from core.csv import csv_text

# openpyxl is imported by the first workbook written, not with this module: every web process
# imports it through the export views' URLs, and it was a third of a gunicorn worker's first
# request (workers restart every 1,000 requests).
if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell

Progress = Callable[[int], None]
PROGRESS_EVERY = 500
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# XML 1.0 has no place for these control characters; openpyxl refuses them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Characters a sheet's name may not hold, and its greatest length.
_SHEET_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def csv_cell(value) -> str | int | float | Decimal:
    """One cell as CSV writes it: numbers as they are, dates ISO 8601, text escaped."""
    if value is None:
        return ""
    if _is_number(value):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return csv_text(value)


def _counted(rows: Iterable[list], progress: Progress | None, every: int):
    written = 0
    for row in rows:
        yield row
        written += 1
        if progress is not None and written % every == 0:
            progress(written)
    if progress is not None:
        progress(written)


def write_csv(
    columns: list[str],
    rows: Iterable[list],
    *,
    progress: Progress | None = None,
    every: int = PROGRESS_EVERY,
) -> bytes:
    """The table as CSV bytes (UTF-8 with a BOM, so spreadsheets read Korean and Thai)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_text(column) for column in columns])
    for row in _counted(rows, progress, every):
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def sheet_title(title: str) -> str:
    return _SHEET_ILLEGAL.sub(" ", title).strip()[:SHEET_TITLE_MAX] or "Export"


def _xlsx_cell(sheet, value) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if _is_number(value):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: the local time of the active zone, as in CSV.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(sheet, value=local.replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return _text_cell(sheet, csv_text(value))


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    # The value setter guesses a type (a leading "=" makes a formula); the escaping above
    # already prevents that, and the explicit type keeps it so whatever the text.
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=None)
    cell._value = _XML_ILLEGAL.sub("", text)
    cell.data_type = "s"
    return cell


def write_xlsx(
    title: str,
    columns: list[str],
    rows: Iterable[list],
    *,
    progress: Progress | None = None,
    every: int = PROGRESS_EVERY,
) -> bytes:
    """The table as an XLSX workbook of one sheet: a bold header row, then the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = _text_cell(sheet, csv_text(column))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    try:
        for row in _counted(rows, progress, every):
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    except BaseException:
        _discard(sheet)
        raise
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _discard(sheet) -> None:
    """A sheet whose rows failed: close its stream and remove its temporary file, so
    neither outlives the error."""
    with contextlib.suppress(Exception):
        sheet.close()
        sheet._writer.cleanup()


CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


def write_table(
    fmt: str,
    *,
    title: str,
    columns: list[str],
    rows: Iterable[list],
    progress: Progress | None = None,
    every: int = PROGRESS_EVERY,
) -> bytes:
    """The file in `fmt` ("csv" or "xlsx")."""
    if fmt == "xlsx":
        return write_xlsx(title, columns, rows, progress=progress, every=every)
    if fmt == "csv":
        return write_csv(columns, rows, progress=progress, every=every)
    raise ValueError(fmt)
