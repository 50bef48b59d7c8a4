"""Benchmark: the agency dashboard at 20,000 and at 200 officers, the programme dashboard over
40,200 officers, and one officer's training record, on the scale database (seed_scale.py seeds
it when missing or stale, then reuses it).

Each view is requested through Django's test Client in-process, logged in (force_login) as
the agency's admin (programme staff for the programme dashboard): 3 warm-up requests, one
whose SQL queries are counted, then 20 timed. One line per view:

    view=agency_dashboard officers=20000 queries=... median_ms=... p95_ms=...

--explain prints EXPLAIN (ANALYZE, BUFFERS) of every query the 20,000-officer agency dashboard
runs, each with its time, slowest first.

    make bench
    .venv/bin/python bench/agency_dashboard.py --repeat 20 [--explain]
"""

import argparse
import statistics
import sys
import time

import seed_scale


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(fraction * len(ordered)) - 1)]


def measure(client, url: str, repeat: int, warm_up: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm_up):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = list(captured.captured_queries)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return queries, times


def explain(queries: list[dict]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) each captured query, slowest first (read-only: the dashboard
    only reads; anything else is shown, not run)."""
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                plans.append((0.0, sql, ["(not a SELECT: not explained)"]))
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
            total = next(
                (
                    float(line.split(":")[1].split()[0])
                    for line in lines
                    if "Execution Time" in line
                ),
                0.0,
            )
            plans.append((total, sql, lines))
    for total, sql, lines in sorted(plans, key=lambda plan: -plan[0]):
        print(f"\n-- {total:.1f} ms\n{sql}\n" + "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per view")
    parser.add_argument("--warm-up", type=int, default=3, help="untimed requests first")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", help="one view: agency_dashboard, programme_dashboard, ...")
    args = parser.parse_args()

    marker = seed_scale.ensure()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import NoReverseMatch, reverse

    from accounts.models import Agency, Membership, User

    # The test Client's host, and production's template settings (no template debugging).
    setup_test_environment(debug=False)
    big = Agency.objects.get(name=seed_scale.BIG_AGENCY)
    small = Agency.objects.get(name=seed_scale.SMALL_AGENCY)
    officers = Membership.objects.filter(role=Membership.Role.OFFICER)
    count = {agency.pk: officers.filter(agency=agency).count() for agency in (big, small)}
    everyone = officers.count()
    long_record = User.objects.get(email=seed_scale.LONG_RECORD_EMAIL)
    big_admin = User.objects.get(email=seed_scale.BIG_ADMIN_EMAIL)
    small_admin = User.objects.get(email=seed_scale.SMALL_ADMIN_EMAIL)
    staff = User.objects.get(email=seed_scale.STAFF_EMAIL)
    views = [
        ("agency_dashboard", count[big.pk], big_admin, "reports:dashboard_agency",
         {"agency_id": big.pk}),
        ("agency_dashboard", count[small.pk], small_admin, "reports:dashboard_agency",
         {"agency_id": small.pk}),
        ("programme_dashboard", everyone, staff, "reports:dashboard_programme", {}),
        ("transcript", count[big.pk], big_admin, "reports:transcript",
         {"user_id": long_record.pk}),
    ]  # fmt: skip
    print(f"scale database seeded {marker['anchor']:%Y-%m-%d} in {marker['seconds']:.0f} s")
    missing, agency_queries = [], {}
    for name, officer_count, user, url_name, kwargs in views:
        if args.only and name != args.only:
            continue
        try:
            url = reverse(url_name, kwargs=kwargs)
        except NoReverseMatch:
            print(f"view={name} officers={officer_count} missing: no URL {url_name} yet")
            missing.append(name)
            continue
        client = Client()
        client.force_login(user)
        queries, times = measure(client, url, args.repeat, args.warm_up)
        if name == "agency_dashboard":
            agency_queries[officer_count] = queries
        print(
            f"view={name} officers={officer_count} queries={len(queries)} "
            f"median_ms={statistics.median(times):.0f} p95_ms={percentile(times, 0.95):.0f}",
            flush=True,
        )
    counts = {size: len(queries) for size, queries in agency_queries.items()}
    if len(set(counts.values())) > 1:
        print(f"the agency dashboard's query count grew with the officers: {counts}")
        missing.append("flat query count")
    if args.explain and count[big.pk] in agency_queries:
        explain(agency_queries[count[big.pk]])
    if missing:
        sys.exit(1)


if __name__ == "__main__":
    main()
