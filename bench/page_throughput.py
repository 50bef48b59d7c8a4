"""Benchmark (issue 16): throughput and latency of the signed-in pages under gunicorn with
production settings, against a hello-world Django app under the same gunicorn settings.

    .venv/bin/python bench/page_throughput.py --connections 10,50 [--pages lesson,quiz]

One line per page and connection count (and one for the hello-world app itself):

    page=lesson connections=10 rps=... p50_ms=... p95_ms=... queries=... hello_rps=...
        share=...% errors=0 timeouts=0 restarts=0

share is rps / hello_rps x 100, with hello_rps measured in the same pass. errors counts
responses of 400 or more and socket errors; timeouts, requests slower than --timeout (10 s,
not wrk's 2 s, so a slow page's latency is measured, not hidden). restarts counts gunicorn
workers booted during the measurement: deploy/gunicorn.conf.py recycles a worker after about
1,000 requests (max_requests), every second or two at hello-world rates, which lowers the
hello-world figure itself.

With --rounds N (N passes per connection count, each the hello world first, then every page),
each line carries round=k, and one more line per page sums the passes up:

    page=lesson connections=10 rounds=3 share_median=...% shares=.../.../... rps_median=...
        p95_ms_max=... queries=... errors=0 timeouts=0

On a shared 2-core machine a page's rps moves by a quarter between passes (a burst of worker
restarts, the host's other guests): the median of three passes is the figure to read.

Setup. A fresh PostgreSQL database cc_bench_pages (BENCH_PAGES_DB; dropped at the end unless
--keep-db) and Redis database 11 (BENCH_PAGES_REDIS_URL; emptied before and after) are migrated and filled with `sync_content` and
`seed_demo --i-know-this-is-not-production`; then, through the services, the demo officer
officer.lee@knpa.example (whom seed_demo leaves untouched) is taken part-way through the
course: module 1 read and its quiz passed, module 2 read and its quiz started, module 3's first
lesson read; she is nominated (by her agency's demo admin) to the Seoul demo cohort and
approved (by the demo trainer). The demo trainer and the Korean agency admin must use MFA:
each gets an authenticator app (allauth's TOTP.activate, with a secret made here). Static
files are collected into a temporary directory (production settings serve them from the
manifest).

Production settings (bench/benchsite.py, shared with bench/loadtest/): DEBUG=false, throwaway
keys, plain HTTP on loopback; every other setting keeps its production default. No page
measured sends email. Both servers run `gunicorn -c deploy/gunicorn.conf.py` with WEB_CONCURRENCY=5 and
GUNICORN_THREADS=4 (5 gthread workers x 4 threads, access log on in JSON, max_requests 1000
and the metrics in multiprocess mode as in production), each on a loopback socket of a free port made here and handed over (fd://), with
its control socket in the temporary directory.

Sign-in is real: the login form is posted over HTTP (with its CSRF token) and, for the MFA
users, the code of their authenticator app, computed here, is posted to allauth's second step.
Each page then carries only that session cookie (wrk -H "Cookie: sessionid=..."). Before and
after each measurement the page is fetched once and must answer 200 (no redirect followed)
with its marker (its heading): a redirect to the login or MFA page fails the run. All signed-in
requests of a page share one session. wrk sends no Accept-Encoding: responses are not gzipped.

The pages, each as its natural user:

    login          GET /accounts/login/, anonymous
    dashboard      /dashboard/ (where / and sign-in lead), the officer
    course         /courses/crypto-investigation/, the officer
    lesson         /courses/crypto-investigation/lessons/<module 3>/<its 2nd lesson>/, the next
                   one she has to read (where the course's Resume leads), the officer
    quiz           /attempts/<id>/, her open attempt at the module 2 quiz, the officer
    cohort         /cohorts/<id>/, the Seoul cohort she is seated in, the officer
    roster         /cohorts/sessions/<id>/roster/, day 1 of that cohort, its trainer: what
                   the word means in this codebase (bench/cohort_roster.py, the attendance
                   roster a trainer marks)
    agency_roster  /agency/<id>/roster/, the Korean agency's officers, its agency admin

queries= is the number of SQL queries of one request, counted in this process with Django's
test Client carrying the same session cookie, under CaptureQueriesContext: the page is
requested twice and the second (warm) request is counted; session writes are included.

The hello-world app (bench/helloworld/): one view returning "Hello, world", DEBUG off, no
database, no installed apps, and Django's default `startproject` middleware without the three
that need sessions or a database (sessions, authentication, messages): SecurityMiddleware,
CommonMiddleware, CsrfViewMiddleware, XFrameOptionsMiddleware: the cost of Django itself
answering a request, what "at the speed of the framework" compares with.

wrk runs with 2 threads (at most one per connection), first --warm-up seconds unmeasured, then
--duration seconds measured (bench/wrk_report.lua prints the summary); hello world first,
then each page. Load generator and servers share the machine: compare figures taken under the
same load (the "#" lines give the load average).
Needs wrk (scripts/ensure-services.sh installs it) and openssl.

Clean-up, also after a failure, Ctrl-C or SIGTERM: both gunicorn process groups are stopped,
the temporary directory (keys, static files, logs, gunicorn's control sockets) is removed,
Redis database 11 emptied and the database dropped unless --keep-db.
"""

import argparse
import os
import shutil
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchhttp import (
    Server,
    boots,
    http_request,
    listening_socket,
    load,
    start_gunicorn,
    wait_ready,
    wrk,
)
from benchsite import (
    cleaned_up,
    database,
    flush_redis,
    prepare_site,
    production_env,
    sign_in,
    totp_activate,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_PAGES_DB", "cc_bench_pages")
REDIS_URL = os.environ.get("BENCH_PAGES_REDIS_URL", "redis://127.0.0.1:6379/11")
WORKERS, THREADS = 5, 4

OFFICER = "officer.lee@knpa.example"
TRAINER = "trainer@rtp.example"
AGENCY_ADMIN = "admin@knpa.example"
PAGES = ["login", "dashboard", "course", "lesson", "quiz", "cohort", "roster", "agency_roster"]


@dataclass
class Page:
    name: str
    path: str
    user: str | None  # whose session; None: anonymous
    markers: list[str]  # the response must contain each (HTML-escaped already)
    queries: int = 0
    cookie: str = field(default="", repr=False)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--connections", default="10", help="comma-separated, one pass each (e.g. 10,50)"
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds measured per page")
    parser.add_argument("--warm-up", type=int, default=3, help="seconds unmeasured first")
    parser.add_argument("--timeout", type=int, default=10, help="wrk's request timeout, s")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated subset")
    parser.add_argument("--keep-db", action="store_true", help=f"keep {BENCH_DB} afterwards")
    parser.add_argument(
        "--rounds", type=int, default=1, help="passes per connection count (median reported)"
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    args.connections = [int(n) for n in args.connections.split(",") if n.strip()]
    args.pages = [name.strip() for name in args.pages.split(",") if name.strip()]
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}; known: {', '.join(PAGES)}")
    return args


def prepare_officer() -> dict:
    """officer.lee part-way through the course and seated in the Seoul cohort, the trainer and
    the agency admin with MFA; returns the objects the pages are of and the TOTP secrets."""
    from accounts.models import User
    from assessments.grading import model_answers
    from assessments.models import Quiz
    from assessments.selectors import attempt_questions
    from assessments.services import attempt_start, attempt_submit
    from cohorts.demo import COHORTS, DEMO_COURSE_SLUG, demo_title
    from cohorts.models import Cohort, Seat
    from cohorts.services.seats import seat_approve, seat_nominate
    from courses.access import open_access_levels
    from courses.models import Course, Lesson
    from courses.selectors import course_progress
    from courses.services import enrollment_create, lesson_complete

    course = Course.objects.get(slug=DEMO_COURSE_SLUG)
    officer = User.objects.get(email=OFFICER)
    trainer = User.objects.get(email=TRAINER)
    admin = User.objects.get(email=AGENCY_ADMIN)
    enrollment = enrollment_create(user=officer, course=course)
    modules = list(course.modules.order_by("order", "pk"))
    lessons = [list(Lesson.objects.filter(module=m).order_by("order", "pk")) for m in modules[:3]]
    for lesson in [*lessons[0], *lessons[1], lessons[2][0]]:
        lesson_complete(enrollment=enrollment, lesson=lesson)
    passed = attempt_start(
        user=officer, quiz=Quiz.objects.get(module=modules[0]), enrollment=enrollment
    )
    answers = model_answers(attempt_questions(attempt=passed), passed.seed)
    passed, _graded = attempt_submit(attempt_id=passed.pk, user=officer, raw_answers=answers)
    if not passed.passed:
        raise SystemExit(f"setup: {OFFICER} did not pass the module 1 quiz ({passed.score}%)")
    attempt = attempt_start(
        user=officer, quiz=Quiz.objects.get(module=modules[1]), enrollment=enrollment
    )
    # The lesson page: the next one she has to read (where the course's Resume leads).
    progress = course_progress(
        course=course, enrollment=enrollment, open_levels=open_access_levels(user=officer)
    )

    cohort = Cohort.objects.get(course=course, title=demo_title(course, COHORTS[0]))
    membership = officer.memberships.get(agency__isnull=False)
    seat = seat_nominate(cohort=cohort, user=officer, agency=membership.agency, actor=admin)
    seat = seat_approve(seat=seat, actor=trainer)
    if seat.status != Seat.Status.APPROVED:
        raise SystemExit(f"setup: {OFFICER}'s seat in {cohort.title} is {seat.status}")

    secrets_by_email = totp_activate([trainer, admin])
    return {
        "course": course,
        "officer": officer,
        "lesson": progress.next_lesson,
        "attempt": attempt,
        "cohort": cohort,
        "session": cohort.sessions.order_by("starts_at").first(),
        "agency": membership.agency,
        "totp": secrets_by_email,
    }


def build_pages(objects: dict, names: list[str]) -> list[Page]:
    from django.urls import reverse
    from django.utils.html import escape

    officer = objects["officer"]
    course, lesson, cohort = objects["course"], objects["lesson"], objects["cohort"]
    session, agency = objects["session"], objects["agency"]
    pages = [
        Page("login", reverse("account_login"), None, ['name="password"']),
        Page("dashboard", reverse("certificates:dashboard"), OFFICER,
             [f"Welcome, {escape(officer.get_short_name())}</h1>", escape(course.title)]),
        Page("course", course.get_absolute_url(), OFFICER, [f"<h1>{escape(course.title)}</h1>"]),
        Page("lesson", lesson.get_absolute_url(), OFFICER, [f">{escape(lesson.title)}</h1>"]),
        Page("quiz", reverse("assessments:attempt", kwargs={"attempt_id": objects["attempt"].pk}),
             OFFICER, [f"<h1>{escape(objects['attempt'].quiz.title)}</h1>"]),
        Page("cohort", reverse("cohorts:detail", kwargs={"cohort_id": cohort.pk}), OFFICER,
             [f"<h1>{escape(cohort.title)}</h1>"]),
        Page("roster", reverse("cohorts:roster", kwargs={"session_id": session.pk}), TRAINER,
             ["<h1>Roster", escape(officer.full_name)]),
        Page("agency_roster", reverse("reports:roster", kwargs={"agency_id": agency.pk}),
             AGENCY_ADMIN, [f"<h1>Roster of {escape(agency.name)}</h1>", escape(officer.full_name)]),
    ]  # fmt: skip
    return [page for page in pages if page.name in names]


def check_page(server: Server, page: Page, when: str) -> None:
    status, headers, body = http_request(server.base + page.path, cookie=page.cookie)
    if status != 200:
        where = headers.get("Location", "") if headers else ""
        raise SystemExit(f"{when}: page {page.name} ({page.path}) answered {status} {where}")
    missing = [marker for marker in page.markers if marker not in body]
    if missing:
        raise SystemExit(f"{when}: page {page.name} ({page.path}) lacks {missing}")


def count_queries(page: Page) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if page.cookie:
        client.cookies["sessionid"] = page.cookie
    client.get(page.path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.path)
    if response.status_code != 200:
        raise SystemExit(f"queries: page {page.name} answered {response.status_code}")
    return len(captured)


def measure(server: Server, path: str, args, connections: int, cookie: str = "") -> dict:
    """The warm-up, then the measured run, with the workers gunicorn booted during it."""
    url, timeout = server.base + path, args.timeout
    wrk(url, connections=connections, seconds=args.warm_up, timeout=timeout, cookie=cookie)
    booted = boots(server)
    report = wrk(
        url, connections=connections, seconds=args.duration, timeout=timeout, cookie=cookie
    )
    report["restarts"] = boots(server) - booted
    return report


def errors_of(report: dict) -> int:
    return sum(report[kind] for kind in ("status", "connect", "read", "write"))


def line(
    name: str, connections: int, report: dict, queries: int, hello_rps: float, round_: str = ""
) -> str:
    errors = errors_of(report)
    return (
        f"page={name} connections={connections}{round_} rps={report['rps']:.1f} "
        f"p50_ms={report['p50_us'] / 1000:.1f} p95_ms={report['p95_us'] / 1000:.1f} "
        f"queries={queries} hello_rps={hello_rps:.1f} "
        f"share={100 * report['rps'] / hello_rps:.1f}% "
        f"errors={errors} timeouts={report['timeout']} restarts={report['restarts']}"
    )


def run(args, tmp: Path, servers: list[Server]) -> None:
    site_sock, hello_sock = listening_socket(), listening_socket()
    host, port = site_sock.getsockname()
    os.environ.update(
        production_env(
            tmp,
            f"http://{host}:{port}",
            database=BENCH_DB,
            redis_url=REDIS_URL,
            workers=WORKERS,
            threads=THREADS,
        )
    )
    database(BENCH_DB, create=True)
    flush_redis(REDIS_URL)
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    prepare_site(tmp)
    objects = prepare_officer()
    pages = build_pages(objects, args.pages)

    site_env = os.environ.copy()
    site_env.pop("PORT", None)
    # As production runs them (deploy/systemd): the metrics in multiprocess mode, each server
    # with a directory of its own. The hello-world server runs from bench/ and takes the
    # project on its path only so that deploy/gunicorn.conf.py's JSON log formatter loads:
    # both servers log every request alike.
    site_env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "metrics-site")
    hello_env = site_env | {
        "DJANGO_SETTINGS_MODULE": "helloworld.settings",
        "PYTHONPATH": str(ROOT),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics-hello"),
    }
    site_app, hello_app = "config.wsgi:application", "helloworld.wsgi:application"
    site = start_gunicorn(
        servers, "site", site_app, sock=site_sock, env=site_env, cwd=ROOT, log=tmp / "site.log"
    )
    hello = start_gunicorn(
        servers,
        "hello",
        hello_app,
        sock=hello_sock,
        env=hello_env,
        cwd=BENCH,
        log=tmp / "hello.log",
    )
    wait_ready(site, "/healthz", workers=WORKERS)
    wait_ready(hello, "/", workers=WORKERS)
    status, _headers, body = http_request(hello.base + "/")
    if status != 200 or body != "Hello, world":
        raise SystemExit(f"hello world answered {status} {body[:80]!r}")

    cookies = {}
    for page in pages:
        if page.user and page.user not in cookies:
            cookies[page.user] = sign_in(site, page.user, objects["totp"].get(page.user))
        page.cookie = cookies.get(page.user, "")
        check_page(site, page, "before")
    # The test Client's host, and production's template settings (no template debugging).
    setup_test_environment(debug=False)
    for page in pages:
        page.queries = count_queries(page)

    print(
        f"# gunicorn {WORKERS} workers x {THREADS} threads (deploy/gunicorn.conf.py), DEBUG off, "
        f"PostgreSQL {BENCH_DB}, Redis {REDIS_URL}; wrk {args.warm_up} s warm-up + "
        f"{args.duration} s per page; {os.cpu_count()} CPUs",
        flush=True,
    )
    for page in pages:
        print(f"# {page.name}: GET {page.path} as {page.user or 'anonymous'}", flush=True)
    for connections in args.connections:
        print(f"# {connections} connections, {load()}", flush=True)
        passes: dict[str, list[tuple[dict, float]]] = {page.name: [] for page in pages}
        for number in range(1, args.rounds + 1):
            round_ = f" round={number}" if args.rounds > 1 else ""
            report = measure(hello, "/", args, connections)
            hello_rps = report["rps"]
            print(line("hello", connections, report, 0, hello_rps, round_), flush=True)
            for page in pages:
                report = measure(site, page.path, args, connections, page.cookie)
                check_page(site, page, "after")
                passes[page.name].append((report, hello_rps))
                print(
                    line(page.name, connections, report, page.queries, hello_rps, round_),
                    flush=True,
                )
        if args.rounds > 1:
            for page in pages:
                print(summary(page, connections, passes[page.name]), flush=True)
    print(f"# done, {load()}", flush=True)


def summary(page: Page, connections: int, passes: list[tuple[dict, float]]) -> str:
    """A page over the rounds: the median share (each round's rps over that round's hello
    world), the worst p95, every error and timeout."""
    shares = [100 * report["rps"] / hello_rps for report, hello_rps in passes]
    return (
        f"page={page.name} connections={connections} rounds={len(passes)} "
        f"share_median={statistics.median(shares):.1f}% "
        f"shares={'/'.join(f'{share:.1f}' for share in shares)} "
        f"rps_median={statistics.median(report['rps'] for report, _ in passes):.1f} "
        f"p95_ms_max={max(report['p95_us'] for report, _ in passes) / 1000:.1f} "
        f"queries={page.queries} errors={sum(errors_of(report) for report, _ in passes)} "
        f"timeouts={sum(report['timeout'] for report, _ in passes)}"
    )


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is not installed: run scripts/ensure-services.sh (or apt-get install wrk)"
        )

    with cleaned_up(
        prefix="cc_bench_pages-", database_name=BENCH_DB, redis_url=REDIS_URL, keep_db=args.keep_db
    ) as (tmp, servers):
        run(args, tmp, servers)


if __name__ == "__main__":
    main()
