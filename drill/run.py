"""`make drill` (issue 17 §2): a deployment of several machines on this one, with nodes killed
mid-run, and what must hold afterwards.

    .venv/bin/python drill/run.py [--officers 50] [--down 20] [--smoke]

Four network namespaces joined by veth pairs to a bridge (drill/hosts.py): two web nodes
(gunicorn, deploy/gunicorn.conf.py, 2 workers each), two worker nodes (Celery, 2 processes
each), beat on worker1 and, on purpose, a second beat on worker2, which must stand by
(core/beatlock.py). On the host side, bound to the bridge's address: a PostgreSQL cluster of
the drill's own (initdb in a temporary folder; the system's is untouched), Redis, and nginx
(drill/nginx.conf, from deploy/nginx) on loopback in front of both web nodes, and an S3 server
(moto_server, in memory) that every node writes its files to (OBJECT_STORAGE=s3, one private
bucket); certificate PDFs are read back from the bucket through Django's default_storage. Production settings (DEBUG off, throwaway keys).

Officers (drill/officers.py) sign in, read every lesson and pass every quiz of a small course
through nginx. When a third of their requests are done, every process of web1 and of worker1
(the beat's node) is killed with SIGKILL; both nodes are started again --down seconds later.

Asserted, then printed as counts: every officer completed and holds exactly one issued
certificate whose PDF reads back with its SHA-256; one attempt per quiz and officer, all
graded (replayed POSTs made nothing twice); no request failed except in the seconds after the
kill, and each of those was retried; beat sent from one process at a time (the standby sent
nothing while the first beat lived, and the first beat, restarted, sent nothing); each expiry
reminder was made once and sent; `audit_verify` passes.

Needs root (namespaces), redis-server, PostgreSQL's server binaries and nginx (installed here
with apt when missing, as root on Debian). Logs of every process: var/drill/. Clean-up, also
after a failure or a signal: processes, namespaces, veths, bridge, the database cluster and
the temporary folder.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hosts import HOST_IP, Hosts, node_ip, run, wait_for_port  # noqa: E402
from officers import Officer, Stats  # noqa: E402

from bench.throwaway import throwaway_keys  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"
KILLED = ("web1", "worker1")
# Beat logs through the site's LOGGING: one JSON object per line in production (LOG_FORMAT
# json, core.observability.logs); Celery's own text format where it is set to text.
SENT_MESSAGE = "Scheduler: Sending due task"
SENT_TEXT = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d+: INFO/MainProcess\] Scheduler: Sending"
)


def sent_at(line: str) -> str | None:
    """When beat sent a task, if this log line says it did."""
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            return None
        message = str(record.get("message", ""))
        return record.get("time") if message.startswith(SENT_MESSAGE) else None
    found = SENT_TEXT.match(line)
    return found.group(1) if found else None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--down", type=float, default=20, help="seconds the killed nodes stay down")
    parser.add_argument("--kill-at", type=float, default=0.33, help="share of requests before")
    parser.add_argument("--smoke", action="store_true", help="bring everything up, one request")
    return parser.parse_args()


def ensure_tools() -> None:
    if os.geteuid() != 0:
        raise SystemExit("drill: run as root (network namespaces and veth pairs need it)")
    if shutil.which("nginx") is None:
        print("drill: installing nginx (apt-get)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)  # noqa: S607
        command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx"]
        subprocess.run(command, check=True, env=env)  # noqa: S603
    for tool in ("redis-server", "ip", "openssl", "runuser"):
        if shutil.which(tool) is None:
            raise SystemExit(f"drill: {tool} is missing")


def bucket_create(env: dict[str, str]) -> None:
    import boto3

    boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region_name=env["AWS_S3_REGION_NAME"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=env["AWS_STORAGE_BUCKET_NAME"])


def site_env(tmp: Path, *, database: str, redis: str, s3: str, port: int) -> dict[str, str]:
    """Production settings with throwaway keys; the timings short enough for a drill."""
    keys = tmp / "keys"
    throwaway = throwaway_keys(keys, purpose="the drill")
    badge = keys / "ob-ed25519.pem"
    run(str(VENV_BIN / "python"), "manage.py", "badge_dev_key", "--path", str(badge),
        cwd=ROOT, env={**os.environ, "DEBUG": "true"})  # fmt: skip
    return {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        **throwaway,
        "OB_SIGNING_KEY": str(badge),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_MANIFEST": "false",  # clients fetch no static files: nothing to collect
        "TRUSTED_PROXY_COUNT": "1",
        "FORWARDED_ALLOW_IPS": HOST_IP,
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "VAR_DIR": str(tmp / "var"),
        # Generated files in one private bucket on the host side, as in production.
        "OBJECT_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "cryptocops-drill",
        "AWS_S3_ENDPOINT_URL": s3,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": "drill",
        "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(24),
        "EMAIL_DELIVERY": "file",
        "EMAIL_FILE_PATH": str(tmp / "mail"),
        "PORT": "8000",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        # A certificate whose worker died is queued again after 10 s, not 2 minutes; the
        # beat lock lapses 6 s after its beat dies.
        "OUTBOX_STALE_SECONDS": "10",
        "OUTBOX_SWEEP_SECONDS": "3",
        "CERTIFICATE_REMINDER_SECONDS": "3",
        "BEAT_LOCK_SECONDS": "6",
    }


class Drill:
    def __init__(self, hosts: Hosts, env: dict[str, str]):
        self.hosts, self.env = hosts, env
        self.lives: dict[str, int] = {}

    def _start(self, name: str, node: str, command: list[str]) -> None:
        life = self.lives[name] = self.lives.get(name, 0) + 1
        self.hosts.start(f"{name}-{life}", command, env=self.env, node=node, cwd=ROOT)

    def start_node(self, node: str) -> None:
        if node.startswith("web"):
            gunicorn = [str(VENV_BIN / "gunicorn"), "config.wsgi:application"]
            self._start(node, node, [*gunicorn, "-c", "deploy/gunicorn.conf.py"])
            return
        celery = [str(VENV_BIN / "celery"), "-A", "config"]
        worker = ["worker", "--loglevel=INFO", "--concurrency=2", "--prefetch-multiplier=1"]
        self._start(node, node, [*celery, *worker, "-n", f"{node}@drill"])
        beat = ["beat", "--loglevel=INFO", f"--schedule={self.hosts.tmp}/beat-{node}"]
        self._start(f"{node}-beat", node, [*celery, *beat])

    def wait_for_log(self, name: str, text: str, seconds: float = 60) -> None:
        log = self.hosts.log_dir / f"{name}.log"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if log.exists() and text in log.read_text():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not log {text!r} within {seconds} s")

    def wait_web(self, node: str, seconds: float = 60) -> None:
        wait_for_port(node_ip(node), 8000, seconds)


def kind_of(path: str) -> str:
    for suffix, kind in (("/complete/", "lesson-complete"), ("/start/", "quiz-start")):
        if path.endswith(suffix):
            return kind
    if path.startswith("/attempts/"):
        return "attempt"
    if "/lessons/" in path:
        return "lesson"
    return path


def beat_sends(log_dir: Path, name: str, life: int) -> list[str]:
    log = log_dir / f"{name}-{life}.log"
    if not log.exists():
        return []
    return [when for line in log.read_text().splitlines() if (when := sent_at(line))]


def main() -> int:
    args = parse_args()
    ensure_tools()
    log_dir = ROOT / "var" / "drill"
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir(parents=True)
    tmp = Path(tempfile.mkdtemp(prefix="cryptocops-drill-"))
    hosts = Hosts(tmp=tmp, log_dir=log_dir)

    def stop(signum, _frame):
        raise SystemExit(f"drill: stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    started = time.monotonic()
    try:
        hosts.network_up()
        database, redis = hosts.postgres_up(), hosts.redis_up()
        s3 = hosts.s3_up(VENV_BIN / "moto_server")
        port = hosts.reserve_nginx_port()
        env = site_env(tmp, database=database, redis=redis, s3=s3, port=port)
        os.environ.update(env)
        bucket_create(env)
        import site_checks as site  # Django set up with the drill's environment

        emails = site.seed(content=tmp / "content", officers=args.officers)
        drill = Drill(hosts, env)
        for node in ("web1", "web2", "worker1"):
            drill.start_node(node)
        # worker1's beat takes the lock first; worker2's, started after, must stand by.
        drill.wait_for_log("worker1-beat-1", "beat lock: taken")
        drill.start_node("worker2")
        drill.wait_for_log("worker2-beat-1", "beat lock: not ours")
        drill.wait_web("web1")
        drill.wait_web("web2")
        hosts.nginx_up((Path(__file__).parent / "nginx.conf").read_text())
        print(f"drill: up in {time.monotonic() - started:.0f} s", flush=True)
        smoke = Officer(number=1, email=emails[0], password=site.PASSWORD, port=port, stats=Stats())
        smoke.get("/healthz")
        smoke.get("/accounts/login/")
        if args.smoke:
            print("drill: smoke request through nginx answered 200", flush=True)
            return 0
        return officers_run(args, hosts, drill, site, emails, port, started)
    finally:
        hosts.teardown()
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"drill: cleaned up after {time.monotonic() - started:.0f} s", flush=True)


def officers_run(args, hosts, drill, site, emails, port, started) -> int:
    """Officers' journeys, the kill and the restart; then the checks."""
    from quiz_answers import attempt_fields  # after site_checks has set Django up

    stats = Stats()
    journey = {
        "course": site.COURSE,
        "lessons": site.lessons(),
        "quiz_modules": site.quiz_modules(),
        "attempt_fields": attempt_fields,
    }
    per_officer = 5 + 2 * len(journey["lessons"]) + 5 * len(journey["quiz_modules"])
    threads = []
    for number, email in enumerate(emails, start=1):
        officer = Officer(
            number=number, email=email, password=site.PASSWORD, port=port, stats=stats
        )
        thread = threading.Thread(target=officer.run, kwargs=journey, daemon=True)
        thread.start()
        threads.append(thread)
        time.sleep(0.1)
    kill_at = int(args.kill_at * per_officer * len(emails))
    while stats.requests < kill_at and any(t.is_alive() for t in threads):
        time.sleep(0.1)
    killed_at = time.monotonic()
    for node in KILLED:
        print(f"drill: kill -9 {node}: {hosts.kill_node(node)} processes", flush=True)
    time.sleep(args.down)
    for node in KILLED:
        drill.start_node(node)
    print(f"drill: {', '.join(KILLED)} started again", flush=True)
    for thread in threads:
        thread.join(timeout=600)
    return site_checks_and_counts(args, hosts, drill, site, emails, stats, killed_at, started)


def site_checks_and_counts(args, hosts, drill, site, emails, stats, killed_at, started) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        counts = site.outcome(emails)
        if counts["pdfs_readable"] >= counts["completed"] == len(emails) and (
            counts["reminders_sent"] >= counts["pdfs_readable"]
        ):
            break
        time.sleep(2)
    counts = site.outcome(emails)
    for name in list(hosts.processes):  # beat and workers stop before the logs are read
        hosts.stop(name)
    site.audit_verify()
    problems = check(args, site, counts, stats, killed_at, hosts.log_dir, hosts.tmp)
    late = [f for f in stats.failures if not killed_at <= f[0] <= killed_at + 10]
    print(
        f"drill: officers={counts['officers']} completed={stats.completed} "
        f"requests={stats.requests} failed_in_flight={len(stats.failures)} retried={stats.retried} "
        f"failed_outside_kill={len(late)} certificates={counts['certificates']} "
        f"pdfs_readable={counts['pdfs_readable']} duplicates={counts['certificate_duplicates']} "
        f"attempts={counts['attempts']} reminders_sent={counts['reminders_sent']} "
        f"reminder_emails={counts['reminder_emails']} "
        f"wall={time.monotonic() - started:.0f}s",
        flush=True,
    )
    kinds = Counter(f"{method} {kind_of(path)} ({why})" for _, method, path, why in stats.failures)
    print(f"drill: failed in flight, each retried: {dict(kinds) or 'none'}", flush=True)
    for problem in problems:
        print(f"drill: FAILED: {problem}", flush=True)
    return 1 if problems else 0


def check(args, site, counts, stats, killed_at, log_dir, tmp) -> list[str]:
    n = args.officers
    quizzes = len(site.quiz_modules())
    problems = [f"officer: {error}" for error in stats.errors[:5]]
    expected = {
        "officers": n,
        "completed": n,
        "certificates": n,
        "officers_with_one_certificate": n,
        "certificate_duplicates": 0,
        "pdfs_readable": n,
        "pdf_files_stored": n,
        "attempts": n * quizzes,
        "attempts_graded": n * quizzes,
        "reminders": n,
        "reminders_sent": n,
        "reminder_emails": n,
        "reminder_emails_twice": 0,
    }
    problems += [f"{k}={counts[k]}, expected {v}" for k, v in expected.items() if counts[k] != v]
    late = [f for f in stats.failures if not killed_at <= f[0] <= killed_at + 10]
    problems += [f"request failed outside the kill: {m} {p} ({why})" for _, m, p, why in late[:5]]
    # nginx's own record: every 502 came from the killed web node, none from the other.
    access_log = (tmp / "nginx-access.log").read_text().splitlines()
    bad = [line for line in access_log if '" 502 ' in line and node_ip("web1") not in line]
    problems += [f"a 502 not from the killed node: {line}" for line in bad[:5]]
    first_life = beat_sends(log_dir, "worker1-beat", 1)
    standby = beat_sends(log_dir, "worker2-beat", 1)
    restarted = beat_sends(log_dir, "worker1-beat", 2)
    if not first_life:
        problems.append("the first beat sent nothing")
    if standby and first_life and standby[0] <= first_life[-1]:
        problems.append(f"the standby beat sent at {standby[0]}, while the first one lived")
    if restarted:
        problems.append(f"the restarted beat sent {len(restarted)} tasks beside the standby")
    print(
        f"drill: beat sends: first beat {len(first_life)} (until it was killed), standby "
        f"{len(standby)} (from {standby[0] if standby else '-'}), restarted first beat "
        f"{len(restarted)}",
        flush=True,
    )
    return problems


if __name__ == "__main__":
    sys.exit(main())
