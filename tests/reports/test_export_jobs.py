"""Exports over EXPORT_ASYNC_ROWS rows: offered as a background job, requested by POST through
the outbox, built (by the outbox in this process, and by a real Celery worker) with progress
the page can see, downloadable by their owner only, gone (410) after EXPORT_LINK_HOURS, and
their files deleted by the daily expiry."""

import csv
import io
import zoneinfo
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook

from accounts.models import AuditEvent, Membership
from core.models import OutboxMessage
from reports.exports.registry import ExportTable, export_table_register
from reports.models import ExportJob
from reports.services.export_jobs import export_job_build, export_job_create, export_jobs_expire
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    reauthenticated_now,
    staff_user,
)
from tests.polling import wait_for

Status = ExportJob.Status
BUILD_TASK = "reports.tasks.export_build_task"
LIST_QUERIES = 3
JOB_PAGE_QUERIES = 3  # user, the viewer's memberships (for the check and the nav), the job


def export_url(fmt: str, agency) -> str:
    url = reverse("reports:export", kwargs={"table": "roster", "fmt": fmt})
    return f"{url}?agency={agency.pk}&role=officer"


def job_urls(job) -> list[str]:
    return [
        reverse("reports:export_job", args=[job.pk]),
        reverse("reports:export_job_status", args=[job.pk]),
        reverse("reports:export_job_download", args=[job.pk]),
    ]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def agency():
    return AgencyFactory(name="Royal Thai Police", country="TH", time_zone="Asia/Bangkok")


@pytest.fixture
def admin(agency):
    return admin_of(agency, time_zone="Asia/Bangkok")


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    reauthenticated_now(client, admin)
    return client


@pytest.fixture
def five_officers(agency):
    names = ["สมชาย ใจดี", "=1+1", "Nattapong Srisuk", "Park Ji-woo", "@SUM(A1)"]
    return [MembershipFactory(agency=agency, user=UserFactory(full_name=n)).user for n in names]


@pytest.fixture
def over_limit(settings):
    settings.EXPORT_ASYNC_ROWS = 2
    return settings


def ask_for_job(client, agency, fmt: str = "xlsx") -> ExportJob:
    response = client.post(export_url(fmt, agency))
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == reverse("reports:export_job", args=[job.pk])
    return job


# Asking for a job (no worker needed)


@pytest.mark.django_db
def test_over_the_limit_the_page_offers_a_background_job(
    signed_in, agency, five_officers, over_limit
):
    response = signed_in.get(export_url("csv", agency))
    assert response.status_code == 200
    assert "This export has 5 rows, more than 2" in response.text
    assert 'method="post"' in response.text
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="report.export").exists()


@pytest.mark.django_db
def test_post_creates_the_job_through_the_outbox_with_an_audit_row(
    signed_in, agency, admin, five_officers, over_limit
):
    job = ask_for_job(signed_in, agency, "csv")
    assert (job.user, job.agency, job.table, job.format) == (admin, agency, "roster", "csv")
    assert job.params == {"agency": str(agency.pk), "role": "officer"}
    assert (job.status, job.rows_total, job.rows_done) == (Status.PENDING, 5, 0)
    assert job.time_zone == "Asia/Bangkok" and job.language == "en"
    message = OutboxMessage.objects.get(kind=BUILD_TASK)
    assert message.payload == {"job_id": job.pk}
    event = AuditEvent.objects.get(action="report.export_requested")
    assert (event.actor, event.agency, event.target_id) == (admin, agency, str(job.pk))
    assert event.details == {
        "table": "roster",
        "format": "csv",
        "params": {"agency": str(agency.pk), "role": "officer"},
        "rows": 5,
    }


@pytest.mark.django_db
def test_asking_for_a_personal_job_needs_the_password_again(
    client, agency, admin, five_officers, over_limit
):
    client.force_login(admin)
    response = client.post(export_url("csv", agency))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_job_page_shows_progress_and_works_without_javascript(signed_in, agency, over_limit):
    MembershipFactory.create_batch(3, agency=agency)
    job = ask_for_job(signed_in, agency)
    page = signed_in.get(reverse("reports:export_job", args=[job.pk]))
    assert page.status_code == 200
    assert '<progress id="export-bar" data-progress="bar" max="3" value="0">' in page.text
    assert 'aria-live="polite"' in page.text
    assert "Waiting: 0 of 3 rows written." in page.text
    assert f'href="{reverse("reports:export_job", args=[job.pk])}" id="export-refresh"' in page.text
    assert "reports/job-progress.js" in page.text and " defer" in page.text
    assert reverse("reports:export_jobs") in page.text
    status = signed_in.get(reverse("reports:export_job_status", args=[job.pk])).json()
    assert (status["status"], status["rows_done"], status["rows_total"]) == ("pending", 0, 3)
    assert status["download_url"] == "" and not status["ready"]


@pytest.mark.django_db
def test_only_the_owner_sees_a_job_even_staff_get_404(client, signed_in, agency, over_limit):
    MembershipFactory.create_batch(3, agency=agency)
    job = ask_for_job(signed_in, agency)
    for other in (admin_of(agency), staff_user()):
        client.force_login(other)
        reauthenticated_now(client, other)
        for url in job_urls(job):
            assert client.get(url).status_code == 404, url
            assert client.post(url).status_code == 404, url


# Building in this process (what the worker runs)


@pytest.mark.django_db
def test_outbox_builds_the_file_the_owner_downloads_it_until_it_expires(
    signed_in, agency, admin, five_officers, over_limit, deliver_outbox
):
    asked_at = timezone.now()
    job = ask_for_job(signed_in, agency, "csv")
    assert deliver_outbox() == [BUILD_TASK]

    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (Status.READY, 5, 5)
    assert job.file.name.startswith("exports/") and job.file.name.endswith(".csv")
    # Unguessable: 24 random bytes, nothing of the table, the agency or the job.
    assert "roster" not in job.file.name and len(job.file.name) >= len("exports/.csv") + 32
    assert job.expires_at - asked_at >= timedelta(hours=24)
    assert job.expires_at - asked_at < timedelta(hours=24, minutes=1)
    status = signed_in.get(reverse("reports:export_job_status", args=[job.pk])).json()
    assert status["ready"] and status["download_url"] == job_urls(job)[2]

    page = signed_in.get(reverse("reports:export_job", args=[job.pk]))
    local_expiry = timezone.localtime(job.expires_at, timezone=zoneinfo.ZoneInfo("Asia/Bangkok"))
    assert date_format(local_expiry, "DATETIME_FORMAT") in page.text

    response = signed_in.get(job_urls(job)[2])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="roster-')
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert len(rows) == 6 and "'=1+1" in [row[0] for row in rows]
    event = AuditEvent.objects.get(action="report.export_download")
    assert (event.actor, event.agency, event.details["rows"]) == (admin, agency, 5)

    with time_machine.travel(job.expires_at + timedelta(seconds=1)):
        signed_in.force_login(admin)  # the session itself has expired by then
        gone = signed_in.get(job_urls(job)[2])
        assert gone.status_code == 410
        assert "This download has expired" in gone.text
        assert not signed_in.get(job_urls(job)[1]).json()["ready"]
    assert AuditEvent.objects.filter(action="report.export_download").count() == 1


@pytest.mark.django_db
def test_downloading_a_personal_job_needs_the_password_again(
    client, agency, admin, over_limit, deliver_outbox
):
    MembershipFactory.create_batch(3, agency=agency)
    client.force_login(admin)
    reauthenticated_now(client, admin)
    job = ask_for_job(client, agency)
    deliver_outbox()
    client.logout()
    client.force_login(admin)  # a new sign-in, not a re-authentication
    response = client.get(job_urls(job)[2])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEvent.objects.filter(action="report.export_download").exists()


@pytest.mark.django_db
def test_build_fails_clearly_when_the_owner_has_lost_access(
    signed_in, agency, admin, over_limit, deliver_outbox
):
    MembershipFactory.create_batch(3, agency=agency)
    job = ask_for_job(signed_in, agency)
    Membership.objects.filter(user=admin).update(status=Membership.Status.LEFT)
    assert deliver_outbox() == [BUILD_TASK]

    job.refresh_from_db()
    assert job.status == Status.FAILED and not job.file
    assert "may no longer export this table" in job.error
    assert OutboxMessage.objects.get(kind=BUILD_TASK).status == OutboxMessage.Status.DONE
    assert AuditEvent.objects.filter(action="report.export_failed", target_id=str(job.pk)).exists()


@pytest.mark.django_db
def test_a_ready_job_is_left_alone_and_a_cut_short_one_starts_again(agency, admin, over_limit):
    MembershipFactory.create_batch(3, agency=agency)
    job = export_job_create(
        user=admin, table="roster", fmt="xlsx", params={"agency": agency.pk}, agency=agency,
        rows_total=4,
    )  # fmt: skip
    # A worker lost mid-way: running, some rows counted, no file.
    ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, rows_done=2)
    built = export_job_build(job_id=job.pk)
    assert (built.status, built.rows_done) == (Status.READY, 4)
    sheet = load_workbook(default_storage.open(built.file.name)).active
    assert sheet.max_row == 5  # the header and four members, from the first row again

    again = export_job_build(job_id=job.pk)
    assert again.file.name == built.file.name and again.finished_at == built.finished_at
    assert AuditEvent.objects.filter(action="report.export_built").count() == 1


@pytest.mark.django_db
def test_expired_files_are_deleted_and_audited(
    signed_in, agency, over_limit, deliver_outbox, django_capture_on_commit_callbacks
):
    MembershipFactory.create_batch(3, agency=agency)
    job = ask_for_job(signed_in, agency)
    deliver_outbox()
    job.refresh_from_db()
    name = job.file.name
    assert default_storage.exists(name)

    assert export_jobs_expire(now=job.expires_at - timedelta(minutes=1)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_expire(now=job.expires_at) == [job.pk]
    job.refresh_from_db()
    assert not job.file and not default_storage.exists(name)
    assert AuditEvent.objects.filter(action="report.export_expire", target_id=str(job.pk)).exists()
    assert export_jobs_expire(now=job.expires_at) == []  # nothing left to do
    listing = signed_in.get(reverse("reports:export_jobs"))
    assert "Expired" in listing.text


@pytest.mark.django_db
def test_the_list_shows_only_the_users_own_jobs(client, signed_in, agency, admin, over_limit):
    MembershipFactory.create_batch(3, agency=agency)
    mine = ask_for_job(signed_in, agency)
    other = admin_of(agency)
    theirs = ExportJob.objects.create(user=other, agency=agency, table="roster", format="csv")
    listing = signed_in.get(reverse("reports:export_jobs"))
    assert reverse("reports:export_job", args=[mine.pk]) in listing.text
    assert reverse("reports:export_job", args=[theirs.pk]) not in listing.text


# Progress seen from outside the outbox's transaction

PROGRESS_ROWS = 1200
seen_progress: list[tuple[int, str]] = []


def _latest_job_from_another_connection() -> tuple[int, str]:
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT rows_done, status FROM reports_exportjob ORDER BY id DESC LIMIT 1"
            )
            return cursor.fetchone()
    finally:
        other.close()


def _progress_rows(user, params):
    for number in range(PROGRESS_ROWS):
        if number in (501, 1001):  # just after a progress write
            seen_progress.append(_latest_job_from_another_connection())
        yield [number]


def _signed_in_only(user, params):
    if not user.is_authenticated:
        raise Http404


export_table_register(
    ExportTable(
        name="test_progress",
        title=lambda params: "Progress",
        personal=False,
        scope=_signed_in_only,
        columns=lambda params: ["n"],
        count=lambda user, params: PROGRESS_ROWS,
        rows=_progress_rows,
    )
)


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_the_page_while_the_outbox_holds_its_transaction(
    deliver_outbox,
):
    user = UserFactory()
    # The rows alone, not published: a worker running for other tests must not take it.
    job = ExportJob.objects.create(
        user=user, table="test_progress", format="csv", rows_total=PROGRESS_ROWS
    )
    OutboxMessage.objects.create(
        kind=BUILD_TASK, payload={"job_id": job.pk}, next_attempt_at=timezone.now()
    )
    seen_progress.clear()
    assert deliver_outbox() == [BUILD_TASK]
    assert seen_progress == [(500, "running"), (1000, "running")]
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (Status.READY, PROGRESS_ROWS)


# A real worker


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_worker_builds_the_job_for_its_owner_only_until_the_link_expires(
    client, celery_worker, agency, admin, five_officers, over_limit
):
    client.force_login(admin)
    reauthenticated_now(client, admin)
    job = ask_for_job(client, agency, "xlsx")
    status_url = reverse("reports:export_job_status", args=[job.pk])
    first = client.get(status_url).json()
    assert first["rows_total"] == 5 and first["status"] in {"pending", "running", "ready"}

    final = wait_for(
        lambda: (data := client.get(status_url).json())["ready"] and data,
        message="the worker did not build the export",
    )
    assert (final["status"], final["rows_done"], final["rows_total"]) == ("ready", 5, 5)
    assert final["rows_done"] > first["rows_done"] or first["status"] == "ready"

    response = client.get(final["download_url"])
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body(response))).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert {"สมชาย ใจดี", "'=1+1", "'@SUM(A1)"} <= set(names)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert AuditEvent.objects.filter(action="report.export_download", actor=admin).count() == 1

    stranger = admin_of(AgencyFactory(name="Moldova Police", country="MD"))
    client.force_login(stranger)
    reauthenticated_now(client, stranger)
    assert [client.get(url).status_code for url in job_urls(job)] == [404, 404, 404]

    job.refresh_from_db()
    with time_machine.travel(job.expires_at + timedelta(minutes=1)):
        client.force_login(admin)  # the session itself has expired by then
        assert client.get(final["download_url"]).status_code == 410


def _broken_rows(user, params):
    yield [1]
    raise RuntimeError("the database went away")


export_table_register(
    ExportTable(
        name="test_broken",
        title=lambda params: "Broken",
        personal=False,
        scope=_signed_in_only,
        columns=lambda params: ["n"],
        count=lambda user, params: 10,
        rows=_broken_rows,
    )
)


@pytest.mark.django_db
def test_a_build_the_outbox_gives_up_on_shows_failed(client, settings, deliver_outbox):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    user = UserFactory()
    job = export_job_create(
        user=user, table="test_broken", fmt="xlsx", params={}, agency=None, rows_total=10
    )
    deliver_outbox()
    job.refresh_from_db()
    assert job.status == Status.FAILED and "ask for the export again" in job.error
    assert OutboxMessage.objects.get(kind=BUILD_TASK).status == OutboxMessage.Status.FAILED
    client.force_login(user)
    status = client.get(reverse("reports:export_job_status", args=[job.pk])).json()
    assert status["finished"] and not status["ready"] and status["status"] == "failed"


@pytest.mark.django_db
def test_the_list_of_exports_costs_the_same_queries_for_2_and_20_jobs(
    client, django_assert_num_queries
):
    user = UserFactory()
    client.force_login(user)
    for size in (2, 20):
        while ExportJob.objects.filter(user=user).count() < size:
            ExportJob.objects.create(user=user, table="roster", params={"agency": 1}, format="csv")
        # Session, user, the viewer's memberships, the jobs, the session save; not one a job.
        with django_assert_num_queries(LIST_QUERIES):
            assert client.get(reverse("reports:export_jobs")).status_code == 200


def test_expired_files_are_deleted_by_a_daily_beat_task(settings):
    from reports.tasks import export_files_expire_task

    entry = settings.CELERY_BEAT_SCHEDULE["export-files-expire"]
    assert entry["task"] == export_files_expire_task.name
    assert entry["schedule"] == 86400


@pytest.mark.django_db
def test_the_job_page_and_its_json_cost_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    user = UserFactory()
    job = ExportJob.objects.create(
        user=user, table="roster", params={"agency": 1}, format="csv", rows_total=9000
    )
    client.force_login(user)
    page, status = job_urls(job)[:2]
    client.get(page)
    with django_assert_num_queries(JOB_PAGE_QUERIES):
        assert client.get(page).status_code == 200
    with django_assert_num_queries(JOB_PAGE_QUERIES):  # the navigation's roles cost nothing
        assert client.get(status).status_code == 200
