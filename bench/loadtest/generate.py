"""The load generator of `make loadtest`: locust's library API (one process, gevent) driving
the users of locustfile.py against a running site, in phases; run by run.py, and by the test
with --smoke. Every request is recorded (its end, group, time and failure), and the figures
come from those records (report.py), so each window is exact rather than locust's rounded
running totals.

    generate.py --host URL --out results.json [--main-users 320 --spawn-rate 4 --settle 10
        --duration 120] [--steps 160,320,... --step-spawn-rate 8 --step-hold 30] [--smoke]

Phases, one after the other on the same running users:
- main: start --main-users users (officers and admins 15:1, their classes' weights) at
  --spawn-rate a second, let the sign-ins' backlog settle, then --duration seconds measured.
- steps: the same mix at each user count of --steps, up from the main run's users or down
  (locust stops the surplus), each measured for --step-hold s after its users have spawned and
  settled; a step passes when no request failed from its start to its end and every group's
  p95 is under 500 ms (report.passes; the sign-in groups are not judged: they fall in the
  ramp, not in the window). The search stops at the first step that fails, then tries the
  count halfway between the last one that passed (or none) and it.
- smoke (--smoke, instead of both): one officer and one admin do one round each, thinking 0 s.

The plan's file is LOADTEST_PLAN (see locustfile.py); the environment is the site's (Django
is set up on its database for the answers). Prints a line per phase as it goes; writes
everything to --out as JSON: per phase its window's times, user counts, figures per group,
errors, the generator's own CPU, and the step search's outcome.
"""

import argparse
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path

import gevent
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))
import locustfile  # sets Django up
import psutil
from report import P95_LIMIT_MS, Sample, group_figures, passes, total

MIX = 16  # users per admin: 15 officers and 1 admin (OfficerUser.weight, AdminUser.weight)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--main-users", type=int, default=320)
    parser.add_argument("--spawn-rate", type=float, default=4)
    parser.add_argument("--settle", type=float, default=10)
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--steps", default="", help="comma-separated user counts; empty: none")
    parser.add_argument("--step-spawn-rate", type=float, default=8)
    parser.add_argument("--step-hold", type=float, default=30)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--smoke-timeout", type=float, default=60)
    args = parser.parse_args()
    args.steps = [int(n) for n in args.steps.split(",") if n.strip()]
    return args


class Recorder:
    """Every request locust reports, as a Sample."""

    def __init__(self, environment: Environment):
        self.samples: list[Sample] = []
        environment.events.request.add_listener(self.on_request)

    def on_request(self, name, response_time, exception=None, **_kwargs) -> None:
        failed = "" if exception is None else (str(exception) or type(exception).__name__)
        self.samples.append(Sample(time.time(), name, response_time, failed[:200]))

    def errors(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.at < end and s.failed]


def reasons(errors: list[Sample]) -> list[str]:
    """The commonest reasons for the errors, with their counts."""
    counted = Counter(f"{sample.group}: {sample.failed}" for sample in errors)
    return [f"{count} x {why}" for why, count in counted.most_common(6)]


def cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system


def spawned(runner, users: int, timeout: float) -> None:
    """Until locust has started (or stopped) users up to `users`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if runner.user_count == users and (
            runner.spawning_greenlet is None or runner.spawning_greenlet.ready()
        ):
            return
        gevent.sleep(0.2)
    raise SystemExit(f"locust did not reach {users} users within {timeout:.0f} s")


def phase(runner, recorder, name, users, *, spawn_rate, settle, hold) -> dict:
    """Run `users` users; measure `hold` seconds once they are up and `settle` s have passed."""
    start, cpu_start = time.time(), cpu_seconds()
    runner.start(users, spawn_rate=spawn_rate)
    spawned(runner, users, timeout=abs(users - runner.user_count) / spawn_rate + 120)
    up = time.time()
    gevent.sleep(settle)
    hold_start, cpu_hold = time.time(), cpu_seconds()
    gevent.sleep(hold)
    end, cpu_end = time.time(), cpu_seconds()
    samples = recorder.samples
    page_groups = group_figures(
        [s for s in samples if s.group not in locustfile.SIGN_IN_GROUPS], hold_start, end
    )
    sign_ins = group_figures(
        [s for s in samples if s.group in locustfile.SIGN_IN_GROUPS], start, end
    )
    errors = recorder.errors(start, end)
    return {
        "name": name,
        "users": users,
        "by_class": dict(runner.user_classes_count),
        "start": start,
        "up": up,
        "hold_start": hold_start,
        "end": end,
        "groups": page_groups,
        "all": total(samples, hold_start, end, set(page_groups)),
        "sign_ins": sign_ins,
        "requests": sum(1 for s in samples if start <= s.at < end),
        "errors": len(errors),
        "why": reasons(errors),
        "passed": passes(page_groups, len(errors)),
        "generator_cpu": {
            "phase": (cpu_end - cpu_start) / (end - start),
            "hold": (cpu_end - cpu_hold) / (end - hold_start),
        },
    }


def say(result: dict) -> None:
    worst = max(result["groups"].items(), key=lambda item: item[1]["p95"], default=("-", {}))
    print(
        f"loadtest: {result['name']} users={result['users']} {result['by_class']} "
        f"rps={result['all']['rps']:.1f} p95_ms={result['all']['p95']:.0f} "
        f"worst={worst[0]}:{worst[1].get('p95', 0):.0f}ms errors={result['errors']} "
        f"generator_cpu={100 * result['generator_cpu']['hold']:.0f}% "
        f"{'pass' if result['passed'] else 'FAIL'}",
        flush=True,
    )


def step_search(runner, recorder, args) -> tuple[list[dict], int | None]:
    """The steps of --steps up to the first that fails, then the one halfway back."""
    results, best, failed = [], None, None

    def step(users: int) -> dict:
        result = phase(
            runner,
            recorder,
            f"step {users}",
            users,
            spawn_rate=args.step_spawn_rate,
            settle=args.settle,
            hold=args.step_hold,
        )
        results.append(result)
        say(result)
        return result

    for users in args.steps:
        if not step(users)["passed"]:
            failed = users
            break
        best = users
    if failed is not None:
        halfway = ((best or 0) + failed) // 2 // MIX * MIX
        if halfway > (best or 0) and step(halfway)["passed"]:
            best = halfway
    return results, best


def smoke(runner, recorder, args) -> dict:
    """One officer and one admin, one round each; all their requests."""
    locustfile.OfficerUser.fixed_count = 1
    locustfile.AdminUser.fixed_count = 1
    start = time.time()
    runner.start(2, spawn_rate=2)
    deadline = time.monotonic() + args.smoke_timeout
    runner.spawning_greenlet.join(timeout=args.smoke_timeout)
    while runner.user_count and time.monotonic() < deadline:
        gevent.sleep(0.2)
    end = time.time() + 1e-3
    return {
        "name": "smoke",
        "groups": group_figures(recorder.samples, start, end),
        "errors": len(recorder.errors(start, end)),
        "why": reasons(recorder.errors(start, end)),
        "unfinished": runner.user_count,
    }


def main() -> None:
    args = parse_args()
    # The phases print their own lines; locust's ramp messages would come between them (in
    # the site's JSON log format, which Django's setup gave every logger).
    logging.getLogger("locust").setLevel(logging.WARNING)
    environment = Environment(
        user_classes=[locustfile.OfficerUser, locustfile.AdminUser], host=args.host
    )
    runner = environment.create_local_runner()
    recorder = Recorder(environment)
    results: dict = {"limit_ms": P95_LIMIT_MS, "phases": [], "max_users": None}
    try:
        if args.smoke:
            results["phases"].append(smoke(runner, recorder, args))
        else:
            main_run = phase(
                runner,
                recorder,
                "main",
                args.main_users,
                spawn_rate=args.spawn_rate,
                settle=args.settle,
                hold=args.duration,
            )
            results["phases"].append(main_run)
            say(main_run)
            if args.steps:
                steps, best = step_search(runner, recorder, args)
                results["phases"] += steps
                results["max_users"] = best
    finally:
        runner.quit()
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
