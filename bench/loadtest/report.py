"""Figures of the load test from the requests it recorded: per endpoint group, the count, rate,
p50/p95/p99 and error rate over a window of time, the pass rule of the step search, and the
table both print. Standard library only (the generator and run.py share it)."""

from dataclasses import dataclass

P95_LIMIT_MS = 500
EMPTY = dict.fromkeys(("count", "errors", "error_rate", "rps", "p50", "p95", "p99"), 0) | {
    "why": []
}


@dataclass(frozen=True)
class Sample:
    at: float  # when the response ended (time.time())
    group: str
    ms: float
    failed: str  # why it failed, "" when it did not


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of the values at or below."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without math
    return ordered[int(rank) - 1]


def group_figures(samples: list[Sample], start: float, end: float) -> dict[str, dict]:
    """Per group, the requests that ended in [start, end): count, errors, error rate (%), rps,
    p50, p95, p99 (ms), and up to three distinct reasons for the errors."""
    seconds = max(end - start, 1e-9)
    by_group: dict[str, list[Sample]] = {}
    for sample in samples:
        if start <= sample.at < end:
            by_group.setdefault(sample.group, []).append(sample)
    figures = {}
    for group, items in sorted(by_group.items()):
        ordered = sorted(item.ms for item in items)
        failures = [item.failed for item in items if item.failed]
        figures[group] = {
            "count": len(items),
            "errors": len(failures),
            "error_rate": 100 * len(failures) / len(items),
            "rps": len(items) / seconds,
            "p50": percentile(ordered, 0.50),
            "p95": percentile(ordered, 0.95),
            "p99": percentile(ordered, 0.99),
            "why": list(dict.fromkeys(failures))[:3],
        }
    return figures


def total(samples: list[Sample], start: float, end: float, groups) -> dict:
    """The requests of `groups` together, as one more row."""
    merged = [Sample(s.at, "all", s.ms, s.failed) for s in samples if s.group in groups]
    return group_figures(merged, start, end).get("all", EMPTY)


def passes(figures: dict[str, dict], errors: int, limit_ms: float = P95_LIMIT_MS) -> bool:
    """The step search's rule: no error at all, and every group's p95 under the limit."""
    return errors == 0 and bool(figures) and all(f["p95"] < limit_ms for f in figures.values())


def table(figures: dict[str, dict], overall: dict | None = None) -> str:
    """A fixed-width table, one line per group (and the total last)."""
    lines = [
        f"{'group':<22} {'requests':>8} {'rps':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6} {'error %':>7}"
    ]
    rows = list(figures.items()) + ([("all", overall)] if overall else [])
    for group, f in rows:
        lines.append(
            f"{group:<22} {f['count']:>8} {f['rps']:>7.1f} {f['p50']:>7.0f} {f['p95']:>7.0f} "
            f"{f['p99']:>7.0f} {f['errors']:>6} {f['error_rate']:>7.2f}"
        )
    return "\n".join(lines)
