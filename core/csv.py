"""One rule for every CSV export: a cell a spreadsheet would run as a formula is written
as text (prefixed with a quote); and one way to send the file."""

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_attachment(content: str, filename: str, *, bom: bool = True) -> HttpResponse:
    """A CSV download. The byte-order mark lets spreadsheet programs read non-Latin names
    (Korean, Thai) as UTF-8."""
    body = content.encode("utf-8-sig" if bom else "utf-8")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
