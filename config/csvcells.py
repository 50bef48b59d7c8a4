"""One rule for every CSV export: a cell a spreadsheet would run as a formula is written
as text (prefixed with a quote)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
