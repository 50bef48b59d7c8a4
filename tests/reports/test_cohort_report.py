"""The cohort report: who sees which rows, the values (marks per session, attendance percent,
prerequisites, assessment, completion, certificate), the CSV export (re-authentication,
formula escaping, audit row) and a query count that does not grow with the seats."""

import csv
import io
from types import SimpleNamespace

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from assessments.services import attempt_start, attempt_submit
from certificates.models import Certificate
from cohorts.models import Attendance, Cohort, Seat
from cohorts.services.attendance import attendance_mark
from cohorts.services.seats import seat_nominate
from courses.models import Lesson
from courses.services import enrollment_create, lesson_complete
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_cohort,
    build_course,
    correct_answers,
    reauthenticated_now,
    seated,
    staff_user,
    take_part,
)

pytestmark = pytest.mark.django_db

PRESENT, LATE, EXCUSED, ABSENT = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.EXCUSED,
    Attendance.Status.ABSENT,
)
# User and the viewer's memberships (read once: MFA, rights, roles), access (the cohort, with
# how the viewer relates to it), sessions, summary (3), page count and rows, completion facts
# (8), marks, best scores, certificates. The session is read from Redis and not written on a
# read.
REPORT_QUERIES = 20
# The same sign-in and access, the re-authentication check, the transaction's savepoint,
# sessions, every seat, completion facts (8), marks, best scores, certificates, the audit row
# (savepoint, chain lock, chain head, insert, release).
EXPORT_QUERIES = 26


def report_url(cohort) -> str:
    return reverse("reports:cohort_report", args=[cohort.pk])


def export_url(cohort) -> str:
    return reverse("reports:cohort_report_export", args=[cohort.pk])


def officer(agency, full_name: str, **user_fields) -> User:
    return MembershipFactory(
        agency=agency, user=UserFactory(full_name=full_name, **user_fields)
    ).user


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def world():
    """A Bangkok cohort of three sessions with module 1 as prerequisite and module 2's quiz
    as assessment, hosted by a Thai agency with a Korean agency taking part."""
    course = build_course(modules=2, lessons_per_module=1, questions=2)
    first, second = course.modules.order_by("order")
    host = AgencyFactory(name="Royal Thai Police (report)", country="TH", time_zone="Asia/Bangkok")
    guest = AgencyFactory(name="Korean Police (report)", country="KR", time_zone="Asia/Seoul")
    cohort = build_cohort(course=course, host=host, days=3, capacity=10)
    cohort.prerequisite_modules.set([first])
    cohort.assessment = second.quiz
    cohort.save(update_fields=["assessment"])
    take_part(cohort, guest, quota=3)
    trainer = cohort.trainers.first()
    host_seat = seated(cohort, agency=host, user=officer(host, "Anan Thai"))
    guest_seat = seated(cohort, agency=guest, user=officer(guest, "Kim Korea"))
    nominated = seat_nominate(
        cohort=cohort, user=officer(guest, "Lee Waiting"), agency=guest, actor=trainer
    )
    return SimpleNamespace(
        course=course,
        first=first,
        cohort=cohort,
        host=host,
        guest=guest,
        trainer=trainer,
        host_seat=host_seat,
        guest_seat=guest_seat,
        nominated=nominated,
    )


def attend(seat, statuses):
    trainer = seat.cohort.trainers.first()
    for session, status in zip(seat.cohort.sessions.order_by("starts_at"), statuses, strict=True):
        attendance_mark(session=session, seat=seat, status=status, actor=trainer)


def take_quiz(seat, quiz, enrollment, *, right: bool):
    attempt = attempt_start(user=seat.user, quiz=quiz, enrollment=enrollment)
    answers = correct_answers(quiz) if right else {}
    attempt_submit(attempt_id=attempt.pk, user=seat.user, raw_answers=answers)


def complete_host_seat(world) -> Certificate:
    """The host officer does module 1 and its quiz, attends every session and passes the
    assessment: the seat completes and its certificate is issued."""
    seat = world.host_seat
    enrollment = enrollment_create(user=seat.user, course=world.course)
    for lesson in Lesson.objects.filter(module=world.first):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    take_quiz(seat, world.first.quiz, enrollment, right=True)
    attend(seat, [PRESENT, PRESENT, LATE])
    take_quiz(seat, world.cohort.assessment, enrollment, right=True)
    certificate = Certificate.objects.get(cohort=world.cohort, user=seat.user)
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.ISSUED, pdf="certificates/test.pdf", issued_at=timezone.now()
    )
    certificate.refresh_from_db()
    return certificate


# --- Who sees what -----------------------------------------------------------------------


def test_host_trainer_sees_every_confirmed_seat(client, world):
    client.force_login(world.trainer)
    response = client.get(report_url(world.cohort))
    assert response.status_code == 200
    assert [row.seat for row in response.context["rows"]] == [world.host_seat, world.guest_seat]
    assert not response.context["own_agencies_only"]
    others = client.get(report_url(world.cohort), {"show": "others"})
    assert [row.seat for row in others.context["rows"]] == [world.nominated]


def test_host_agency_admin_and_staff_see_every_seat(client, world):
    for user in (admin_of(world.host), staff_user()):
        client.force_login(user)
        response = client.get(report_url(world.cohort))
        assert len(response.context["rows"]) == 2, user


def test_participating_agency_admin_sees_only_their_agencys_rows(client, world):
    admin = admin_of(world.guest)
    client.force_login(admin)
    response = client.get(report_url(world.cohort))
    assert response.status_code == 200
    assert [row.seat for row in response.context["rows"]] == [world.guest_seat]
    assert response.context["own_agencies_only"]
    assert "Anan Thai" not in response.text
    summary = response.context["summary"]
    assert (summary.held, summary.others) == (1, 1)

    reauthenticated_now(client, admin)
    rows = csv_rows(client.get(export_url(world.cohort)))
    assert sorted(row[0] for row in rows[1:]) == ["Kim Korea", "Lee Waiting"]
    event = AuditEvent.objects.get(action="report.cohort_export")
    assert event.agency == world.guest
    assert event.details["agency_ids"] == [world.guest.pk]


def test_others_get_404(client, world):
    outsider_admin = admin_of(AgencyFactory(name="Moldova (report)", country="MD"))
    seated_officer = world.host_seat.user
    trainer_elsewhere = build_cohort(course=world.course).trainers.first()
    for user in (outsider_admin, seated_officer, trainer_elsewhere):
        client.force_login(user)
        reauthenticated_now(client, user)
        assert client.get(report_url(world.cohort)).status_code == 404, user
        assert client.get(export_url(world.cohort)).status_code == 404, user
    client.force_login(world.trainer)
    assert client.get(reverse("reports:cohort_report", args=[999_999])).status_code == 404
    assert not AuditEvent.objects.filter(action="report.cohort_export").exists()


def test_participants_cannot_see_a_draft_cohort_report(client, world):
    Cohort.objects.filter(pk=world.cohort.pk).update(status=Cohort.Status.DRAFT)
    client.force_login(admin_of(world.guest))
    assert client.get(report_url(world.cohort)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(report_url(world.cohort))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Values ------------------------------------------------------------------------------


def test_rows_show_marks_percent_prerequisites_assessment_completion_and_certificate(client, world):
    certificate = complete_host_seat(world)
    attend(world.guest_seat, [PRESENT, ABSENT, EXCUSED])
    enrollment = enrollment_create(user=world.guest_seat.user, course=world.course)
    take_quiz(world.guest_seat, world.cohort.assessment, enrollment, right=False)

    client.force_login(world.trainer)
    response = client.get(report_url(world.cohort))
    host_row, guest_row = response.context["rows"]

    assert host_row.marks == [PRESENT, PRESENT, LATE]
    assert host_row.facts["sessions_attended"] == 3
    assert host_row.facts["attendance_percent"] == 100
    assert (host_row.facts["modules_done"], host_row.facts["modules_total"]) == (1, 1)
    assert host_row.facts["assessment_passed"]
    assert host_row.best_score == 100
    assert host_row.seat.completed_at is not None
    assert host_row.certificate == certificate

    assert guest_row.marks == [PRESENT, ABSENT, EXCUSED]
    assert guest_row.facts["attendance_percent"] == 33
    assert guest_row.facts["modules_done"] == 0
    assert not guest_row.facts["assessment_passed"]
    assert guest_row.best_score == 0
    assert guest_row.seat.completed_at is None
    assert guest_row.certificate is None

    summary = response.context["summary"]
    assert [count for _session, count in summary.attendance] == [2, 1, 1]
    assert (summary.held, summary.completed, summary.certificates_issued) == (2, 1, 1)
    text = response.text
    assert certificate.serial in text
    assert "1 of 1" in text and "3 of 3 (100%)" in text and "1 of 3 (33%)" in text
    assert "best 100%" in text and "best 0%" in text


def test_serials_link_to_the_certificate_page_for_those_who_may_manage_it(client, world):
    certificate = complete_host_seat(world)
    page = reverse("certificates:detail", args=[certificate.pk])
    # The host officer's agency admin and staff manage it: the serial links to its page.
    for user in (admin_of(world.host), staff_user()):
        client.force_login(user)
        response = client.get(report_url(world.cohort))
        assert page in response.text, user
        assert client.get(page).status_code == 200
    # The trainer sees the serial, without a link to a page they may not open.
    client.force_login(world.trainer)
    response = client.get(report_url(world.cohort))
    assert certificate.serial in response.text and page not in response.text


def test_unmarked_sessions_and_no_assessment(client, world):
    world.cohort.assessment = None
    world.cohort.save(update_fields=["assessment"])
    world.cohort.sessions.order_by("starts_at").last().delete()
    client.force_login(world.trainer)
    response = client.get(report_url(world.cohort))
    row = response.context["rows"][0]
    assert row.marks == ["", ""]
    assert row.best_score is None
    assert "not marked" in response.text


def test_cancelled_sessions_are_left_out(client, world):
    last = world.cohort.sessions.order_by("starts_at").last()
    last.is_cancelled = True
    last.save()
    client.force_login(world.trainer)
    response = client.get(report_url(world.cohort))
    assert len(response.context["sessions"]) == 2
    assert len(response.context["rows"][0].marks) == 2


def test_page_is_paginated_at_100_rows(client, world):
    bulk_seats(world.cohort, world.host, 150)
    client.force_login(world.trainer)
    first = client.get(report_url(world.cohort))
    second = client.get(report_url(world.cohort), {"page": 2})
    assert len(first.context["rows"]) == 100
    assert len(second.context["rows"]) == 52
    assert first.context["summary"].held == 152


# --- The CSV export ----------------------------------------------------------------------


def test_export_requires_recent_reauthentication(client, world):
    client.force_login(world.trainer)
    response = client.get(export_url(world.cohort))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEvent.objects.filter(action="report.cohort_export").exists()


def test_export_has_every_row_with_the_values(client, world):
    certificate = complete_host_seat(world)
    attend(world.guest_seat, [PRESENT, ABSENT, EXCUSED])
    client.force_login(world.trainer)
    reauthenticated_now(client, world.trainer)
    response = client.get(export_url(world.cohort))
    assert response.status_code == 200
    assert f"cohort-{world.cohort.pk}-report-" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:5] == ["Officer", "Email", "Agency", "Seat status", "Walk-in"]
    assert header[5].startswith("Session 1: ") and header[5].endswith("(Asia/Bangkok)")
    assert [row[0] for row in rows] == ["Anan Thai", "Kim Korea", "Lee Waiting"]
    host, guest, nominated = (dict(zip(header, row, strict=True)) for row in rows)
    assert [host[h] for h in header[5:8]] == ["Present", "Present", "Late"]
    assert [guest[h] for h in header[5:8]] == ["Present", "Absent", "Excused"]
    assert (host["Sessions attended"], host["Sessions"], host["Attendance (%)"]) == (
        "3",
        "3",
        "100",
    )
    assert guest["Attendance (%)"] == "33"
    assert (host["Prerequisite modules done"], host["Prerequisite modules"]) == ("1", "1")
    assert (host["Assessment"], guest["Assessment"]) == ("passed", "not yet")
    assert host["Best score (%)"] == "100.00"
    completed_at = Seat.objects.get(pk=world.host_seat.pk).completed_at
    assert host["Completed"] == timezone.localdate(completed_at).isoformat()
    assert guest["Completed"] == ""
    assert (host["Certificate"], host["Certificate status"]) == (certificate.serial, "Issued")
    assert nominated["Seat status"] == "Nominated"
    assert nominated["Walk-in"] == "no"


def test_export_escapes_formulas(client, world):
    evil = officer(world.host, '=HYPERLINK("http://evil.example")', display_name="")
    seated(world.cohort, agency=world.host, user=evil)
    world.host.name = "+Agency"
    world.host.save(update_fields=["name"])
    client.force_login(world.trainer)
    reauthenticated_now(client, world.trainer)
    rows = csv_rows(client.get(export_url(world.cohort)))
    row = next(row for row in rows if "HYPERLINK" in row[0])
    assert row[0] == '\'=HYPERLINK("http://evil.example")'
    assert row[2] == "'+Agency"


def test_export_writes_an_audit_row(client, world):
    client.force_login(world.trainer)
    reauthenticated_now(client, world.trainer)
    client.get(export_url(world.cohort))
    event = AuditEvent.objects.get(action="report.cohort_export")
    assert event.actor == world.trainer
    assert event.target_id == str(world.cohort.pk)
    assert event.agency == world.host
    assert event.details["cohort_id"] == world.cohort.pk
    assert event.details["rows"] == 3
    assert event.details["agency_ids"] is None
    assert "Anan Thai" not in str(event.details)


# --- Query counts ------------------------------------------------------------------------


def bulk_seats(cohort, agency, count: int) -> list[Seat]:
    """`count` confirmed seats with a mark at every session, written in bulk (the services
    would take minutes for 600 officers; the report only reads)."""
    start = Seat.objects.filter(cohort=cohort).count()
    users = User.objects.bulk_create(
        [
            User(email=f"bulk{n}-{cohort.pk}@bulk.example", full_name=f"Bulk Officer {n:04}")
            for n in range(start, start + count)
        ]
    )
    Cohort.objects.filter(pk=cohort.pk).update(
        capacity=F("capacity") + count, seats_taken=F("seats_taken") + count
    )
    seats = Seat.objects.bulk_create(
        [
            Seat(cohort=cohort, user=user, agency=agency, status=Seat.Status.APPROVED)
            for user in users
        ]
    )
    statuses = [PRESENT, LATE, ABSENT, EXCUSED]
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=session,
                seat=seat,
                status=statuses[(n + index) % len(statuses)],
                source=Attendance.Source.ROSTER,
            )
            for index, session in enumerate(cohort.sessions.all())
            for n, seat in enumerate(seats)
        ]
    )
    return seats


@pytest.mark.parametrize("seats", [10, 600])
def test_report_query_count_does_not_grow_with_seats(
    client, world, seats, django_assert_num_queries
):
    bulk_seats(world.cohort, world.guest, seats - 2)  # the fixture has seated two
    complete_host_seat(world)
    client.force_login(world.trainer)
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(report_url(world.cohort))
    assert response.status_code == 200
    assert response.context["summary"].held == seats
    assert len(response.context["rows"]) == min(seats, 100)


@pytest.mark.parametrize("seats", [10, 600])
def test_export_query_count_does_not_grow_with_seats(
    client, world, seats, django_assert_num_queries
):
    bulk_seats(world.cohort, world.guest, seats - 2)
    complete_host_seat(world)
    client.force_login(world.trainer)
    reauthenticated_now(client, world.trainer)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(export_url(world.cohort))
    assert response.status_code == 200
    assert len(csv_rows(response)) == seats + 2  # the header and the nominated officer
