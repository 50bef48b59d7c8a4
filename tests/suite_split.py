"""The closing check of `make test`, which runs the suite in two halves (see the Makefile):
both halves together selected every test exactly once, and the totals of the two runs.

    python -m tests.suite_split HALF.json HALF.xml [HALF.json HALF.xml ...]

Each HALF.json is written by `pytest --record-selection` (tests/parallel.py), each HALF.xml
by `--junitxml`. The last line printed is `N passed, M failed` over every half (errors, and
each test lost or doubled between the halves, count as failed); the exit status is 1 if a test was lost, doubled or collected differently
between the halves, or if a half's report is missing.
"""

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path


def selection_problems(records: list[dict]) -> list[str]:
    """What is wrong with these halves' selections (none when they split one suite)."""
    problems = []
    suite = set(records[0]["all"])
    for number, record in enumerate(records[1:], start=2):
        if set(record["all"]) != suite:
            problems.append(f"half {number} collected a different suite than half 1")
    counts = Counter(nodeid for record in records for nodeid in record["selected"])
    lost = sorted(suite - counts.keys())
    twice = sorted(nodeid for nodeid, count in counts.items() if count > 1)
    problems += [f"in no half: {nodeid}" for nodeid in lost]
    problems += [f"in more than one half: {nodeid}" for nodeid in twice]
    return problems


def totals(report: Path) -> Counter:
    """Counts of one junit report: tests, failures, errors, skipped."""
    counts = Counter()
    for suite in ET.parse(report).getroot().iter("testsuite"):  # noqa: S314 (our own file)
        for key in ("tests", "failures", "errors", "skipped"):
            counts[key] += int(suite.get(key, 0))
    return counts


def main(arguments: list[str]) -> int:
    if not arguments or len(arguments) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    pairs = [(Path(arguments[i]), Path(arguments[i + 1])) for i in range(0, len(arguments), 2)]
    missing = [str(path) for pair in pairs for path in pair if not path.exists()]
    problems = [f"missing: {path} (did that half run?)" for path in missing]
    if not missing:
        records = [json.loads(selection.read_text()) for selection, _report in pairs]
        problems += selection_problems(records)
        total = sum((totals(report) for _selection, report in pairs), Counter())
        failed = total["failures"] + total["errors"]
        passed = total["tests"] - failed - total["skipped"]
        print(
            f"{len(records[0]['all'])} tests in the suite, "
            + " + ".join(str(len(record["selected"])) for record in records)
            + " selected in the halves"
            + (f", {total['skipped']} skipped" if total["skipped"] else "")
        )
    for problem in problems:
        print(f"suite split: {problem}")
    if missing:
        print(f"0 passed, {len(problems)} failed")
        return 1
    # A test lost or doubled counts as failed, so the closing line alone tells CI.
    print(f"{passed} passed, {failed + len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
