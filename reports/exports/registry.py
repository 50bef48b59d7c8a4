"""The tables that can be exported. Each report registers its tables once (at import of its
module, listed in reports.apps); the export views, the writers and the worker know them only
by name.

A table says, for a user and the request's parameters (filters, scope ids; JSON-safe, so a
worker can rebuild the same rows later):
- `scope(user, params)`: the access check. It returns the agency the export belongs to (for
  the audit row), or None for a cross-agency table, and raises Http404 for missing and
  forbidden alike;
- `columns(params)`: the header row, translated in the active language;
- `count(user, params)`: how many rows, cheaply (decides between a direct download and a job);
- `rows(user, params)`: the rows, an iterable of lists of cells (str, int, Decimal, date,
  datetime or None); the writers escape formula-like text and format dates.
`personal` says whether personal data leaves (names, emails): the password is asked again.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import Http404

Params = dict[str, Any]


@dataclass(frozen=True)
class ExportTable:
    name: str
    title: Callable[[Params], str]
    personal: bool
    scope: Callable[[Any, Params], Any]
    columns: Callable[[Params], list[str]]
    count: Callable[[Any, Params], int]
    rows: Callable[[Any, Params], Iterable[list]]
    # Whether the rows are the requesting person's own data (their own training record): then
    # no password is asked, as for "download my data".
    own: Callable[[Any, Params], bool] | None = None

    def asks_password(self, user, params: Params) -> bool:
        return self.personal and not (self.own is not None and self.own(user, params))


_tables: dict[str, ExportTable] = {}


def export_table_register(table: ExportTable) -> ExportTable:
    if table.name in _tables and _tables[table.name] != table:
        raise ValueError(f"export table {table.name!r} is registered twice")
    _tables[table.name] = table
    return table


def export_table(name: str) -> ExportTable | None:
    return _tables.get(name)


def export_table_names() -> list[str]:
    return sorted(_tables)


def param_id(params: Params, key: str) -> int:
    """A positive integer id from the parameters; Http404 when missing or malformed (the
    same answer as for an object that does not exist)."""
    value = params.get(key)
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise Http404 from None
    if number <= 0:
        raise Http404
    return number


def param_text(params: Params, key: str) -> str:
    """A single text parameter ("" when missing; the first one when repeated)."""
    value = params.get(key, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)
