"""Benchmark: time from an officer passing the last quiz to the certificate PDF being stored.

Runs the real path: PostgreSQL, Redis, a Celery worker process and WeasyPrint. It uses a
database of its own (cryptocops_bench, created and dropped here) and Redis database 14.

    make bench                          # 20 officers one after another, then a burst of 20
    .venv/bin/python bench/certificate_latency.py --sequential 50 --burst 100
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from benchworker import start_worker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "cryptocops_bench"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres:postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{PG_SERVER}/{BENCH_DB}"
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def prepare_officer(index: int, course):
    """An officer with every lesson read and every quiz but the last passed."""
    from django.utils import timezone

    from accounts.models import Agency, Membership, User
    from assessments.models import Quiz
    from assessments.services import attempt_start, attempt_submit
    from courses.models import Lesson
    from courses.services import enrollment_create, lesson_complete

    agency, _ = Agency.objects.get_or_create(
        name="Benchmark Police", defaults={"country": "KR", "time_zone": "Asia/Seoul"}
    )
    user = User.objects.create_user(
        email=f"bench{index}@bench.example", password=None, full_name=f"Bench Officer {index}"
    )
    # Vetted: a course with law-enforcement-only parts completes only for a vetted officer.
    Membership.objects.create(
        user=user, agency=agency, role=Membership.Role.OFFICER, vetted_at=timezone.now()
    )
    enrollment = enrollment_create(user=user, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    quizzes = list(Quiz.objects.filter(module__course=course).order_by("module__order"))
    for quiz in quizzes[:-1]:
        attempt = attempt_start(user=user, quiz=quiz, enrollment=enrollment)
        attempt_submit(attempt_id=attempt.pk, user=user, raw_answers=answers_for(attempt))
    last = attempt_start(user=user, quiz=quizzes[-1], enrollment=enrollment)
    return user, last


def answers_for(attempt) -> dict:
    """Right answers to every question of the attempt, tracing labs included."""
    from assessments.grading import model_answer

    answers = {}
    for question in attempt.quiz.questions.filter(key__in=attempt.question_keys):
        if question.kind == "lab":
            # Whatever the lab's scenario: the model answer of the attempt's own graph.
            answers[question.key] = model_answer(question, attempt.seed)
        else:
            answers[question.key] = sorted(question.correct_keys)
    return answers


def pass_last_quiz(user, attempt) -> int:
    from assessments.services import attempt_submit
    from certificates.models import Certificate

    attempt_submit(attempt_id=attempt.pk, user=user, raw_answers=answers_for(attempt))
    return Certificate.objects.get(enrollment=attempt.enrollment).pk


def wait_issued(ids: list[int], timeout: float = 300) -> dict[int, float]:
    from certificates.models import Certificate

    done: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while len(done) < len(ids):
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(done)} of {len(ids)} certificates issued in time")
        issued = Certificate.objects.filter(pk__in=ids, status=Certificate.Status.ISSUED)
        now = time.monotonic()
        for pk in issued.values_list("pk", flat=True):
            done.setdefault(pk, now)
        time.sleep(0.02)
    return done


def summary(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"{label}: n={len(ordered)} min={ordered[0]:.3f}s median={statistics.median(ordered):.3f}s "
        f"p95={p95:.3f}s max={ordered[-1]:.3f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=20)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    args = parser.parse_args()

    recreate_database()
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command

    from courses.models import Course

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    call_command("migrate", verbosity=0)
    call_command("sync_content", verbosity=0)
    course = Course.objects.get(slug="crypto-investigation")
    worker = start_worker(concurrency=args.concurrency, name="bench", cwd=ROOT)
    try:
        latencies = []
        for index in range(args.sequential):
            user, attempt = prepare_officer(index, course)
            started = time.monotonic()
            certificate_id = pass_last_quiz(user, attempt)
            latencies.append(wait_issued([certificate_id])[certificate_id] - started)
        print(summary("quiz pass -> PDF stored, one at a time", latencies))

        prepared = [prepare_officer(10_000 + i, course) for i in range(args.burst)]
        started = time.monotonic()
        ids = [pass_last_quiz(user, attempt) for user, attempt in prepared]
        finished = wait_issued(ids)
        print(
            summary(
                f"quiz pass -> PDF stored, burst of {args.burst}",
                [t - started for t in finished.values()],
            )
        )
        elapsed = max(finished.values()) - started
        print(
            f"burst throughput: {args.burst / elapsed:.1f} certificates/s "
            f"with {args.concurrency} worker processes"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        drop_database()


if __name__ == "__main__":
    main()
