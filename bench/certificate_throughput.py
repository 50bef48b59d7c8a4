"""Benchmark: a cohort of 600 officers issued in bulk through two Celery worker processes,
against one new Python process per certificate.

Runs the real path: "Issue missing certificates" for a cohort of 600 completed seats
(certificate_batch_start: one outbox row per seat), a Celery worker with two prefork
processes on Redis creating and rendering each certificate (signed, when signing is
configured), all on PostgreSQL. It times the wall clock from the press to the last
certificate issued, then times new Python processes that each set Django up and render one
certificate, as a script per certificate would. It uses a database of its own
(cryptocops_bench_throughput, created and dropped here) and Redis database 13, and prints one
line:

    certificates=600 seconds=... per_second=... speedup_vs_process=...x

where speedup_vs_process = (certificates x seconds of one new process) / seconds.

    make bench
    .venv/bin/python bench/certificate_throughput.py --certificates 100 --concurrency 2
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchcohort import bangkok_cohort
from benchworker import start_worker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_THROUGHPUT_DB", "cryptocops_bench_throughput")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres:postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{PG_SERVER}/{BENCH_DB}"
os.environ["REDIS_URL"] = os.environ.get("BENCH_THROUGHPUT_REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-throughput-media"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# What a script run once per certificate does: start Python, set Django up, render one.
ONE_PROCESS = """
import sys
import django
django.setup()
from certificates.services import certificate_render
certificate = certificate_render(certificate_id=int(sys.argv[1]))
sys.exit(0 if certificate.status == "issued" else 1)
"""


def recreate(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def build_cohort(officers: int):
    """A cohort of `officers` approved seats, each completed and enrolled, none certified."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User

    staff = User.objects.create_user(
        email="staff@bench.example", password=None, full_name="Bench Staff", is_staff=True
    )
    cohort = bangkok_cohort(
        created_by=staff,
        capacity=officers + 10,
        first_day=timezone.localdate() - timedelta(days=2),
        sessions=2,
        nomination_deadline=timezone.now() - timedelta(days=14),
    )
    add_completed_seats(cohort, start=0, count=officers)
    return cohort, staff


def add_completed_seats(cohort, *, start: int, count: int) -> list:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Membership, User
    from cohorts.models import Seat
    from courses.models import Enrollment

    now = timezone.now()
    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            email=f"officer{n}@bench.example",
            full_name=f"Bench Officer {n:04d}",
            password=password,
        )
        for n in range(start, start + count)
    )
    Membership.objects.bulk_create(
        Membership(
            user=user, agency=cohort.host_agency, role=Membership.Role.OFFICER, vetted_at=now
        )
        for user in users
    )
    Enrollment.objects.bulk_create(
        Enrollment(user=user, course=cohort.course, completed_at=now) for user in users
    )
    return Seat.objects.bulk_create(
        Seat(
            cohort=cohort,
            user=user,
            agency=cohort.host_agency,
            status=Seat.Status.APPROVED,
            decided_at=now,
            completed_at=now,
        )
        for user in users
    )


def bulk_issue(cohort, staff, expected: int, timeout: float) -> float:
    """Seconds from pressing "Issue missing certificates" to the last certificate issued."""
    from certificates.models import Certificate, CertificateBatch
    from certificates.services import certificate_batch_start

    started = time.monotonic()
    batch = certificate_batch_start(cohort=cohort, kind=CertificateBatch.Kind.ISSUE, actor=staff)
    issued = Certificate.objects.filter(cohort=cohort, status=Certificate.Status.ISSUED)
    deadline = started + timeout
    while issued.count() < expected:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {issued.count()} of {expected} certificates issued in time")
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    failed = batch.items.exclude(state="done").count()
    if failed:
        raise SystemExit(f"{failed} batch items are not done")
    return elapsed


def one_process_seconds(cohort, runs: int) -> float:
    """The median wall time of a new Python process rendering one pending certificate."""
    from django.db import transaction

    from certificates.services import certificate_create_for_cohort
    from courses.models import Enrollment

    seats = add_completed_seats(cohort, start=100_000, count=runs)
    times = []
    for seat in seats:
        with transaction.atomic():
            enrollment = Enrollment.objects.get(user=seat.user, course=cohort.course)
            seat.cohort = cohort
            certificate = certificate_create_for_cohort(seat=seat, enrollment=enrollment)
        started = time.monotonic()
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", ONE_PROCESS, str(certificate.pk)],
            cwd=ROOT,
            env=os.environ.copy(),
            capture_output=True,
            check=False,
        )
        times.append(time.monotonic() - started)
        if result.returncode != 0:
            raise SystemExit(f"the one-certificate process failed:\n{result.stderr.decode()}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--process-runs", type=int, default=3, help="new processes timed")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    recreate()
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    call_command("migrate", verbosity=0)
    cohort, staff = build_cohort(args.certificates)
    worker = start_worker(
        concurrency=args.concurrency,
        name="throughput",
        cwd=ROOT,
        log=ROOT / "var" / "bench-throughput-worker.log",
    )
    try:
        seconds = bulk_issue(cohort, staff, args.certificates, args.timeout)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    try:
        # The worker is gone: the render messages these queue are left for nobody, and the
        # new processes below do the rendering.
        process = one_process_seconds(cohort, args.process_runs)
    finally:
        from django.db import connections

        connections.close_all()
        redis.Redis.from_url(settings.REDIS_URL).flushdb()
        recreate(drop_only=True)
    print(
        f"certificates={args.certificates} seconds={seconds:.1f} "
        f"per_second={args.certificates / seconds:.1f} "
        f"speedup_vs_process={args.certificates * process / seconds:.1f}x"
    )


if __name__ == "__main__":
    main()
