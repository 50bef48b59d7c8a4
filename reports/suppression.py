"""Small-cell suppression for tables that cross agencies (country and programme dashboards and
their exports). Pure functions: no database, no request.

The rules, with k = settings.REPORTS_SMALL_CELL_K (default 5):
- Primary: a count from 1 to k-1 is hidden and shown as "<k". Zero is shown: it says no
  officer is counted, which names nobody, and hiding it would make every empty agency look
  like a small one.
- Complementary: cells that add up (an agency column summing to the country total; a row's
  parts summing to its row total) form a group. A group with exactly one hidden cell gives
  that cell away by subtraction, so the smallest shown non-zero cell of the group (a zero
  only when nothing else is left) is hidden too, and this repeats until no group has
  exactly one hidden cell. Such a cell is shown as "hidden", never as "<k" (it may be 40).
- Rates: a percentage is hidden when its numerator or its denominator is hidden, or when
  the numerator, the denominator or their difference is from 1 to k-1 (a 95 % rate over 40
  officers names the 2 who did not).
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _

SMALL = "small"  # primary: 1..k-1
COMPLEMENT = "complement"  # hidden so that a small cell cannot be recovered


def small_cell_k() -> int:
    return settings.REPORTS_SMALL_CELL_K


def is_small(value: int | None, k: int) -> bool:
    return value is not None and 0 < value < k


def suppress(
    cells: Mapping[Hashable, int],
    groups: Iterable[Iterable[Hashable]],
    *,
    k: int | None = None,
) -> dict[Hashable, str]:
    """{key: SMALL or COMPLEMENT} for every cell to hide. `groups` are sets of keys whose
    values are linked by one sum (parts and their total alike: knowing all but one of them
    gives the last). Keys of a group missing from `cells` are ignored."""
    k = small_cell_k() if k is None else k
    hidden: dict[Hashable, str] = {key: SMALL for key, value in cells.items() if is_small(value, k)}
    group_keys = [[key for key in group if key in cells] for group in groups]
    changed = True
    while changed:
        changed = False
        for keys in group_keys:
            if sum(1 for key in keys if key in hidden) != 1:
                continue
            shown = [key for key in keys if key not in hidden]
            # The smallest non-zero cell hides the most; a zero only when nothing else is left.
            # Ties go to the first in the group's order, so the result is stable.
            nonzero = [key for key in shown if cells[key] != 0]
            pick = min(nonzero or shown, key=lambda key: cells[key])
            hidden[pick] = COMPLEMENT
            changed = True
    return hidden


def rate_hidden(
    numerator: int | None,
    denominator: int | None,
    *,
    numerator_hidden: bool = False,
    denominator_hidden: bool = False,
    k: int | None = None,
) -> bool:
    """Whether a rate numerator/denominator must not be shown (see the module's rules)."""
    k = small_cell_k() if k is None else k
    if numerator_hidden or denominator_hidden:
        return True
    if numerator is None or denominator is None:
        return False
    return (
        is_small(numerator, k) or is_small(denominator, k) or is_small(denominator - numerator, k)
    )


def percent(numerator: int | None, denominator: int | None) -> Decimal | None:
    """The rate in percent with one decimal; None when the denominator is 0 or unknown."""
    if not denominator or numerator is None:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Cell:
    """A figure as a table shows it: its value when shown, or why it is hidden."""

    value: int | Decimal | None
    hidden: str = ""  # "", SMALL or COMPLEMENT

    @property
    def shown(self) -> bool:
        return not self.hidden

    @property
    def label(self) -> str:
        """The text of a hidden cell ("<5" or "hidden"), or "" when shown."""
        if self.hidden == SMALL:
            return _("<%(k)s") % {"k": small_cell_k()}
        if self.hidden == COMPLEMENT:
            return _("hidden")
        return ""

    def export_value(self):
        """For a CSV or XLSX cell: the value, or the hidden cell's label."""
        return self.label if self.hidden else self.value


def exact(value) -> Cell:
    return Cell(value=value)


@dataclass
class SuppressedRow:
    key: Hashable  # an agency id, a country code, or TOTAL
    label: str
    cells: dict[str, Cell]  # per column
    rates: dict[str, Cell]  # per rate name
    url: str = ""  # the dashboard one level down, set by the view


TOTAL = "total"


def suppress_table(
    rows: list[tuple[Hashable, str, Mapping[str, int]]],
    total: Mapping[str, int],
    *,
    columns: list[str],
    row_groups: list[tuple[list[str], str]],
    rates: dict[str, tuple[str, str]],
    k: int | None = None,
) -> tuple[list[SuppressedRow], SuppressedRow]:
    """Suppress a cross-agency table: `rows` (key, label, {column: count}) and their `total`.

    Additive groups: each column (its rows and the total), and in every row (the total too)
    each (parts, whole) of `row_groups`, e.g. (["compliant", "at_risk", "overdue", "none"],
    "vetted"). `rates` are {name: (numerator column, denominator column)}."""
    k = small_cell_k() if k is None else k
    cells: dict[tuple, int] = {}
    keys = [key for key, _label, _values in rows]
    for key, _label, values in rows:
        for column in columns:
            cells[(key, column)] = values[column]
    for column in columns:
        cells[(TOTAL, column)] = total[column]
    groups: list[list[tuple]] = [
        [(key, column) for key in keys] + [(TOTAL, column)] for column in columns
    ]
    for key in [*keys, TOTAL]:
        for parts, whole in row_groups:
            groups.append([(key, part) for part in parts] + [(key, whole)])
    hidden = suppress(cells, groups, k=k)

    def build(key, label) -> SuppressedRow:
        row_cells = {}
        for column in columns:
            reason = hidden.get((key, column), "")
            row_cells[column] = Cell(value=None if reason else cells[(key, column)], hidden=reason)
        row_rates = {}
        for name, (numerator, denominator) in rates.items():
            n, d = cells[(key, numerator)], cells[(key, denominator)]
            if rate_hidden(
                n,
                d,
                numerator_hidden=(key, numerator) in hidden,
                denominator_hidden=(key, denominator) in hidden,
                k=k,
            ):
                row_rates[name] = Cell(value=None, hidden=COMPLEMENT)
            else:
                row_rates[name] = Cell(value=percent(n, d))
        return SuppressedRow(key=key, label=label, cells=row_cells, rates=row_rates)

    return [build(key, label) for key, label, _values in rows], build(TOTAL, "")
