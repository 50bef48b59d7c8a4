"""Bench-only seeder: one agency of 20,000 officers with realistic progress, 50 agencies of 400
in ten countries, and a small agency of 200, on a PostgreSQL database of its own
(cryptocops_bench_scale), for bench/agency_dashboard.py.

The curriculum comes from content/ (content_sync), its course also copied as a second,
bench-only course (ADVANCED below: one course of 31 lessons holds at most 620,000 progress rows
for 20,000 officers, the issue asks for about a million). Everything else is written with COPY,
ids assigned here, in one transaction, then VACUUM ANALYZE (as autovacuum would leave a
production database).
Rows come from a fixed random seed and a fixed anchor (midnight UTC of the day of seeding,
kept in the marker), so two seeds on the same day are identical. No audit rows are written for
seeded data (this database is not a production chain); counters (Cohort.seats_taken,
Participation.seats_taken) are kept in step.

The database is reused when its marker (table bench_seed_marker) records the same parameters
and the same migrations as the code on disk; otherwise, or with --fresh, it is rebuilt.

    .venv/bin/python bench/seed_scale.py            # seed if needed, print the row counts
    .venv/bin/python bench/seed_scale.py --fresh    # rebuild
"""

import argparse
import base64
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# BENCH_SCALE_DB lets two checkouts keep their own seeded copies side by side.
BENCH_DB = os.environ.get("BENCH_SCALE_DB", "cryptocops_bench_scale")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres:postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{PG_SERVER}/{BENCH_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# As `make bench` runs it: development settings (the audit key content_sync signs with).
os.environ.setdefault("DEBUG", "true")

DEFAULTS = {
    # Raised whenever what the seeder writes changes, so a stale database is rebuilt.
    "layout": 4,
    "seed": 13,
    "big": 20_000,
    "big_cohorts": 300,
    "agencies": 50,
    "per_agency": 400,
    "per_agency_cohorts": 6,
    "small": 200,
    "small_cohorts": 3,
}

# Where the 50 programme agencies are: ten countries, five agencies each.
COUNTRIES = [
    ("KR", "Asia/Seoul"),
    ("TH", "Asia/Bangkok"),
    ("MD", "Europe/Chisinau"),
    ("VN", "Asia/Ho_Chi_Minh"),
    ("ID", "Asia/Jakarta"),
    ("PH", "Asia/Manila"),
    ("MY", "Asia/Kuala_Lumpur"),
    ("KH", "Asia/Phnom_Penh"),
    ("MN", "Asia/Ulaanbaatar"),
    ("RO", "Europe/Bucharest"),
]
UNIT_NAMES = [
    "Cyber Crime Division",
    "Financial Crime Unit",
    "Regional Bureau North",
    "Regional Bureau South",
    "Regional Bureau East",
    "Regional Bureau West",
    "Narcotics Unit",
    "Fraud Squad",
    "Anti-Corruption Office",
    "Forensics Laboratory",
]
# The curriculum's course (31 lessons), and a copy of it as a second course launched eight
# months ago (ADVANCED, bench-only): the million lesson-progress rows for 20,000
# officers need about 50 per officer, more than one course of 31 lessons holds. Per course:
# the share of officers enrolled, of officers who finished it (and hold its certificate), how
# many days back completions and starts go, and how often a part-way officer who read a
# module has tried its quiz.
ADVANCED = "crypto-investigation-advanced"
COURSE_PLANS = {
    "crypto-investigation": {
        "enrolled": 0.98,
        "completed": 0.70,
        "completed_within": 760,
        "started_within": 400,
        "tries_quiz": 0.85,
    },
    ADVANCED: {
        "enrolled": 0.90,
        "completed": 0.08,
        "completed_within": 200,
        "started_within": 240,
        "tries_quiz": 0.4,
    },
}
# First-attempt failure rate per module (in course order): the tracing modules are hardest.
FAIL_RATE = [0.10, 0.25, 0.28, 0.12, 0.10, 0.15]
CERTIFICATE_MONTHS_DAYS = 730
REVOKED_RATE = 0.005
# Officers of the big agency seated in a cohort, and the long-record officer's cohorts.
SEATS_PER_COHORT = 25
LONG_RECORD_COHORTS = 10
LONG_RECORD_EMAIL = "officer.long@kr-scale.bench"
BIG_ADMIN_EMAIL = "admin@kr-scale.bench"
SMALL_ADMIN_EMAIL = "admin@kr-small.bench"
STAFF_EMAIL = "staff@scale.bench"
COORDINATOR_EMAIL = "coordinator.kr@scale.bench"
BIG_AGENCY = "Korean National Police Agency (scale bench)"
SMALL_AGENCY = "Busan Metropolitan Police (scale bench)"


def server_connect():
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def database_exists() -> bool:
    with server_connect() as conn:
        return bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        )


def recreate() -> None:
    with server_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def migration_state() -> str:
    """The migrations on disk (every app's graph): names and file contents, as one hash, so an
    edited migration counts as a change too."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    for key in sorted(loader.graph.nodes):
        digest.update(f"{key[0]}.{key[1]}\n".encode())
        source = getattr(
            sys.modules.get(type(loader.graph.nodes[key]).__module__), "__file__", None
        )
        if source:
            digest.update(Path(source).read_bytes())
    return digest.hexdigest()


def read_marker() -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_seed_marker')")
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute("SELECT params, migrations, anchor, seconds, counts FROM bench_seed_marker")
        row = cursor.fetchone()
    if row is None:
        return None
    return {
        "params": json.loads(row[0]),
        "migrations": row[1],
        "anchor": row[2],
        "seconds": row[3],
        "counts": json.loads(row[4]),
    }


def write_marker(params: dict, anchor: datetime, seconds: float, counts: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_seed_marker (params text, migrations text, anchor timestamptz,"
            " seconds double precision, counts text)"
        )
        cursor.execute(
            "INSERT INTO bench_seed_marker VALUES (%s, %s, %s, %s, %s)",
            [
                json.dumps(params, sort_keys=True),
                migration_state(),
                anchor,
                seconds,
                json.dumps(counts),
            ],
        )


class Copier:
    """COPY rows into a model's table: the given fields per row, every other concrete field
    its default (the same for every row), ids assigned by the caller."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.counts: dict[str, int] = {}

    def copy(self, model, fields: list[str], rows) -> int:
        from django.db.models import NOT_PROVIDED

        meta = model._meta
        given = {meta.get_field(name).attname for name in fields}
        tail, rest = [], []
        for field in meta.concrete_fields:
            if field.attname in given:
                continue
            if field.primary_key or (
                not field.has_default() and field.db_default is not NOT_PROVIDED
            ):
                continue
            # A default, else "" for text fields and None for the rest (as Django would).
            value = field.get_default()
            if isinstance(value, dict | list):
                value = json.dumps(value)
            rest.append(field.column)
            tail.append(value)
        columns = [meta.get_field(name).column for name in fields] + rest
        quoted = ", ".join(f'"{column}"' for column in columns)
        tail_tuple = tuple(tail)
        count = 0
        with self.cursor.copy(f'COPY "{meta.db_table}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row + tail_tuple)
                count += 1
        self.counts[meta.label] = self.counts.get(meta.label, 0) + count
        return count

    def next_id(self, model) -> int:
        table = model._meta.db_table  # a model's table name, not input
        self.cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')  # noqa: S608
        return self.cursor.fetchone()[0]

    def reset_sequence(self, model) -> None:
        table = model._meta.db_table  # a model's table name, not input
        query = f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'),
            (SELECT COALESCE(MAX(id), 1) FROM "{table}"))"""  # noqa: S608
        self.cursor.execute(query)


class Ids:
    """Consecutive ids per model, from the first free one."""

    def __init__(self, copier, models):
        self.next = {model: copier.next_id(model) for model in models}

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def token(seed: int, kind: str, number: int) -> str:
    digest = hashlib.sha256(f"{seed}:{kind}:{number}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class Seeder:
    def __init__(self, params: dict, anchor: datetime, copier: Copier):
        from accounts.models import Agency, Membership, Unit, User
        from assessments.models import Attempt
        from certificates.models import Certificate
        from cohorts.models import Attendance, Cohort, Participation, Seat, Session
        from courses.models import Course, Enrollment, Lesson, LessonProgress, ModuleProgress

        self.params = params
        self.anchor = anchor
        self.copier = copier
        self.rng = random.Random(params["seed"])  # noqa: S311 - reproducible test data
        self.courses = [
            self.course_plan(Course.objects.get(slug=slug), Lesson, **plan)
            for slug, plan in COURSE_PLANS.items()
        ]
        self.course = self.courses[0]["course"]
        self.password = "!" + "x" * 40  # unusable, as make_password(None) writes
        self.models = {
            "Agency": Agency,
            "Unit": Unit,
            "User": User,
            "Membership": Membership,
            "Enrollment": Enrollment,
            "LessonProgress": LessonProgress,
            "ModuleProgress": ModuleProgress,
            "Attempt": Attempt,
            "Certificate": Certificate,
            "Cohort": Cohort,
            "Participation": Participation,
            "Session": Session,
            "Seat": Seat,
            "Attendance": Attendance,
        }
        self.ids = Ids(copier, self.models.values())
        self.rows: dict[str, list[tuple]] = {name: [] for name in self.models}
        self.certificate_number = 0
        self.user_number = 0

    def at(self, days_ago: float) -> datetime:
        return self.anchor - timedelta(days=days_ago)

    # -- people ------------------------------------------------------------------------------

    def agency(self, *, name: str, country: str, tz: str, officers: int, cohorts: int) -> dict:
        agency_id = self.ids.take(self.models["Agency"])
        self.rows["Agency"].append((agency_id, name, country, tz, "[]", self.at(900)))
        units = []
        for unit_name in UNIT_NAMES:
            unit_id = self.ids.take(self.models["Unit"])
            self.rows["Unit"].append((unit_id, agency_id, unit_name))
            units.append(unit_id)
        slug = name.split(" (")[0].lower().replace(" ", "-")
        info = {"id": agency_id, "name": name, "country": country, "tz": tz, "officers": []}
        for n in range(officers):
            email = LONG_RECORD_EMAIL if (n == 0 and name == BIG_AGENCY) else None
            info["officers"].append(
                self.officer(
                    agency_id=agency_id,
                    unit_id=self.rng.choice(units),
                    email=email or f"officer{n:05d}@{slug}.bench",
                    long_record=email is not None,
                )
            )
        for _ in range(cohorts):
            self.cohort(info)
        return info

    @staticmethod
    def course_plan(course, lesson_model, **plan) -> dict:
        """A course's lessons in reading order (lesson id, version id, module index), its
        modules (quiz, quiz version, position of the last lesson), its hours, and the plan."""
        lessons = list(
            lesson_model.objects.filter(module__course=course)
            .select_related("module", "module__quiz")
            .order_by("module__order", "order")
        )
        rows, modules = [], []
        for lesson in lessons:
            if not modules or modules[-1]["id"] != lesson.module_id:
                quiz = lesson.module.quiz
                modules.append(
                    {
                        "id": lesson.module_id,
                        "quiz_id": quiz.pk,
                        "quiz_hash": quiz.content_hash,
                        "lessons": 0,
                    }
                )
            modules[-1]["last"] = len(rows)
            modules[-1]["lessons"] += 1
            rows.append((lesson.pk, lesson.current_version_id, len(modules) - 1))
        hours = (Decimal(sum(lesson.minutes for lesson in lessons)) / 60).quantize(Decimal("0.1"))
        return {"course": course, "lessons": rows, "modules": modules, "hours": hours, **plan}

    def officer(self, *, agency_id: int, unit_id: int, email: str, long_record: bool) -> int:
        rng = self.rng
        self.user_number += 1
        user_id = self.ids.take(self.models["User"])
        joined = self.at(rng.uniform(200, 1000))
        self.rows["User"].append(
            (user_id, self.password, email, f"Officer {self.user_number:05d}", joined)
        )
        self.rows["Membership"].append(
            (
                self.ids.take(self.models["Membership"]),
                user_id,
                agency_id,
                unit_id,
                "officer",
                "approved",
                self.at(rng.uniform(1, 300)),
                joined,
            )
        )
        for plan in self.courses:
            self.progress(plan, user_id=user_id, long_record=long_record)
        return user_id

    def progress(self, plan: dict, *, user_id: int, long_record: bool) -> None:
        """One officer's enrollment in one course: lessons read in order, each module's quiz
        tried once its lessons are read (failed attempts, then a pass), and for a finished
        course the completion and its certificate."""
        rng = self.rng
        lessons, modules = plan["lessons"], plan["modules"]
        draw = 0.0 if long_record else rng.random()
        if draw >= plan["enrolled"]:
            return
        completed = draw < plan["completed"]
        enrollment_id = self.ids.take(self.models["Enrollment"])
        if completed:
            done = self.at(rng.random() ** 1.6 * plan["completed_within"] + rng.random())
            if long_record:
                done = self.at(30.5)
            start = done - timedelta(days=rng.uniform(10, 150))
            read = len(lessons)
            # Reading ends days before the course is done: the quizzes (and retakes) between.
            end = done - timedelta(days=4)
        else:
            start = self.at(rng.uniform(35, plan["started_within"]))
            read = int(rng.triangular(1, len(lessons) - 1, len(lessons) - 1))
            end = self.anchor - timedelta(days=rng.uniform(3, 30))
        step = (end - start) / (read + 1)
        last_pass = None
        for position in range(read):
            lesson_id, version_id, module_index = lessons[position]
            when = start + step * (position + 1)
            self.rows["LessonProgress"].append(
                (
                    self.ids.take(self.models["LessonProgress"]),
                    enrollment_id,
                    lesson_id,
                    version_id,
                    when,
                )
            )
            module = modules[module_index]
            # The module's summary (courses.ModuleProgress, as lesson_complete keeps it) once
            # the officer stops reading it: at its last lesson or at the last lesson read.
            if module["last"] == position or position == read - 1:
                lessons_read = position - (module["last"] - module["lessons"])
                self.rows["ModuleProgress"].append(
                    (
                        self.ids.take(self.models["ModuleProgress"]),
                        enrollment_id,
                        module["id"],
                        lessons_read,
                        when,
                        when if lessons_read == module["lessons"] else None,
                    )
                )
            if module["last"] != position:
                continue
            if not completed and rng.random() > plan["tries_quiz"]:
                continue  # read the module, not yet tried its quiz
            failures, rate = 0, FAIL_RATE[module_index % len(FAIL_RATE)]
            while rng.random() < rate:
                failures += 1
                rate /= 2
            if long_record:
                failures = 2
            passes = completed or rng.random() > 0.2
            tries = failures + (1 if passes else 0)
            if tries == 0:
                tries, failures = 1, 1
            for attempt in range(tries):
                passed = attempt == tries - 1 and passes
                started = when + timedelta(hours=1 + attempt * 26)
                submitted = started + timedelta(minutes=rng.uniform(8, 40))
                score = Decimal(rng.randint(80, 100) if passed else rng.randint(20, 79))
                self.rows["Attempt"].append(
                    (
                        self.ids.take(self.models["Attempt"]),
                        module["quiz_id"],
                        enrollment_id,
                        user_id,
                        module["quiz_hash"],
                        rng.getrandbits(48),
                        "graded",
                        started,
                        submitted,
                        score,
                        passed,
                    )
                )
                if passed:
                    last_pass = submitted
        # Completion is the last quiz passed (after every lesson was read).
        done = last_pass if completed else None
        course = plan["course"]
        self.rows["Enrollment"].append((enrollment_id, user_id, course.pk, start, done))
        if completed:
            self.certificate(plan, user_id=user_id, enrollment_id=enrollment_id, completed=done)

    def certificate(
        self, plan: dict, *, user_id: int, enrollment_id: int, completed: datetime
    ) -> None:
        rng = self.rng
        self.certificate_number += 1
        number = self.certificate_number
        issued = completed + timedelta(minutes=rng.uniform(1, 10))
        revoked = rng.random() < REVOKED_RATE
        serial = f"CC-{issued:%Y}-{number:010X}"
        self.rows["Certificate"].append(
            (
                self.ids.take(self.models["Certificate"]),
                enrollment_id,
                user_id,
                plan["course"].pk,
                plan["course"].content_hash,
                serial,
                token(self.params["seed"], "certificate", number),
                "revoked" if revoked else "issued",
                f"Officer {self.user_number:05d}",
                plan["course"].title,
                plan["hours"],
                completed,
                issued,
                issued,
                f"certificates/bench/{serial}.pdf",
                issued + timedelta(days=CERTIFICATE_MONTHS_DAYS),
                issued + timedelta(days=30) if revoked else None,
                "issued_in_error" if revoked else "",
            )
        )

    # -- cohorts -----------------------------------------------------------------------------

    def cohort(self, agency: dict) -> None:
        from courses.models import TrainingCategory

        rng = self.rng
        cohort_id = self.ids.take(self.models["Cohort"])
        draw = rng.random()
        if draw < 0.8:
            status, first = "closed", (self.anchor - timedelta(days=rng.uniform(5, 700))).date()
        elif draw < 0.9:
            status, first = "running", self.anchor.date() - timedelta(days=1)
        else:
            status, first = "open", (self.anchor + timedelta(days=rng.uniform(14, 90))).date()
        tz = ZoneInfo(agency["tz"])
        officers = agency["officers"]
        seated = rng.sample(officers, min(SEATS_PER_COHORT, len(officers)))
        if agency["name"] == BIG_AGENCY and len(self.big_long_cohorts) < LONG_RECORD_COHORTS:
            if status == "closed" and officers[0] not in seated:
                seated[0] = officers[0]
            if officers[0] in seated:
                self.big_long_cohorts.append(cohort_id)
        created = datetime.combine(first, clock(9), tzinfo=UTC) - timedelta(days=45)
        self.rows["Cohort"].append(
            (
                cohort_id,
                self.course.pk,
                f"Tracing stolen funds, in person #{cohort_id}",
                agency["country"],
                "Capital",
                "Police Academy",
                "1 Academy Road",
                agency["tz"],
                "en",
                rng.choice(TrainingCategory.values),
                SEATS_PER_COHORT + 5,
                len(seated),
                agency["id"],
                80,
                created + timedelta(days=30),
                status,
                created,
                created,
            )
        )
        self.rows["Participation"].append(
            (
                self.ids.take(self.models["Participation"]),
                cohort_id,
                agency["id"],
                "host",
                len(seated),
            )
        )
        sessions = []
        for day in range(3):
            session_id = self.ids.take(self.models["Session"])
            on = first + timedelta(days=day)
            starts = datetime.combine(on, clock(9), tzinfo=tz).astimezone(UTC)
            ends = datetime.combine(on, clock(17), tzinfo=tz).astimezone(UTC)
            self.rows["Session"].append(
                (
                    session_id,
                    cohort_id,
                    on,
                    clock(9),
                    clock(17),
                    agency["tz"],
                    starts,
                    ends,
                    token(self.params["seed"], "session", session_id)[:64],
                )
            )
            sessions.append((session_id, starts))
        for user_id in seated:
            seat_id = self.ids.take(self.models["Seat"])
            attended = 0
            for session_id, starts in sessions:
                if starts > self.anchor:
                    continue
                status_draw = rng.random()
                mark = (
                    "present"
                    if status_draw < 0.8
                    else "late"
                    if status_draw < 0.87
                    else "excused"
                    if status_draw < 0.92
                    else "absent"
                )
                attended += mark in ("present", "late")
                self.rows["Attendance"].append(
                    (
                        self.ids.take(self.models["Attendance"]),
                        session_id,
                        seat_id,
                        mark,
                        "roster",
                        starts,
                    )
                )
            done = status == "closed" and attended * 100 >= 80 * len(sessions)
            self.rows["Seat"].append(
                (
                    seat_id,
                    cohort_id,
                    user_id,
                    agency["id"],
                    "approved",
                    True,
                    created + timedelta(days=5),
                    created + timedelta(days=10),
                    sessions[-1][1] + timedelta(hours=8) if done else None,
                )
            )

    # -- writing -----------------------------------------------------------------------------

    def write(self) -> None:
        copy = self.copier.copy
        m = self.models
        copy(
            m["Agency"],
            ["id", "name", "country", "time_zone", "email_domains", "created_at"],
            self.rows["Agency"],
        )
        copy(m["Unit"], ["id", "agency_id", "name"], self.rows["Unit"])
        copy(m["User"], ["id", "password", "email", "full_name", "date_joined"], self.rows["User"])
        copy(
            m["Membership"],
            ["id", "user_id", "agency_id", "unit_id", "role", "status", "vetted_at", "created_at"],
            self.rows["Membership"],
        )
        copy(
            m["Enrollment"],
            ["id", "user_id", "course_id", "enrolled_at", "completed_at"],
            self.rows["Enrollment"],
        )
        copy(
            m["LessonProgress"],
            ["id", "enrollment_id", "lesson_id", "version_id", "completed_at"],
            self.rows["LessonProgress"],
        )
        copy(
            m["ModuleProgress"],
            ["id", "enrollment_id", "module_id", "lessons_read", "last_read_at", "completed_at"],
            self.rows["ModuleProgress"],
        )
        copy(
            m["Attempt"],
            [
                "id",
                "quiz_id",
                "enrollment_id",
                "user_id",
                "quiz_hash",
                "seed",
                "status",
                "started_at",
                "submitted_at",
                "score",
                "passed",
            ],
            self.rows["Attempt"],
        )
        copy(
            m["Certificate"],
            [
                "id",
                "enrollment_id",
                "user_id",
                "course_id",
                "content_version",
                "serial",
                "verify_token",
                "status",
                "holder_name",
                "course_title",
                "hours",
                "completed_at",
                "created_at",
                "issued_at",
                "pdf",
                "valid_until",
                "revoked_at",
                "revocation_reason",
            ],
            self.rows["Certificate"],
        )
        copy(
            m["Cohort"],
            [
                "id",
                "course_id",
                "title",
                "country",
                "city",
                "venue_name",
                "venue_address",
                "time_zone",
                "language",
                "category",
                "capacity",
                "seats_taken",
                "host_agency_id",
                "attendance_threshold",
                "nomination_deadline",
                "status",
                "created_at",
                "updated_at",
            ],
            self.rows["Cohort"],
        )
        copy(
            m["Participation"],
            ["id", "cohort_id", "agency_id", "role", "seats_taken"],
            self.rows["Participation"],
        )
        copy(
            m["Session"],
            [
                "id",
                "cohort_id",
                "date",
                "start_time",
                "end_time",
                "time_zone",
                "starts_at",
                "ends_at",
                "checkin_secret",
            ],
            self.rows["Session"],
        )
        copy(
            m["Seat"],
            [
                "id",
                "cohort_id",
                "user_id",
                "agency_id",
                "status",
                "counts_in_quota",
                "nominated_at",
                "decided_at",
                "completed_at",
            ],
            self.rows["Seat"],
        )
        copy(
            m["Attendance"],
            ["id", "session_id", "seat_id", "status", "source", "marked_at"],
            self.rows["Attendance"],
        )
        for model in m.values():
            self.copier.reset_sequence(model)

    def build(self) -> None:
        p = self.params
        self.big_long_cohorts: list[int] = []
        specs = [(BIG_AGENCY, "KR", "Asia/Seoul", p["big"], p["big_cohorts"])]
        for n in range(p["agencies"]):
            country, tz = COUNTRIES[n % len(COUNTRIES)]
            specs.append(
                (
                    f"Programme agency {n + 1:02d} {country} (scale bench)",
                    country,
                    tz,
                    p["per_agency"],
                    p["per_agency_cohorts"],
                )
            )
        specs.append((SMALL_AGENCY, "KR", "Asia/Seoul", p["small"], p["small_cohorts"]))
        for name, country, tz, officers, cohorts in specs:
            self.agency(name=name, country=country, tz=tz, officers=officers, cohorts=cohorts)


def seed_people(anchor: datetime) -> None:
    """The people the benchmark logs in as (ORM, after the bulk rows): the admins of the big and
    small agencies with MFA, a KR country coordinator, programme staff; and the requirement set
    the big and small agencies follow."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import Agency, Membership, User
    from reports.models import AgencyRequirement, RequirementSet

    big = Agency.objects.get(name=BIG_AGENCY)
    small = Agency.objects.get(name=SMALL_AGENCY)
    secret = generate_totp_secret()  # the bench logs in with force_login, never a code
    for email, agency in ((BIG_ADMIN_EMAIL, big), (SMALL_ADMIN_EMAIL, small)):
        user = User.objects.create_user(email=email, full_name="Bench Admin")
        Membership.objects.create(
            user=user, agency=agency, role=Membership.Role.AGENCY_ADMIN, vetted_at=anchor
        )
        TOTP.activate(user, secret)
    coordinator = User.objects.create_user(email=COORDINATOR_EMAIL, full_name="Bench Coordinator")
    Membership.objects.create(
        user=coordinator,
        agency=None,
        country="KR",
        role=Membership.Role.COORDINATOR,
        vetted_at=anchor,
    )
    TOTP.activate(coordinator, secret)
    staff = User.objects.create_user(email=STAFF_EMAIL, full_name="Bench Staff", is_staff=True)
    TOTP.activate(staff, secret)
    requirement = RequirementSet.objects.filter(country="KR").order_by("pk").first()
    if requirement is None:
        # content/requirements/ is not in this branch yet: a set of the same shape.
        requirement = RequirementSet.objects.create(
            slug="kr-scale-bench-demo",
            name="KNPA cyber investigators (scale bench, demo)",
            country="KR",
            is_demo=True,
            cycle_months=12,
            anchor=RequirementSet.Anchor.FIXED,
            anchor_date=date(2026, 1, 1),
            minimum_hours={"tracing": "4", "legal": "1", "total": "8"},
            required=["crypto-investigation"],
            certificate_current=True,
            source_path="bench/seed_scale.py",
            content_hash="0" * 64,
        )
    # The small agency follows the same set, so both dashboards run the same queries.
    for agency in (big, small):
        AgencyRequirement.objects.create(
            agency=agency, requirement_set=requirement, chosen_by=None, chosen_at=anchor
        )


def big_agency_counts() -> dict[str, int]:
    """What the 20,000-officer agency holds, for the findings."""
    from django.db import connection

    queries = {
        "officers": "SELECT count(*) FROM accounts_membership WHERE agency_id = %(a)s"
        " AND role = 'officer'",
        "enrollments": "SELECT count(*) FROM courses_enrollment e JOIN accounts_membership m"
        " ON m.user_id = e.user_id WHERE m.agency_id = %(a)s",
        "lesson progress": "SELECT count(*) FROM courses_lessonprogress p JOIN courses_enrollment"
        " e ON e.id = p.enrollment_id JOIN accounts_membership m ON m.user_id = e.user_id"
        " WHERE m.agency_id = %(a)s",
        "module progress": "SELECT count(*) FROM courses_moduleprogress p JOIN"
        " courses_enrollment e ON e.id = p.enrollment_id JOIN accounts_membership m"
        " ON m.user_id = e.user_id WHERE m.agency_id = %(a)s",
        "quiz attempts": "SELECT count(*) FROM assessments_attempt t JOIN accounts_membership m"
        " ON m.user_id = t.user_id WHERE m.agency_id = %(a)s",
        "certificates": "SELECT count(*) FROM certificates_certificate c JOIN accounts_membership"
        " m ON m.user_id = c.user_id WHERE m.agency_id = %(a)s",
        "certificates expiring within 90 days": "SELECT count(*) FROM certificates_certificate c"
        " JOIN accounts_membership m ON m.user_id = c.user_id WHERE m.agency_id = %(a)s AND"
        " c.status = 'issued' AND c.valid_until > now()"
        " AND c.valid_until <= now() + interval '90 days'",
        "certificates expired": "SELECT count(*) FROM certificates_certificate c JOIN"
        " accounts_membership m ON m.user_id = c.user_id WHERE m.agency_id = %(a)s AND"
        " c.status = 'issued' AND c.valid_until <= now()",
        "certificates revoked": "SELECT count(*) FROM certificates_certificate c JOIN"
        " accounts_membership m ON m.user_id = c.user_id WHERE m.agency_id = %(a)s AND"
        " c.status = 'revoked'",
        "cohorts": "SELECT count(*) FROM cohorts_cohort WHERE host_agency_id = %(a)s",
        "seats": "SELECT count(*) FROM cohorts_seat WHERE agency_id = %(a)s",
        "attendance marks": "SELECT count(*) FROM cohorts_attendance t JOIN cohorts_seat s"
        " ON s.id = t.seat_id WHERE s.agency_id = %(a)s",
    }
    counts = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_agency WHERE name = %s", [BIG_AGENCY])
        agency_id = cursor.fetchone()[0]
        for label, sql in queries.items():
            cursor.execute(sql, {"a": agency_id})
            counts[f"{BIG_AGENCY}: {label}"] = cursor.fetchone()[0]
    return counts


def bench_content(root: Path) -> Path:
    """content/ with its course copied as a second course (ADVANCED), in `root`."""
    import shutil

    from django.conf import settings

    content = root / "content"
    shutil.copytree(settings.CONTENT_DIR, content)
    source = content / "courses" / "crypto-investigation"
    copy = content / "courses" / ADVANCED
    shutil.copytree(source, copy)
    course_md = copy / "course.md"
    text = course_md.read_text()
    text = text.replace("slug: crypto-investigation\n", f"slug: {ADVANCED}\n", 1)
    text = text.replace("title: ", "title: Advanced (scale bench) - ", 1)
    text = text.replace("order: 1\n", "order: 2\n", 1)
    course_md.write_text(text)
    return content


def seed(params: dict) -> dict:
    """Rebuild the database and seed it; returns the marker."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from courses.pipeline.sync import content_sync

    started = time.perf_counter()
    connection.close()
    recreate()
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as temporary:
        content_sync(root=bench_content(Path(temporary)))
    anchor = datetime.combine(datetime.now(UTC).date(), clock(0), tzinfo=UTC)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            copier = Copier(cursor)
            seeder = Seeder(params, anchor, copier)
            seeder.build()
            built = time.perf_counter()
            seeder.write()
        seed_people(anchor)
    counts = dict(copier.counts)
    written = time.perf_counter()
    print(
        f"seed: rows built in {built - started:.0f} s, written in {written - built:.0f} s",
        file=sys.stderr,
    )
    # The officer compliance summary the dashboards read, as the daily task leaves it.
    from reports.services.compliance_states import compliance_states_refresh_all

    counts["compliance_states"] = compliance_states_refresh_all()
    print(
        f"seed: {counts['compliance_states']} compliance states in "
        f"{time.perf_counter() - written:.0f} s",
        file=sys.stderr,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    counts.update(big_agency_counts())
    write_marker(params, anchor, seconds, counts)
    return read_marker()


def ensure(params: dict | None = None, *, fresh: bool = False) -> dict:
    """The seeded database's marker, seeding first when it is missing or stale. Sets Django
    up on the bench database."""
    import django

    params = {**DEFAULTS, **(params or {})}
    django.setup()
    if not fresh and database_exists():
        marker = read_marker()
        if (
            marker is not None
            and marker["params"] == params
            and marker["migrations"] == migration_state()
        ):
            return marker
    return seed(params)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild even when seeded")
    sizes = [key for key in DEFAULTS if key != "layout"]  # the layout is the code's, not an option
    for key in sizes:
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=DEFAULTS[key])
    args = parser.parse_args()
    params = {key: getattr(args, key) for key in sizes}
    started = time.perf_counter()
    marker = ensure(params, fresh=args.fresh)
    took = time.perf_counter() - started
    print(
        f"seeded {marker['anchor']:%Y-%m-%d} (anchor) in {marker['seconds']:.0f} s; this run {took:.0f} s"
    )
    for label, count in marker["counts"].items():
        print(f"  {label}: {count:,}")


if __name__ == "__main__":
    main()
