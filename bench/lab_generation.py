"""Benchmark: generating a tracing lab graph and its answer key.

Times generate() for a graph of about 500 transfers (peel_hops=150, noise=50) in both
scenarios, then answer_key() on it, and prints the median and 95th percentile in milliseconds.
It also checks that the same seed gives the same graph twice. Pure Python, no Django needed.

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


def bench(scenario: str, difficulty: str, repeat: int) -> None:
    params = LabParams(
        scenario=scenario, victims=3, peel_hops=150, exchanges=3, noise=50, difficulty=difficulty
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
    print(
        f"{scenario:<18} {difficulty:<8} transfers {min(sizes)}-{max(sizes)} "
        f"(seed 1: {len(first.transfers)}, addresses {len(first.addresses)})"
    )
    for name, samples in (("generate()", generation), ("answer_key()", keys)):
        print(
            f"    {name:<13} median {statistics.median(samples):6.2f} ms   "
            f"p95 {percentile(samples, 0.95):6.2f} ms   max {max(samples):6.2f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="graphs per scenario (seeds)")
    parser.add_argument("--difficulty", choices=DIFFICULTIES, default="standard")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    print(f"{args.repeat} seeds per scenario, Python {sys.version.split()[0]}")
    for scenario in SCENARIOS:
        bench(scenario, args.difficulty, args.repeat)
    print("determinism: OK (same seed, same graph and answer key)")


if __name__ == "__main__":
    main()
