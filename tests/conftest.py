"""Shared fixtures: a clean Redis and cache per run, a real Celery worker, headless Chromium."""

import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from config.celery import app as celery_app
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, build_course

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config):
    if not settings.REDIS_URL or not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise pytest.UsageError(
            "The suite runs against real PostgreSQL and Redis: use `make test` "
            "(or set DATABASE_URL=postgres://... and REDIS_URL=redis://...)."
        )


@pytest.fixture(scope="session", autouse=True)
def _clean_redis():
    """Start from an empty test Redis database: no stale tasks, no rate-limit counters."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_truncate_trigger():
    """The audit table refuses TRUNCATE and DELETE (triggers), and emptying the test database
    after a transactional test is one TRUNCATE of every table. That flush, and only it, runs
    with user triggers off for its own transaction (session_replication_role = replica: the
    tests connect as the PostgreSQL superuser).

    And it deletes the rows instead of truncating the tables: TRUNCATE gives each of the ~70
    tables new files, which PostgreSQL must create and sync, 1-2.5 s a flush on this box
    (after every worker and browser test); DELETE empties them in about 15 ms. With triggers
    off (foreign keys included) the order does not matter. A flush that also resets the
    sequences (not the one between tests) still truncates."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables:
            return []
        if reset_sequences:
            statements = original(
                self, style, tables, reset_sequences=True, allow_cascade=allow_cascade
            )
        else:
            statements = [f"DELETE FROM {self.quote_name(table)}" for table in tables]  # noqa: S608
        return ["SET LOCAL session_replication_role = replica", *statements]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(scope="session", autouse=True)
def _signing_dev_keys():
    """Certificate PDFs are signed: a fresh clone has no var/signing/ yet, so create the
    development keys once (a lock file keeps parallel test processes from racing)."""
    from django.core.management import call_command
    from django.test import override_settings

    # The suite runs with DEBUG on (make test), but pytest-django turns it off for tests.
    with override_settings(DEBUG=True):
        call_command("signing_dev_keys", stdout=io.StringIO())


@pytest.fixture(scope="session", autouse=True)
def _open_badges_dev_key():
    """A fresh clone has no development signing key yet (make run creates it); the suite and
    the workers it starts sign with the one at settings.OB_SIGNING_KEY."""
    from certificates.badges.keys import signing_key_create

    if settings.OB_SIGNING_KEY:
        signing_key_create(settings.OB_SIGNING_KEY)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """A page served in Korean leaves Korean active in the thread; the next test starts in
    the default language whatever ran before it."""
    yield
    translation.deactivate()


# The worker processes started in this session, by name.
_workers: dict[str, subprocess.Popen] = {}


@pytest.fixture(autouse=True)
def _worker_idle_before_flush(request):
    """A test that commits (transaction=True, live_server) may queue tasks that a running
    worker picks up. Before the database is emptied for the next test, wait until the worker
    has finished them: a task holding a lock while the tables are truncated deadlocks the
    flush."""
    yield
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames)
    running = sorted(name for name, process in _workers.items() if process.poll() is None)
    if not transactional or not running:
        return
    # Redis holds what is queued ("celery") and, with acks_late, what a worker has taken and
    # not finished ("unacked"): both empty means the workers are idle. A worker killed on
    # purpose leaves its task unacked, hence the cap.
    broker = redis.Redis.from_url(settings.REDIS_URL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (broker.llen("celery") or broker.hlen("unacked")):
        time.sleep(0.05)
    # A task taken just before may still be inside its transaction on a busy machine: wait
    # until no other connection to the test database is in the middle of one (a killed
    # worker holds no connection, so this never waits for it).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _other_transactions_open():
        time.sleep(0.05)


def _other_transactions_open() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
            "AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = str(_session_media(tmp_path_factory))


def _session_media(tmp_path_factory) -> Path:
    return tmp_path_factory.getbasetemp() / "media"


@pytest.fixture
def agency():
    return AgencyFactory(name="Korean National Police Agency", email_domains=["knpa.example"])


@pytest.fixture
def officer(agency):
    return MembershipFactory(agency=agency, user=UserFactory(email="kim@knpa.example")).user


@pytest.fixture
def course():
    return build_course()


@pytest.fixture(scope="session")
def curriculum_snapshot(django_db_setup, django_db_blocker):
    """What content_sync writes for the real curriculum, taken once per test process
    (tests/curriculum.py)."""
    from tests.curriculum import curriculum_snapshot_take

    with django_db_blocker.unblock():
        return curriculum_snapshot_take()


@pytest.fixture
def curriculum(db, curriculum_snapshot):
    """The real curriculum in this test's database, as content_sync leaves it (its course:
    `crypto-investigation`). Request it before fixtures that add courses or lessons."""
    from courses.models import Course
    from tests.curriculum import curriculum_load

    curriculum_load(curriculum_snapshot)
    return Course.objects.get(slug="crypto-investigation")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def start_worker(
    tmp_path_factory, *, pool: str = "solo", extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, str, Path]:
    """Start a real Celery worker process on Redis with the test database and media folder,
    and wait until it answers a ping. `extra_env` adds settings for the worker (say
    EMAIL_DELIVERY=file and EMAIL_FILE_PATH, to read the messages it sends)."""
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    media = _session_media(tmp_path_factory)
    media.mkdir(parents=True, exist_ok=True)
    log_path = tmp_path_factory.getbasetemp() / f"celery-{name.split('@')[0]}.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media),
        "SITE_URL": settings.SITE_URL,
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}"]
    command += ["--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "-n", name],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{log_path.read_text()}")
        if celery_app.control.ping(destination=[name], timeout=0.5):
            _workers[name] = process
            return process, name, log_path
    process.kill()
    raise RuntimeError(f"Celery worker did not answer:\n{log_path.read_text()}")


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Celery worker process on Redis, shared by the tests that need one. It writes the
    email it sends as files in `mail` (Django's file backend), as in development. One worker
    for the session: a second one on the same queue would take some of the tasks."""
    mail = tmp_path_factory.mktemp("worker-mail")
    process, name, log_path = start_worker(
        tmp_path_factory, extra_env={"EMAIL_DELIVERY": "file", "EMAIL_FILE_PATH": str(mail)}
    )
    yield {"name": name, "process": process, "log": log_path, "mail": mail}
    stop_worker(process)


@pytest.fixture
def worker_factory(django_db_setup, tmp_path_factory):
    """Start workers of one's own (to kill them, say); all are stopped after the test. The
    session's shared worker, if running, stops taking tasks meanwhile, so the test's workers
    are the only ones at work."""
    shared = [name for name, process in _workers.items() if process.poll() is None]
    if shared:
        celery_app.control.cancel_consumer("celery", destination=shared, reply=True)
    started = []

    def start():
        process, _name, _log = start_worker(tmp_path_factory)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            stop_worker(process)
    if shared:
        celery_app.control.add_consumer("celery", destination=shared, reply=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def deliver_outbox():
    """What the worker does with the outbox, in this process: run every pending row's task
    (after the test's commit callbacks have written them). Returns the kinds delivered."""
    from core.models import OutboxMessage
    from core.outbox import outbox_deliver

    def deliver() -> list[str]:
        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        kinds = []
        for message in pending.order_by("pk"):
            outbox_deliver(message_id=message.pk)
            kinds.append(message.kind)
        return kinds

    return deliver
