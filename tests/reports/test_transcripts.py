"""The officer's training record: what the selector reads (with the audit event behind each
line), who may see it over HTTP, the CSV and PDF downloads (re-authentication for anyone but
the officer, an audit row for every download), and a query count that does not grow with the
record."""

import csv
import io
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import AuditEvent, Membership
from assessments.models import Attempt, Question
from assessments.services import attempt_start, attempt_submit
from certificates.models import Certificate
from cohorts.models import Attendance
from cohorts.services.attendance import attendance_mark
from core.models import OutboxMessage
from courses.models import Enrollment, LessonProgress, TrainingCategory
from courses.selectors import enrollment_content_version
from courses.services import enrollment_create, lesson_complete
from reports.exports.registry import export_table
from reports.models import Transcript
from reports.selectors.transcripts import training_record, transcript_columns, transcript_rows
from reports.services.transcripts import transcript_render, transcript_request
from tests.factories import (
    AgencyFactory,
    AttemptFactory,
    MembershipFactory,
    ModuleFactory,
    QuestionFactory,
    QuizFactory,
    UserFactory,
    admin_of,
    build_cohort,
    build_course,
    coordinator_of,
    correct_answers,
    reauthenticated_now,
    seated,
    staff_user,
    take_part,
)

pytestmark = pytest.mark.django_db


def event_id(action: str, target) -> int:
    return (
        AuditEvent.objects.filter(
            action=action, target_type=target._meta.label_lower, target_id=str(target.pk)
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def complete_course(officer, *, category: str = TrainingCategory.TRACING, modules: int = 1):
    """Enroll, read every lesson, pass every quiz, through the services (so every line has
    its audit row); the course completes and its certificate is written."""
    course = build_course(modules=modules, lessons_per_module=2, questions=2)
    course.modules.update(category=category)
    enrollment = enrollment_create(user=officer, course=course)
    for module in course.modules.order_by("order"):
        for lesson in module.lessons.order_by("order"):
            lesson_complete(enrollment=enrollment, lesson=lesson)
        quiz = module.quiz
        attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
        attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=correct_answers(quiz))
    enrollment.refresh_from_db()
    return enrollment


@pytest.fixture
def agency():
    return AgencyFactory(name="Seoul Metropolitan Police", country="KR", time_zone="Asia/Seoul")


@pytest.fixture
def officer(agency):
    return MembershipFactory(agency=agency, user=UserFactory(full_name="김민준")).user


@pytest.fixture
def record_parts(officer):
    """A known record: a completed course (lessons, quiz, certificate), a failed then passed
    quiz attempt, a lab result, and an attended cohort session."""
    enrollment = complete_course(officer)
    # A second quiz attempt that failed, before the pass: attempts 2, best 100.
    quiz = enrollment.course.modules.first().quiz
    failed = AttemptFactory(
        quiz=quiz,
        user=officer,
        status=Attempt.Status.GRADED,
        score=Decimal("40.00"),
        passed=False,
        submitted_at=timezone.now() - timedelta(days=1),
        started_at=timezone.now() - timedelta(days=1),
    )
    audit_log(action="attempt.grade", actor=officer, target=failed)
    # A lab question in a graded attempt of another quiz.
    lab_quiz = QuizFactory(module=ModuleFactory(course=enrollment.course, title="Tracing lab"))
    QuestionFactory(quiz=lab_quiz, key="lab1", kind=Question.Kind.LAB, choices=[])
    lab_attempt = AttemptFactory(
        quiz=lab_quiz,
        user=officer,
        status=Attempt.Status.GRADED,
        question_keys=["lab1"],
        question_scores={"lab1": 0.75},
        score=Decimal("75.00"),
        passed=True,
        submitted_at=timezone.now(),
    )
    lab_attempt.lab_traces.create(question_key="lab1", steps=[{"address": "a"}, {"address": "b"}])
    audit_log(action="attempt.grade", actor=officer, target=lab_attempt)
    # An in-person cohort, first day attended, second not yet marked.
    cohort = build_cohort(days=2, category=TrainingCategory.LEGAL, start=(9, 0), end=(12, 30))
    take_part(cohort, officer.memberships.get().agency)
    seat = seated(cohort, agency=officer.memberships.get().agency, user=officer)
    session = cohort.sessions.order_by("starts_at").first()
    attendance, _ = attendance_mark(
        session=session, seat=seat, status=Attendance.Status.PRESENT, actor=cohort.trainers.first()
    )
    certificate = Certificate.objects.get(enrollment=enrollment)
    return {
        "enrollment": enrollment,
        "quiz": quiz,
        "failed": failed,
        "lab_attempt": lab_attempt,
        "cohort": cohort,
        "session": session,
        "attendance": attendance,
        "certificate": certificate,
    }


def test_training_record_lists_each_completion_with_its_version_and_audit_event(
    officer, record_parts
):
    enrollment = record_parts["enrollment"]
    record = training_record(officer=officer)

    [course] = [line for line in record.courses if line.enrollment_id == enrollment.pk]
    assert course.completed_at == enrollment.completed_at
    assert course.content_version == enrollment_content_version(enrollment=enrollment)
    assert course.audit_id == event_id("course.complete", enrollment)

    progress = LessonProgress.objects.filter(enrollment=enrollment).order_by("completed_at", "pk")
    assert [line.progress_id for line in record.lessons] == [p.pk for p in progress]
    for line, row in zip(record.lessons, progress, strict=True):
        assert line.version == row.version.number
        assert row.version.content_hash.startswith(line.content_hash)
        assert line.audit_id == event_id("lesson.complete", row)

    module = next(line for line in record.modules if line.lessons_total == 2)
    assert module.completed_at == progress.last().completed_at
    assert module.audit_id == event_id("lesson.complete", progress.last())


def test_training_record_counts_quiz_attempts_and_shows_lab_results(officer, record_parts):
    record = training_record(officer=officer)
    quiz = record_parts["quiz"]
    passing = Attempt.objects.get(quiz=quiz, passed=True)

    [line] = [q for q in record.quizzes if q.quiz == quiz.title]
    assert line.attempts == 2
    assert line.best_score == Decimal("100.00")
    assert line.passed_at == passing.submitted_at
    assert line.last_attempt_at == passing.submitted_at
    assert line.audit_id == event_id("attempt.grade", passing)

    [lab] = record.labs
    lab_attempt = record_parts["lab_attempt"]
    assert (lab.attempt_id, lab.question, lab.score, lab.steps) == (
        lab_attempt.pk,
        "lab1",
        Decimal("75.0"),
        2,
    )
    assert lab.audit_id == event_id("attempt.grade", lab_attempt)


def test_training_record_shows_sessions_in_venue_time_with_attendance_and_hours(
    officer, record_parts
):
    record = training_record(officer=officer)
    first, second = record.sessions

    assert (first.start_time, first.end_time, first.time_zone) == (
        time(9),
        time(12, 30),
        "Asia/Bangkok",
    )
    assert first.status == Attendance.Status.PRESENT
    assert first.hours == Decimal("3.5")
    assert first.audit_id == event_id("cohort.attendance_mark", record_parts["attendance"])
    assert (second.status, second.hours, second.audit_id) == ("", Decimal(0), None)


def test_training_record_shows_certificates_with_current_status_and_hours_by_category(
    officer, record_parts
):
    certificate = record_parts["certificate"]
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.ISSUED,
        pdf="certificates/x.pdf",
        issued_at=timezone.now() - timedelta(days=400),
        valid_until=timezone.now() - timedelta(days=1),
    )
    record = training_record(officer=officer)

    [line] = record.certificates
    assert (line.serial, line.status) == (certificate.serial, "expired")
    assert line.audit_id == event_id("certificate.create", certificate)
    hours = {line.category: line.hours for line in record.hours}
    # Two 15-minute lessons in tracing; 3.5 hours attended in a legal cohort.
    assert hours == {
        TrainingCategory.TRACING: Decimal("0.5"),
        TrainingCategory.LEGAL: Decimal("3.5"),
    }


def test_transcript_rows_carry_every_line_and_its_audit_event(officer, record_parts):
    record = training_record(officer=officer)
    rows = transcript_rows(record)

    assert len(transcript_columns()) == 8
    assert all(len(row) == 8 for row in rows)
    expected = (
        len(record.courses)
        + len(record.modules)
        + len(record.lessons)
        + len(record.quizzes)
        + len(record.labs)
        + len(record.sessions)
        + len(record.certificates)
        + len(record.hours)
    )
    assert len(rows) == expected
    lesson_ids = {line.audit_id for line in record.lessons}
    assert lesson_ids <= {row[7] for row in rows}


# Access over HTTP.


def page(user_id: int) -> str:
    return reverse("reports:transcript", kwargs={"user_id": user_id})


def test_an_officer_sees_their_own_record_at_my_training_record(client, officer, record_parts):
    client.force_login(officer)

    response = client.get(reverse("reports:my_transcript"))

    assert response.status_code == 200
    assert "My training record" in response.text
    assert record_parts["certificate"].serial in response.text
    assert client.get(page(officer.pk)).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("self", 200),
        ("other_officer", 404),
        ("own_admin", 200),
        ("other_admin", 404),
        ("coordinator", 404),
        ("staff", 200),
        ("anonymous", 302),
    ],
)
def test_who_may_see_an_officers_record(client, officer, agency, who, status):
    viewers = {
        "self": lambda: officer,
        "other_officer": lambda: MembershipFactory(agency=agency).user,
        "own_admin": lambda: admin_of(agency),
        "other_admin": lambda: admin_of(AgencyFactory(country="KR")),
        "coordinator": lambda: coordinator_of("KR"),
        "staff": lambda: staff_user(),
        "anonymous": lambda: None,
    }
    viewer = viewers[who]()
    if viewer is not None:
        client.force_login(viewer)

    for url in (page(officer.pk),):
        assert client.get(url).status_code == status
    # A missing officer answers the same as a forbidden one.
    if who in {"own_admin", "staff"}:
        assert client.get(page(officer.pk + 10_000)).status_code == 404


def test_an_admin_of_an_agency_the_officer_left_still_sees_the_record(client, agency):
    officer = MembershipFactory(agency=agency, status=Membership.Status.LEFT).user
    client.force_login(admin_of(agency))

    assert client.get(page(officer.pk)).status_code == 200


def test_an_admin_does_not_see_an_officer_who_only_applied_to_their_agency(client, agency):
    officer = MembershipFactory(agency=agency, status=Membership.Status.PENDING).user
    client.force_login(admin_of(agency))

    assert client.get(page(officer.pk)).status_code == 404


def test_another_officers_downloads_are_404_not_a_password_prompt(client, officer, agency):
    client.force_login(MembershipFactory(agency=agency).user)

    url = reverse("reports:signed_transcript_request", kwargs={"user_id": officer.pk})
    assert (client.get(url).status_code, client.post(url).status_code) == (404, 404)
    assert client.get(csv_url(officer)).status_code == 404
    assert not Transcript.objects.exists()


# Downloads.


def csv_url(officer) -> str:
    """The record's CSV: the registered "transcript" table through the export view."""
    url = reverse("reports:export", kwargs={"table": "transcript", "fmt": "csv"})
    return f"{url}?user_id={officer.pk}"


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_officers_own_csv_needs_no_password_and_is_audited(client, officer, record_parts):
    client.force_login(officer)

    response = client.get(csv_url(officer))

    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0] == transcript_columns()
    assert len(rows) - 1 == len(transcript_rows(training_record(officer=officer)))
    event = AuditEvent.objects.get(action="report.export")
    assert event.actor == officer
    assert (event.details["table"], event.details["format"]) == ("transcript", "csv")


def request_url(officer) -> str:
    return reverse("reports:signed_transcript_request", kwargs={"user_id": officer.pk})


def signed_urls(made: Transcript) -> list[str]:
    return [
        reverse(name, args=[made.serial])
        for name in (
            "reports:signed_transcript",
            "reports:signed_transcript_status",
            "reports:signed_transcript_download",
        )
    ]


def test_the_officers_own_request_needs_no_password_and_is_made_by_the_worker(
    client, officer, agency, deliver_outbox
):
    client.force_login(officer)

    response = client.post(request_url(officer))

    made = officer.transcripts.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:signed_transcript", args=[made.serial])
    assert (made.status, made.created_by, made.language, made.pdf.name) == (
        Transcript.Status.PENDING,
        officer,
        "en",
        "",
    )
    asked = AuditEvent.objects.get(action="transcript.request")
    assert (asked.actor, asked.agency, asked.target_id) == (officer, agency, str(made.pk))
    assert not AuditEvent.objects.filter(action="transcript.create").exists()
    message = OutboxMessage.objects.get(kind="reports.tasks.transcript_render_task")
    assert message.payload == {"transcript_id": made.pk}

    page_text = client.get(response["Location"]).text
    assert "Being made" in page_text and 'aria-live="polite"' in page_text
    assert "reports/job-progress.js" in page_text
    assert client.get(signed_urls(made)[1]).json()["finished"] is False
    assert client.get(signed_urls(made)[2]).status_code == 404  # not ready yet

    deliver_outbox()

    made.refresh_from_db()
    assert made.status == Transcript.Status.READY and made.rendered_at and made.pdf_sha256
    state = client.get(signed_urls(made)[1]).json()
    assert (state["status"], state["ready"], state["finished"]) == ("ready", True, True)
    assert state["download_url"] == signed_urls(made)[2]
    page_text = client.get(signed_urls(made)[0]).text
    assert made.serial in page_text and made.verify_token in page_text
    response = client.get(state["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="transcript.download")
    assert (event.actor, event.details["format"], event.details["serial"]) == (
        officer,
        "pdf",
        made.serial,
    )
    assert event.details["own"] is True


def test_the_request_url_shows_a_confirmation_page_on_get_and_writes_nothing(client, officer):
    client.force_login(officer)

    response = client.get(request_url(officer))

    assert response.status_code == 200
    assert f'<form method="post" action="{request_url(officer)}">' in response.text
    assert "Make a signed PDF" in response.text
    assert not Transcript.objects.exists()


def test_the_record_page_offers_the_signed_pdf_as_a_post_and_csv_and_xlsx(client, officer):
    client.force_login(officer)

    text = client.get(reverse("reports:my_transcript")).text

    assert f'<form method="post" action="{request_url(officer)}">' in text
    for fmt in ("csv", "xlsx"):
        url = reverse("reports:export", kwargs={"table": "transcript", "fmt": fmt})
        assert f'href="{url}?user_id={officer.pk}"' in text


def test_an_admins_csv_asks_for_the_password_again(client, officer, agency, record_parts):
    admin = admin_of(agency)
    client.force_login(admin)
    url = csv_url(officer)

    response = client.get(url)

    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert not AuditEvent.objects.filter(action="report.export").exists()

    reauthenticated_now(client, admin)
    response = client.get(url)

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="report.export")
    assert (event.actor, event.agency, event.details["table"]) == (admin, agency, "transcript")


def test_the_csv_and_the_export_table_have_the_same_rows(client, officer, record_parts):
    client.force_login(officer)
    response = client.get(csv_url(officer))
    table = export_table("transcript")

    assert table.personal
    assert table.columns({}) == csv_rows(response)[0]
    exported = list(table.rows(officer, {"user_id": officer.pk}))
    assert table.count(officer, {"user_id": officer.pk}) == len(exported)
    assert len(exported) == len(csv_rows(response)) - 1
    assert [row[7] for row in exported] == [
        int(row[7]) if row[7] else None for row in csv_rows(response)[1:]
    ]


def test_the_export_table_refuses_another_officer(officer, agency):
    from django.http import Http404

    table = export_table("transcript")
    stranger = MembershipFactory(agency=agency).user

    with pytest.raises(Http404):
        table.scope(stranger, {"user_id": officer.pk})
    assert table.scope(officer, {"user_id": officer.pk}) == agency


def test_the_record_page_lists_the_signed_pdfs_the_viewer_asked_for_and_no_others(
    client, officer, agency
):
    own = transcript_request(officer=officer, actor=officer, language="en")
    admins = transcript_request(officer=officer, actor=admin_of(agency), language="en")
    client.force_login(officer)

    text = client.get(reverse("reports:my_transcript")).text

    assert reverse("reports:signed_transcript", args=[own.serial]) in text
    assert admins.serial not in text


def test_an_admins_request_asks_for_the_password_and_comes_back_to_a_post_button(
    client, officer, agency, deliver_outbox
):
    admin = admin_of(agency)
    client.force_login(admin)

    response = client.post(request_url(officer))

    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert not Transcript.objects.exists()

    # allauth sends the admin back to the same URL as a GET: the page with the button.
    reauthenticated_now(client, admin)
    assert "Make a signed PDF" in client.get(request_url(officer)).text
    response = client.post(request_url(officer))

    made = officer.transcripts.get()
    assert response["Location"] == reverse("reports:signed_transcript", args=[made.serial])
    assert made.created_by == admin
    deliver_outbox()
    made.refresh_from_db()
    create = AuditEvent.objects.get(action="transcript.create")
    assert (create.actor, create.target_id) == (admin, str(made.pk))
    assert made.audit_head_id is not None and made.audit_head_id < create.pk
    response = client.get(reverse("reports:signed_transcript_download", args=[made.serial]))
    assert response.status_code == 200
    download = AuditEvent.objects.get(action="transcript.download")
    assert (download.actor, download.agency) == (admin, agency)
    assert (download.details["serial"], download.details["own"]) == (made.serial, False)


def test_an_admins_download_asks_for_the_password_again(client, officer, agency):
    admin = admin_of(agency)
    made = transcript_request(officer=officer, actor=admin, language="en")
    transcript_render(transcript_id=made.pk)
    client.force_login(admin)
    download = reverse("reports:signed_transcript_download", args=[made.serial])

    assert client.get(signed_urls(made)[0]).status_code == 200
    response = client.get(download)

    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert not AuditEvent.objects.filter(action="transcript.download").exists()


@pytest.mark.parametrize(
    "who", ["the officer", "another admin of the agency", "staff", "another officer"]
)
def test_only_the_requester_sees_a_transcripts_page_status_and_pdf(client, officer, agency, who):
    admin = admin_of(agency)
    made = transcript_render(
        transcript_id=transcript_request(officer=officer, actor=admin, language="en").pk
    )
    user = {
        "the officer": lambda: officer,
        "another admin of the agency": lambda: admin_of(agency),
        "staff": staff_user,
        "another officer": lambda: MembershipFactory(agency=agency).user,
    }[who]()
    client.force_login(user)
    reauthenticated_now(client, user)

    for url in signed_urls(made):
        assert (client.get(url).status_code, client.post(url).status_code) == (404, 404), url
    missing = reverse("reports:signed_transcript", args=["TR-NOSUCHSERIAL"])
    assert client.get(missing).status_code == 404


def test_a_requester_who_lost_access_to_the_record_loses_the_transcript_too(
    client, officer, agency
):
    admin = admin_of(agency)
    made = transcript_render(
        transcript_id=transcript_request(officer=officer, actor=admin, language="en").pk
    )
    admin.memberships.update(status=Membership.Status.LEFT)
    client.force_login(admin)
    reauthenticated_now(client, admin)

    assert [client.get(url).status_code for url in signed_urls(made)] == [404, 404, 404]


def test_the_transcript_pages_answer_post_with_405_to_the_requester(client, officer):
    made = transcript_request(officer=officer, actor=officer, language="en")
    client.force_login(officer)

    assert [client.post(url).status_code for url in signed_urls(made)] == [405, 405, 405]


def test_the_roster_links_officers_to_their_records(client, officer, agency):
    client.force_login(admin_of(agency))

    response = client.get(reverse("reports:roster", kwargs={"agency_id": agency.pk}))

    assert page(officer.pk) in response.text


def test_the_nav_offers_my_training_record_to_officers(client, officer):
    client.force_login(officer)

    response = client.get(reverse("reports:my_transcript"))

    assert f'href="{reverse("reports:my_transcript")}"' in response.text


# Query counts: the same for a short and a long record.


def build_long_record(officer, *, courses: int):
    for index in range(courses):
        enrollment = complete_course(officer, modules=2)
        cohort = build_cohort(days=2)
        agency = officer.memberships.get().agency
        take_part(cohort, agency)
        seat = seated(cohort, agency=agency, user=officer)
        for session in cohort.sessions.all():
            attendance_mark(
                session=session,
                seat=seat,
                status=Attendance.Status.LATE if index % 2 else Attendance.Status.PRESENT,
                actor=cohort.trainers.first(),
            )
        assert Enrollment.objects.get(pk=enrollment.pk).completed_at


# User, the viewer's memberships (MFA policy and device, time zone, navigation roles), the
# record's 11 reads, the viewer's signed PDFs of it. The officer's own page needs no access
# query; the session is read from Redis and not written on a read.
TRANSCRIPT_QUERIES = 14


@pytest.mark.parametrize("courses", [1, 4])
def test_the_record_page_query_count_does_not_grow_with_the_record(
    client, django_assert_num_queries, officer, courses
):
    build_long_record(officer, courses=courses)
    client.force_login(officer)
    url = page(officer.pk)
    client.get(url)  # warm caches (translations, templates)

    with django_assert_num_queries(TRANSCRIPT_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.text.count("<tr>") > courses * 4


# An agency admin's view adds the access check: the agency check and the officer's row.
ADMIN_TRANSCRIPT_QUERIES = TRANSCRIPT_QUERIES + 2


@pytest.mark.parametrize("courses", [1, 4])
def test_an_admins_view_of_a_record_has_the_same_query_count_short_or_long(
    client, django_assert_num_queries, officer, agency, courses
):
    build_long_record(officer, courses=courses)
    client.force_login(admin_of(agency))
    url = page(officer.pk)
    client.get(url)

    with django_assert_num_queries(ADMIN_TRANSCRIPT_QUERIES):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("courses", [1, 4])
def test_the_selector_reads_a_record_in_a_fixed_number_of_queries(
    django_assert_num_queries, officer, courses
):
    build_long_record(officer, courses=courses)

    with django_assert_num_queries(11):
        record = training_record(officer=officer)

    assert len(record.lessons) == 4 * courses
    assert len(record.sessions) == 2 * courses


def test_the_export_table_answers_404_for_a_missing_or_malformed_officer_id(officer):
    from django.http import Http404

    table = export_table("transcript")

    for params in ({}, {"user_id": "abc"}, {"user_id": ["1", "2"]}, {"user_id": officer.pk + 999}):
        with pytest.raises(Http404):
            table.scope(officer, params)


# The transcript's page and its JSON, pending or ready, short or long record: user, the
# viewer's memberships (also the navigation's roles), the transcript (the officer's own needs
# no access query).
SIGNED_PAGE_QUERIES = 3
SIGNED_STATUS_QUERIES = 3


@pytest.mark.parametrize("courses", [0, 3])
def test_the_signed_transcript_page_and_json_have_a_fixed_query_count(
    client, django_assert_num_queries, officer, courses
):
    build_long_record(officer, courses=courses)
    pending = transcript_request(officer=officer, actor=officer, language="en")
    ready = transcript_render(
        transcript_id=transcript_request(officer=officer, actor=officer, language="en").pk
    )
    client.force_login(officer)
    for made in (pending, ready):
        page_url, status_url, _ = signed_urls(made)
        client.get(page_url)  # warm caches (translations, templates)

        with django_assert_num_queries(SIGNED_PAGE_QUERIES):
            assert client.get(page_url).status_code == 200
        with django_assert_num_queries(SIGNED_STATUS_QUERIES):
            assert client.get(status_url).json()["ready"] is (made == ready)


# An agency admin's own request adds the access check's agency query (the MFA device and
# their memberships come with the viewer's one read).
ADMIN_SIGNED_EXTRA = 1


@pytest.mark.parametrize("courses", [0, 3])
def test_an_admins_signed_transcript_page_and_json_have_a_fixed_query_count(
    client, django_assert_num_queries, officer, agency, courses
):
    build_long_record(officer, courses=courses)
    admin = admin_of(agency)
    made = transcript_render(
        transcript_id=transcript_request(officer=officer, actor=admin, language="en").pk
    )
    client.force_login(admin)
    page_url, status_url, _ = signed_urls(made)
    client.get(page_url)

    with django_assert_num_queries(SIGNED_PAGE_QUERIES + ADMIN_SIGNED_EXTRA):
        assert client.get(page_url).status_code == 200
    with django_assert_num_queries(SIGNED_STATUS_QUERIES + ADMIN_SIGNED_EXTRA):
        assert client.get(status_url).json()["ready"] is True
