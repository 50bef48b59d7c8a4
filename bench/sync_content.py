"""Benchmark: sync_content on the full curriculum, first run and no-change run.

Uses a database of its own on the test PostgreSQL server (cryptocops_bench_sync, created and
dropped here), so it measures the real import path with real SQL.

    make bench
    .venv/bin/python bench/sync_content.py --repeat 5
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "cryptocops_bench_sync"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres:postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{PG_SERVER}/{BENCH_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def recreate(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind")
    args = parser.parse_args()

    recreate()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.models import ContentFile, Lesson, LessonVersion, Module
    from courses.pipeline.sync import content_sync

    call_command("migrate", verbosity=0)
    try:
        first, unchanged, queries = [], [], 0
        for _ in range(args.repeat):
            # The audit table refuses TRUNCATE (a trigger); this throwaway database may be
            # emptied all the same, as the superuser, with user triggers off.
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
            call_command("flush", "--no-input", verbosity=0)
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
            started = time.perf_counter()
            content_sync()
            first.append(time.perf_counter() - started)
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                report = content_sync()
                unchanged.append(time.perf_counter() - started)
            queries = len(captured.captured_queries)
            if not report.skipped:
                raise SystemExit("the second sync re-imported: the fast path is broken")
        print(
            f"curriculum: {Module.objects.count()} modules, {Lesson.objects.count()} lessons, "
            f"{LessonVersion.objects.count()} lesson versions, {ContentFile.objects.count()} files"
        )
        print(
            f"first sync (empty database): median {statistics.median(first):.3f}s "
            f"(runs: {', '.join(f'{t:.3f}' for t in first)})"
        )
        print(
            f"no-change sync: median {statistics.median(unchanged) * 1000:.1f} ms, "
            f"{queries} SQL query (runs: {', '.join(f'{t * 1000:.1f}' for t in unchanged)} ms)"
        )
    finally:
        connection.close()
        recreate(drop_only=True)


if __name__ == "__main__":
    main()
