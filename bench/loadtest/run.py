"""Load figures (issue 17 §3), `make loadtest`: officers and agency admins, simulated with
locust, against gunicorn with 4 workers on PostgreSQL and Redis on this machine, with
production settings.

    .venv/bin/python bench/loadtest/run.py [--main-users 320] [--duration 120]
        [--steps 160,320,...] [--no-steps] [--think 2,5] [--keep-db]

Setup (bench/benchsite.py, as bench/page_throughput.py does it): a fresh PostgreSQL database
cc_loadtest (LOADTEST_DB; dropped at the end unless --keep-db) and Redis database 12 of
127.0.0.1:6379 (LOADTEST_REDIS_URL; that one database emptied before and after), migrated and
filled with `sync_content` and `seed_demo --i-know-this-is-not-production`; then the people
(seed.py): enough officers, vetted and enrolled, in eight agencies, and agency admins (the
three demo admins and new ones) with authenticator apps, for every user locust starts to sign
in with an account of their own. gunicorn runs `deploy/gunicorn.conf.py` with
WEB_CONCURRENCY=4 (GUNICORN_THREADS at its default, 4), max_requests, the JSON access log and
the multiprocess metrics as in production, and TRUSTED_PROXY_COUNT=1 as behind the nginx of
deploy/: each simulated user sends its own address in X-Forwarded-For (locustfile.py). No
Celery worker runs: the tasks the pages queue wait in Redis, as they would for a worker
machine.

The load (generate.py, in a process of its own; the users in locustfile.py): first the main
run, --main-users users (300 officers and 20 agency admins by default: the users' weights make
15 officers per admin), spawned at --spawn-rate a second (each signs in on arrival), 10 s to
settle, then --duration s measured; then the step search for the highest user count at the
same mix whose every endpoint group keeps p95 under 500 ms with no error at all (each step
measured 30 s once its users are up), stopping at the first step that fails and trying the
count halfway back.

Printed: per endpoint group, requests, rps, p50/p95/p99 and the error rate of the main run's
measured window (and of the sign-ins, which all fall in the ramp), the CPU each party used
meanwhile (gunicorn, the load generator, PostgreSQL, Redis and the rest of the machine, in
percent of one core; the machine has os.cpu_count() of them) and gunicorn's worker restarts
(max_requests); then one line per step and the highest user count that passed. The load
generator shares the machine with the site: its CPU share is printed so that a saturated
generator is seen, not mistaken for a slow site.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(ROOT)]

import psutil  # noqa: E402
from benchhttp import Server, listening_socket, load, start_gunicorn, wait_ready  # noqa: E402
from benchsite import cleaned_up, database, flush_redis, prepare_site, production_env  # noqa: E402
from report import P95_LIMIT_MS, table  # noqa: E402

DB = os.environ.get("LOADTEST_DB", "cc_loadtest")
REDIS_URL = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/12")
WORKERS, THREADS = 4, 4
MIX = 16  # users per admin (generate.MIX)
STEPS = "80,160,240,320,400,480,640,800,960"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--main-users", type=int, default=320, help="officers and admins, 15:1")
    parser.add_argument("--duration", type=int, default=120, help="seconds measured")
    parser.add_argument("--spawn-rate", type=float, default=4, help="users started a second")
    parser.add_argument("--steps", default=STEPS, help="user counts of the step search")
    parser.add_argument("--no-steps", action="store_true", help="the main run only")
    parser.add_argument("--step-hold", type=int, default=30, help="seconds measured per step")
    parser.add_argument("--think", default="2,5", help="seconds between actions: low,high")
    parser.add_argument("--keep-db", action="store_true", help=f"keep {DB} afterwards")
    args = parser.parse_args()
    args.steps = [] if args.no_steps else [int(n) for n in args.steps.split(",") if n.strip()]
    args.think = [float(n) for n in args.think.split(",")]
    if any(n % MIX for n in [args.main_users, *args.steps]):
        parser.error(f"user counts must be multiples of {MIX} (15 officers and 1 admin)")
    return args


def users_started(main: int, steps: list[int]) -> int:
    """How many users locust starts in all, each needing an account of their own: the main
    run's, then each step's increase (a step down stops users; the halfway step is below the
    last one)."""
    started = current = main
    for users in steps:
        started += max(0, users - current)
        current = users
    return started


def make_plan(tmp: Path, args) -> Path:
    from seed import course_plan, people_create

    from accounts.demo import DEMO_PASSWORD

    started = users_started(args.main_users, args.steps)
    people = people_create(officers=started * 15 // MIX + 16, admins=started // MIX + 2)
    plan = {
        "password": DEMO_PASSWORD,
        "officers": people.officers,
        "admins": people.admins,
        "modules": course_plan(),
        "think": args.think,
    }
    path = tmp / "plan.json"
    path.write_text(json.dumps(plan))
    print(
        f"# {len(people.officers)} officers and {len(people.admins)} agency admins, "
        f"{len(plan['modules'])} modules",
        flush=True,
    )
    return path


class CpuSampler(threading.Thread):
    """Each second, the CPU seconds used so far by gunicorn, the load generator, PostgreSQL
    (the whole server: it may serve others too), Redis and the whole machine. A parent's
    count includes its children that ended (gunicorn's recycled workers, PostgreSQL's closed
    backends), so a process tree reads as the parent's own and ended children's time plus the
    live children's own. Also when each gunicorn worker was first seen (a restart)."""

    def __init__(self, gunicorn_pid: int, redis_port: int):
        super().__init__(daemon=True)
        self.gunicorn_pid, self.redis_port = gunicorn_pid, redis_port
        self.generator_pid: int | None = None
        self.timeline: list[tuple[float, dict[str, float]]] = []
        self.first_seen: dict[int, float] = {}
        self.stopping = threading.Event()

    @staticmethod
    def _tree(parent: psutil.Process) -> tuple[float, list[int]]:
        """The CPU seconds of a process tree (see the class) and its live children."""
        try:
            times = parent.cpu_times()
            children = parent.children()
        except psutil.Error:
            return 0.0, []
        seconds = times.user + times.system + times.children_user + times.children_system
        for child in children:
            try:
                child_times = child.cpu_times()
            except psutil.Error:
                continue
            seconds += child_times.user + child_times.system
        return seconds, [child.pid for child in children]

    def sample(self) -> None:
        now = time.time()
        # A party not read now (its process ended) keeps its last reading.
        totals: dict[str, float] = dict(self.timeline[-1][1]) if self.timeline else {}
        try:
            totals["gunicorn"], workers = self._tree(psutil.Process(self.gunicorn_pid))
        except psutil.Error:
            workers = []
        for pid in workers:
            self.first_seen.setdefault(pid, now)
        if self.generator_pid:
            with contextlib.suppress(psutil.Error):
                totals["generator"] = sum(psutil.Process(self.generator_pid).cpu_times()[:2])
        for process in psutil.process_iter(["name", "cmdline", "ppid"]):
            name = process.info["name"] or ""
            if name.startswith("postgres") and process.info["ppid"] == 1:
                totals["postgresql"] = self._tree(process)[0]
            elif name.startswith("redis-server") and f":{self.redis_port}" in " ".join(
                process.info["cmdline"] or []
            ):
                with contextlib.suppress(psutil.Error):
                    totals["redis"] = sum(process.cpu_times()[:2])
        machine = psutil.cpu_times()
        totals["machine"] = sum(machine) - machine.idle - getattr(machine, "iowait", 0)
        self.timeline.append((now, totals))

    def run(self) -> None:
        while not self.stopping.wait(1):
            self.sample()

    def between(self, start: float, end: float) -> dict[str, float]:
        """Each party's CPU in [start, end], in percent of one core; `other`: the rest of the
        machine (its other processes)."""
        before = next((t for t in reversed(self.timeline) if t[0] <= start), self.timeline[0])
        after = next((t for t in self.timeline if t[0] >= end), self.timeline[-1])
        seconds = max(after[0] - before[0], 1e-9)
        shares = {
            party: 100 * (after[1].get(party, 0) - before[1].get(party, 0)) / seconds
            for party in ("gunicorn", "generator", "postgresql", "redis", "machine")
        }
        ours = sum(v for k, v in shares.items() if k != "machine")
        shares["other"] = max(0.0, shares["machine"] - ours)
        return shares

    def restarts(self, start: float, end: float) -> int:
        """Workers booted in [start, end]: each replaces one recycled or dead."""
        return sum(1 for seen in self.first_seen.values() if start <= seen < end)


def cpu_line(shares: dict[str, float]) -> str:
    return (
        f"CPU, % of one core: gunicorn {shares['gunicorn']:.0f}, load generator "
        f"{shares['generator']:.0f}, PostgreSQL (the whole server) "
        f"{shares['postgresql']:.0f}, Redis {shares['redis']:.0f}, rest of the machine "
        f"{shares['other']:.0f}; machine busy "
        f"{shares['machine']:.0f} of {100 * (os.cpu_count() or 1)}"
    )


def print_results(results: dict, sampler: CpuSampler, args) -> None:
    phases = results["phases"]
    main = phases[0]
    ramp = main["up"] - main["start"]
    print(
        f"\n## Main run: {main['by_class']}, ramp {ramp:.0f} s at {args.spawn_rate:g} users/s, "
        f"settle {main['hold_start'] - main['up']:.0f} s, measured "
        f"{main['end'] - main['hold_start']:.0f} s; think {args.think[0]:g}-{args.think[1]:g} s"
    )
    print(table(main["groups"], main["all"]))
    print(f"\nSign-ins (all in the ramp, {main['end'] - main['start']:.0f} s):")
    print(table(main["sign_ins"]))
    shares = sampler.between(main["hold_start"], main["end"])
    print(f"\nMeasured window: {cpu_line(shares)}")
    rps = main["all"]["rps"]
    users = sum(main["by_class"].values())
    print(
        f"CPU per request: gunicorn {10 * shares['gunicorn'] / rps:.1f} ms, PostgreSQL "
        f"{10 * shares['postgresql'] / rps:.1f} ms, Redis {10 * shares['redis'] / rps:.2f} ms; "
        f"{rps / users:.3f} requests a second per user"
    )
    print(
        f"gunicorn worker restarts (max_requests): "
        f"{sampler.restarts(main['hold_start'], main['end'])}; errors in the whole run "
        f"(ramp included): {main['errors']} of {main['requests']} requests"
    )
    for why in main["why"]:
        print(f"  {why}")
    if len(phases) > 1:
        print(f"\n## Step search: every group's p95 < {P95_LIMIT_MS} ms and no error")
        print(
            f"{'users':>6} {'officers':>8} {'admins':>6} {'rps':>6} {'p95 ms':>7} "
            f"{'worst group':<20} {'its p95':>7} {'errors':>6} {'gunicorn':>8} {'locust':>7} "
            f"{'pg':>5} {'other':>6}  result"
        )
        for step in phases[1:]:
            worst, figures = max(step["groups"].items(), key=lambda item: item[1]["p95"])
            shares = sampler.between(step["hold_start"], step["end"])
            print(
                f"{step['users']:>6} {step['by_class'].get('OfficerUser', 0):>8} "
                f"{step['by_class'].get('AdminUser', 0):>6} {step['all']['rps']:>6.1f} "
                f"{step['all']['p95']:>7.0f} {worst:<20} {figures['p95']:>7.0f} "
                f"{step['errors']:>6} {shares['gunicorn']:>7.0f}% {shares['generator']:>6.0f}% "
                f"{shares['postgresql']:>4.0f}% {shares['other']:>5.0f}%  "
                f"{'pass' if step['passed'] else 'FAIL'}"
            )
        for step in phases[1:]:
            for why in step["why"]:
                print(f"  {step['users']} users: {why}")
        best = results["max_users"]
        if not best:
            found = f"none of the counts tried (the lowest was {phases[1]['users']})"
        else:
            found = f"{best} ({best * 15 // MIX} officers, {best // MIX} admins)"
            if all(step["passed"] for step in phases[1:]):
                found = f"at least {found}: every step passed, try higher --steps"
        print(f"\nHighest user count with every p95 < {P95_LIMIT_MS} ms and 0 errors: {found}")
    print(f"# done, {load()}", flush=True)


def run(args, tmp: Path, servers: list[Server]) -> int:
    sock = listening_socket()
    host, port = sock.getsockname()
    env = production_env(
        tmp,
        f"http://{host}:{port}",
        database=DB,
        redis_url=REDIS_URL,
        workers=WORKERS,
        threads=THREADS,
    )
    os.environ.update(env | {"TRUSTED_PROXY_COUNT": "1"})
    database(DB, create=True)
    flush_redis(REDIS_URL)
    import django

    django.setup()
    started = time.monotonic()
    prepare_site(tmp)
    plan = make_plan(tmp, args)
    print(f"# site and people ready in {time.monotonic() - started:.0f} s", flush=True)
    from django.db import connections

    connections.close_all()

    site_env = os.environ.copy()
    site_env.pop("PORT", None)
    site_env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "metrics")
    site = start_gunicorn(
        servers,
        "site",
        "config.wsgi:application",
        sock=sock,
        env=site_env,
        cwd=ROOT,
        log=tmp / "site.log",
    )
    wait_ready(site, "/healthz", workers=WORKERS)
    sampler = CpuSampler(site.process.pid, urllib.parse.urlsplit(REDIS_URL).port or 6379)
    sampler.sample()
    sampler.start()
    print(
        f"# gunicorn {WORKERS} workers x {THREADS} threads (deploy/gunicorn.conf.py), DEBUG off, "
        f"PostgreSQL {DB}, Redis {REDIS_URL}; {os.cpu_count()} CPUs, {load()}",
        flush=True,
    )

    out = tmp / "results.json"
    command = [sys.executable, str(HERE / "generate.py"), "--host", site.base, "--out", str(out)]
    command += ["--main-users", str(args.main_users), "--duration", str(args.duration)]
    command += ["--spawn-rate", str(args.spawn_rate), "--step-hold", str(args.step_hold)]
    command += ["--steps", ",".join(map(str, args.steps))]
    generator_env = site_env | {"LOADTEST_PLAN": str(plan), "DB_CONN_MAX_AGE": "0"}
    generator = subprocess.Popen(command, env=generator_env, cwd=ROOT)  # noqa: S603
    sampler.generator_pid = generator.pid
    try:
        code = generator.wait()
    finally:  # interrupted: the generator stops too, before the site does
        if generator.poll() is None:
            generator.terminate()
            generator.wait()
    sampler.sample()
    sampler.stopping.set()
    if code != 0 or not out.exists():
        print(f"loadtest: the load generator exited with {code}", file=sys.stderr)
        return 1
    results = json.loads(out.read_text())
    if not results["phases"]:
        return 1
    print_results(results, sampler, args)
    return 0


def main() -> None:
    args = parse_args()

    with cleaned_up(
        prefix="cc_loadtest-", database_name=DB, redis_url=REDIS_URL, keep_db=args.keep_db
    ) as (tmp, servers):
        code = run(args, tmp, servers)
    raise SystemExit(code)


if __name__ == "__main__":
    main()
