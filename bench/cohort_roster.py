"""Benchmark: rendering a session's roster page for the trainer, at 10 and at 600 officers.

Builds a cohort on a database of its own (cryptocops_bench_roster, created and dropped here):
officers, memberships and seats are written in bulk (the counters kept in step), half of the
officers marked for the session. Renders the roster through Django's test Client as the
cohort's trainer and prints the SQL query count (which must not grow with the officers) and
the median and 95th percentile time of the whole request.

    make bench
    .venv/bin/python bench/cohort_roster.py --officers 600 --repeat 30
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from benchcohort import bangkok_cohort

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "cryptocops_bench_roster"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres:postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{PG_SERVER}/{BENCH_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def recreate(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(fraction * len(ordered)) - 1)]


def build_cohort():
    """A cohort in Bangkok with three daily sessions and a qualified trainer with MFA."""
    from datetime import timedelta

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.utils import timezone

    from accounts.models import Membership, TrainerQualification, User

    trainer = User.objects.create_user(
        email="trainer@bench.example", password=None, full_name="Bench Trainer"
    )
    Membership.objects.create(
        user=trainer, agency=None, role=Membership.Role.TRAINER, vetted_at=timezone.now()
    )
    TOTP.activate(trainer, generate_totp_secret())
    cohort = bangkok_cohort(
        created_by=trainer,
        capacity=5000,
        first_day=timezone.localdate() + timedelta(days=1),
        sessions=3,
        nomination_deadline=timezone.now() + timedelta(days=14),
    )
    TrainerQualification.objects.create(
        user=trainer,
        title="Qualified",
        course_slug=cohort.course.slug,
        expires_on=timezone.localdate() + timedelta(days=365),
    )
    cohort.trainers.add(trainer)
    return cohort, trainer


def seat_officers(cohort, *, start: int, count: int) -> None:
    """`count` approved officers holding seats, half of them marked for the first session."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Membership, User
    from cohorts.models import Attendance, Cohort, Participation, Seat

    agency = cohort.host_agency
    now = timezone.now()
    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            email=f"officer{n}@bench.example",
            full_name=f"Bench Officer {n:04d}",
            display_name=f"Officer {n}" if n % 3 == 0 else "",
            password=password,
        )
        for n in range(start, start + count)
    )
    Membership.objects.bulk_create(
        Membership(
            user=user,
            agency=agency,
            role=Membership.Role.OFFICER,
            status=Membership.Status.APPROVED,
            vetted_at=now,
        )
        for user in users
    )
    seats = Seat.objects.bulk_create(
        Seat(
            cohort=cohort,
            user=user,
            agency=agency,
            status=Seat.Status.APPROVED,
            counts_in_quota=True,
            decided_at=now,
        )
        for user in users
    )
    session = cohort.sessions.order_by("starts_at").first()
    statuses = ["present", "late", "excused", "absent"]
    Attendance.objects.bulk_create(
        Attendance(
            session=session,
            seat=seat,
            status=statuses[index % 4],
            note="Arrived after the break" if index % 10 == 0 else "",
            source=Attendance.Source.ROSTER,
        )
        for index, seat in enumerate(seats)
        if index % 2 == 0
    )
    held = Seat.objects.filter(cohort=cohort, status__in=Seat.HOLDING).count()
    Cohort.objects.filter(pk=cohort.pk).update(seats_taken=held)
    Participation.objects.filter(cohort=cohort, agency=agency).update(seats_taken=held)


def measure(client, url: str, repeat: int) -> tuple[int, list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm-up: templates compiled, connection open
        client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)  # now: the next request clears the connection's log
    if response.status_code != 200:
        raise SystemExit(f"the roster answered {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"the roster answered {response.status_code}")
    return queries, times, len(response.content)


def report(label: str, queries: int, times: list[float], size: int) -> None:
    print(
        f"{label}: {queries} SQL queries, median {statistics.median(times):.1f} ms, "
        f"p95 {percentile(times, 0.95):.1f} ms, min {min(times):.1f} ms, "
        f"max {max(times):.1f} ms, {size / 1024:.0f} KB of HTML (n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per size")
    args = parser.parse_args()

    recreate()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    # The test Client's host, and production's template settings (no template debugging).
    setup_test_environment(debug=False)
    call_command("migrate", verbosity=0)
    try:
        cohort, trainer = build_cohort()
        session = cohort.sessions.order_by("starts_at").first()
        url = reverse("cohorts:roster", kwargs={"session_id": session.pk})
        client = Client()
        client.force_login(trainer)

        seat_officers(cohort, start=0, count=10)
        small = measure(client, url, args.repeat)
        report("roster, 10 officers (5 marked)", *small)

        seat_officers(cohort, start=10, count=args.officers - 10)
        large = measure(client, url, args.repeat)
        report(f"roster, {args.officers} officers ({args.officers // 2} marked)", *large)
        if small[0] != large[0]:
            raise SystemExit(f"the query count grew with the officers: {small[0]} -> {large[0]}")
    finally:
        connection.close()
        recreate(drop_only=True)


if __name__ == "__main__":
    main()
