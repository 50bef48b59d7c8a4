"""Benchmark: generating a tracing lab graph and its answer key.

Times generate() for graphs of about 500 transfers in every scenario at every difficulty, then
answer_key() on them, and prints one line per scenario and difficulty: the median and 95th
percentile in milliseconds, also scaled to 500 transfers (the budget is 20 ms). It also checks
that the same seed gives the same graph twice. Pure Python, no Django needed.

    .venv/bin/python bench/lab_generation.py
    .venv/bin/python bench/lab_generation.py --repeat 200 --difficulty hard
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessments.labs.answers import answer_key  # noqa: E402
from assessments.labs.build import generate  # noqa: E402
from assessments.labs.graph import (  # noqa: E402
    DIFFICULTIES,
    SCENARIOS,
    LabParams,
    graph_fingerprint,
)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - started) * 1000, result


# Parameters that give each scenario about 500 transfers.
SIZES = {
    "peel_chain": {"peel_hops": 150, "noise": 50},
    "mixer_swap_bridge": {"peel_hops": 150, "noise": 50},
    "utxo_sweep": {"peel_hops": 40, "noise": 250},
    "tron_energy": {"peel_hops": 60, "noise": 300},
    "commingling": {"peel_hops": 12, "noise": 460},
}
BUDGET_MS = 20.0


def bench(scenario: str, difficulty: str, repeat: int) -> float:
    """Print one line for the scenario and difficulty; return the median per 500 transfers
    (the p95 moves with whatever else the machine is doing)."""
    params = LabParams(
        scenario=scenario, victims=3, exchanges=3, difficulty=difficulty, **SIZES[scenario]
    )
    first = generate(1, params)  # warm-up, and the reference for the determinism check
    again = generate(1, params)
    if graph_fingerprint(first) != graph_fingerprint(again) or answer_key(first) != answer_key(
        again
    ):
        raise SystemExit(f"{scenario}/{difficulty}: the same seed gave two different graphs")
    if graph_fingerprint(first) == graph_fingerprint(generate(2, params)):
        raise SystemExit(f"{scenario}/{difficulty}: seeds 1 and 2 gave the same graph")

    generation, keys, sizes = [], [], []
    for seed in range(repeat):
        elapsed, graph = timed(generate, seed, params)
        generation.append(elapsed)
        sizes.append(len(graph.transfers))
        elapsed, _key = timed(answer_key, graph)
        keys.append(elapsed)
    per_500 = [ms * 500 / size for ms, size in zip(generation, sizes, strict=True)]
    print(
        f"{scenario:<18} {difficulty:<8} transfers {min(sizes):>4}-{max(sizes):<4} "
        f"generate() median {statistics.median(generation):6.2f} ms "
        f"p95 {percentile(generation, 0.95):6.2f} ms "
        f"(per 500 transfers: median {statistics.median(per_500):6.2f} ms, "
        f"p95 {percentile(per_500, 0.95):6.2f} ms)   "
        f"answer_key() median {statistics.median(keys):5.2f} ms"
    )
    return statistics.median(per_500)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="graphs per line (seeds)")
    parser.add_argument(
        "--difficulty", choices=DIFFICULTIES, help="only this difficulty (default: all)"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    print(f"{args.repeat} seeds per line, Python {sys.version.split()[0]}")
    slow = []
    for scenario in SCENARIOS:
        for difficulty in [args.difficulty] if args.difficulty else DIFFICULTIES:
            if bench(scenario, difficulty, args.repeat) > BUDGET_MS:
                slow.append(f"{scenario}/{difficulty}")
    print("determinism: OK (same seed, same graph and answer key)")
    if slow:
        print(f"median over the {BUDGET_MS:.0f} ms budget per 500 transfers: {', '.join(slow)}")


if __name__ == "__main__":
    main()
