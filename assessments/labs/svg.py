"""Server-side SVG drawing of one address's neighbourhood in a tracing lab graph.

The officer explores the graph address by address. Each page shows the current ("focus")
address in the centre column, the addresses that paid it on the left and the addresses it paid
on the right (further columns for a larger radius), earliest transfer at the top. Every address
is a link (keyboard-focusable ``<a>``) to its own page; the officer's visited path is drawn in
blue with numbered badges, so the drawing does not rely on colour alone.

The output is a standalone SVG string: no scripts, event handlers, external references or
style sheets (presentation attributes only, so a strict Content-Security-Policy does not strip
its look), all text escaped, text at least 12 units high and dark on light fills. The ground
truth (``Address.kind``) is never drawn: only what an analytics tool would show.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from html import escape
from itertools import pairwise

from assessments.labs.graph import LabGraph, Transfer

COLUMN_PITCH = 300
NODE_WIDTH = 164
NODE_HEIGHT = 56
ROW_PITCH = 72
TOP = 64
MAX_PER_COLUMN = 12
MAX_RADIUS = 3
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"

TEXT = "#0f172a"
EDGE = "#475569"
PATH = "#1d4ed8"
FILLS = {  # (fill, stroke)
    "focus": ("#fef3c7", "#92400e"),
    "visited": ("#dbeafe", "#1d4ed8"),
    "labelled": ("#ecfdf5", "#047857"),
    "plain": ("#f8fafc", "#475569"),
}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(value: object) -> str:
    """Escape text and attribute values; drop characters that XML 1.0 does not allow."""
    return escape(_CONTROL.sub("", str(value)), quote=True)


def _safe_href(url: object) -> str:
    text = _CONTROL.sub("", str(url)).strip()
    if re.match(r"(?i)\s*(?:javascript|vbscript|data)\s*:", text):
        return "#"
    return text


def short_id(address_id: str) -> str:
    """First 6 and last 4 characters, as analysts write addresses."""
    return address_id if len(address_id) <= 12 else f"{address_id[:6]}…{address_id[-4:]}"


def _wrap(label: str, width: int = 24, lines: int = 2) -> list[str]:
    words, rows, current = re.findall(r"\([^)]*\)|\S+", label), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width:
            current = candidate
            continue
        if current:
            rows.append(current)
        current = word if len(word) <= width else word[: width - 1] + "…"
    if current:
        rows.append(current)
    if len(rows) > lines:
        rows = rows[:lines]
        rows[-1] = rows[-1][: width - 1].rstrip() + "…"
    return rows


def sum_amount(transfers: list[Transfer]) -> Decimal:
    """Total of the transfers, keeping the asset's decimal places."""
    return sum((t.amount for t in transfers), transfers[0].amount * 0)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _layout(
    graph: LabGraph, focus: str, radius: int
) -> tuple[dict[int, list[str]], dict[str, int], dict[int, int]]:
    """Columns of address ids: 0 is the focus, negative pay into it, positive are paid by it."""
    columns: dict[int, list[str]] = {0: [focus]}
    placed = {focus: 0}
    hidden: dict[int, int] = {}
    frontiers = {-1: [focus], 1: [focus]}
    for depth in range(1, radius + 1):
        for side in (-1, 1):
            candidates: dict[str, tuple] = {}
            for node in frontiers[side]:
                transfers = graph.incoming(node) if side < 0 else graph.outgoing(node)
                for transfer in transfers:
                    other = transfer.source if side < 0 else transfer.target
                    if other in placed or other == node:
                        continue
                    key = (transfer.time, other)
                    if other not in candidates or key < candidates[other]:
                        candidates[other] = key
            ordered = sorted(candidates, key=candidates.__getitem__)
            shown = ordered[:MAX_PER_COLUMN]
            column = side * depth
            columns[column] = shown
            hidden[column] = len(ordered) - len(shown)
            for node in shown:
                placed[node] = column
            frontiers[side] = shown
    return columns, placed, hidden


def render_graph_svg(
    graph: LabGraph,
    *,
    focus: str,
    visited: list[str],
    radius: int = 1,
    href: Callable[[str], str],
) -> str:
    """An accessible SVG of `focus` and its neighbours within `radius` hops."""
    if focus not in graph.addresses:
        raise ValueError(f"unknown address {focus!r}")
    radius = radius if isinstance(radius, int) and not isinstance(radius, bool) else 1
    radius = max(1, min(MAX_RADIUS, radius))
    visited = [a for a in (visited or []) if isinstance(a, str) and a in graph.addresses]
    order = {address_id: number for number, address_id in enumerate(visited, start=1)}
    path_pairs = {frozenset(pair) for pair in pairwise(visited)}

    columns, placed, hidden = _layout(graph, focus, radius)
    rows = max(len(nodes) for nodes in columns.values()) or 1
    width = max(900, (2 * radius + 1) * COLUMN_PITCH)
    height = TOP + rows * ROW_PITCH + 64
    centre_x = width // 2
    positions: dict[str, tuple[int, int]] = {}
    for column, nodes in columns.items():
        x = centre_x + column * COLUMN_PITCH
        y0 = TOP + (rows - len(nodes)) * ROW_PITCH // 2
        for row, node in enumerate(nodes):
            positions[node] = (x, y0 + row * ROW_PITCH + ROW_PITCH // 2)

    focus_address = graph.addresses[focus]
    n_in, n_out = len(graph.incoming(focus)), len(graph.outgoing(focus))
    prefix = "lab-" + hashlib.sha256(f"{focus}|{'|'.join(visited)}".encode()).hexdigest()[:10]
    shown = len(placed) - 1
    not_shown = sum(hidden.values())
    desc = (
        f"Address {focus} with {n_in} incoming and {n_out} outgoing transfers."
        + (f" Label: {focus_address.label}." if focus_address.label else " No label.")
        + f" Showing {shown} connected address{'es' if shown != 1 else ''} within"
        f" {radius} hop{'s' if radius != 1 else ''}: payers on the left, recipients on the"
        " right, earliest first."
        + (f" {not_shown} more not shown." if not_shown else "")
        + (
            f" You have visited {len(order)} address{'es' if len(order) != 1 else ''}."
            if order
            else ""
        )
    )
    title = f"Transaction graph around {short_id(focus)}"

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="group" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" class="lab-graph" '
        f'font-family="{_esc(FONT)}" font-size="12" fill="{TEXT}">',
        f'<title id="{prefix}-title">{_esc(title)}</title>',
        f'<desc id="{prefix}-desc">{_esc(desc)}</desc>',
        "<defs>",
    ]
    for name, colour in (("arrow", EDGE), ("path", PATH)):
        out.append(
            f'<marker id="{prefix}-{name}" viewBox="0 0 10 10" refX="10" refY="5" '
            f'markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    heading = f"Address {short_id(focus)}" + (
        f": {focus_address.label}" if focus_address.label else ""
    )
    out.append(f'<text x="16" y="24" font-size="15" font-weight="bold">{_esc(heading)}</text>')
    out.append(
        f'<text x="16" y="44">{_esc(f"{n_in} incoming and {n_out} outgoing transfers.")}'
        " Payers on the left, recipients on the right, earliest at the top.</text>"
    )

    # Edges: transfers between addresses in neighbouring columns, grouped per direction.
    groups: dict[tuple[str, str, str], list[Transfer]] = {}
    for node in placed:
        for transfer in graph.outgoing(node):
            target = transfer.target
            if target in placed and abs(placed[target] - placed[node]) == 1:
                groups.setdefault((node, target, transfer.asset), []).append(transfer)
    labels_at: dict[str, int] = {}
    for (source, target, _asset), transfers in groups.items():
        (sx, sy), (tx, ty) = positions[source], positions[target]
        forward = placed[source] < placed[target]
        half = NODE_WIDTH // 2
        x1, x2 = (sx + half, tx - half) if forward else (sx - half, tx + half)
        offset = 0 if forward else 10
        y1, y2 = sy + offset, ty + offset
        on_path = frozenset((source, target)) in path_pairs
        colour, marker, stroke = (PATH, "path", 3) if on_path else (EDGE, "arrow", 1.5)
        details = [
            f"{_when(t.time)}: {format(t.amount, 'f')} {t.asset}, fee {format(t.fee, 'f')} "
            f"{t.fee_asset}, tx {t.id}"
            for t in transfers[:5]
        ]
        if len(transfers) > 5:
            details.append(f"and {len(transfers) - 5} more")
        edge_title = (
            f"{short_id(source)} to {short_id(target)}: {len(transfers)} transfer"
            f"{'s' if len(transfers) != 1 else ''}. " + "; ".join(details)
        )
        # Label the edge beside its outer end, on the side away from the line, where
        # neighbouring edges are furthest apart.
        outer_is_source = abs(placed[source]) > abs(placed[target])
        outer = source if outer_is_source else target
        ox, oy, iy, ix = (x1, y1, y2, x2) if outer_is_source else (x2, y2, y1, x1)
        direction = 1 if ix > ox else -1
        anchor = "start" if direction > 0 else "end"
        text_x = ox + direction * (6 if outer_is_source else 16)
        lines = [f"{format(sum_amount(transfers), 'f')} {transfers[0].asset}"]
        if len(transfers) > 1:
            lines.append(f"{len(transfers)} transfers")
        stacked = labels_at.get(outer, 0)
        labels_at[outer] = stacked + len(lines)
        if iy < oy:  # the line rises: write below it
            first_y = oy + 15 + 14 * stacked
        else:
            first_y = oy - 5 - 14 * (len(lines) - 1) - 14 * stacked
        halo = 'stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"'
        texts = "".join(
            f'<text x="{text_x}" y="{first_y + 14 * index}" text-anchor="{anchor}" {halo}>'
            f"{_esc(line)}</text>"
            for index, line in enumerate(lines)
        )
        out.append(
            f"<g><title>{_esc(edge_title)}</title>"
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" '
            f'stroke-width="{stroke}" marker-end="url(#{prefix}-{marker})"/>{texts}</g>'
        )

    # Nodes, each a link to that address's page.
    for node, (x, y) in positions.items():
        address = graph.addresses[node]
        style = (
            "focus"
            if node == focus
            else "visited"
            if node in order
            else "labelled"
            if address.label
            else "plain"
        )
        fill, stroke = FILLS[style]
        stroke_width = 3 if style in ("focus", "visited") else 1.5
        left, top = x - NODE_WIDTH // 2, y - NODE_HEIGHT // 2
        node_in, node_out = len(graph.incoming(node)), len(graph.outgoing(node))
        node_title = (
            f"{address.id} on {address.chain}"
            + (f", {address.label}" if address.label else ", no label")
            + f": {node_in} incoming, {node_out} outgoing transfers"
            + (f". Visited, step {order[node]}" if node in order else "")
            + (". Current address" if node == focus else "")
        )
        current = ' aria-current="page"' if node == focus else ""
        lines = _wrap(address.label) if address.label else ["no label"]
        out.append(f'<a href="{_esc(_safe_href(href(node)))}"{current}>')
        out.append(f"<title>{_esc(node_title)}</title>")
        out.append(
            f'<rect x="{left}" y="{top}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"/>'
        )
        out.append(
            f'<text x="{x}" y="{top + 18}" text-anchor="middle" font-size="13" '
            f'font-weight="bold">{_esc(short_id(node))}</text>'
        )
        for index, line in enumerate(lines):
            style_attr = ' font-style="italic"' if not address.label else ""
            out.append(
                f'<text x="{x}" y="{top + 34 + 14 * index}" text-anchor="middle"{style_attr}>'
                f"{_esc(line)}</text>"
            )
        if node in order:
            out.append(
                f'<circle cx="{left}" cy="{top}" r="11" fill="{PATH}"/>'
                f'<text x="{left}" y="{top + 4}" text-anchor="middle" fill="#ffffff" '
                f'font-weight="bold">{order[node]}</text>'
            )
        out.append("</a>")

    for column, count in hidden.items():
        if count:
            x = centre_x + column * COLUMN_PITCH
            y = TOP + rows * ROW_PITCH + 14
            out.append(
                f'<text x="{x}" y="{y}" text-anchor="middle" font-style="italic">'
                f"+{count} more not shown</text>"
            )
    out.append(
        f'<text x="16" y="{height - 14}">Yellow, thick border: this address. Blue border with '
        "a number: addresses you visited, in order. Blue arrows: your path.</text>"
    )
    out.append("</svg>")
    return "".join(out)
