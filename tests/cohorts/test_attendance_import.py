"""Attendance from a CSV file: the invitation import's rules (a small UTF-8 .csv, a header,
every row checked and reported before anything is written), a signed confirmation for this
session and this trainer, then all rows in one transaction or none."""

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from cohorts.imports import (
    IMPORT_SALT,
    AttendanceImport,
    attendance_import,
    parse_attendance_csv,
)
from cohorts.models import Attendance, Seat
from tests.factories import MembershipFactory, SeatFactory, UserFactory, build_cohort, seated

pytestmark = pytest.mark.django_db

# Checking a file on the page: the user and their memberships (one read, the trainer's rights
# too), the session (with how the trainer relates to its cohort), then one query for the
# seats, whatever the number of rows.
UPLOAD_QUERIES = 4


@pytest.fixture
def room():
    cohort = build_cohort(capacity=10)
    host = cohort.host_agency
    people = [
        seated(cohort, user=MembershipFactory(agency=host, user=UserFactory(email=email)).user)
        for email in ("kim@knpa.example", "lee@knpa.example", "park@knpa.example")
    ]
    return {"cohort": cohort, "session": cohort.sessions.first(), "seats": people}


def _upload(client, session, text: str, *, name="attendance.csv", content_type="text/csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        reverse("cohorts:attendance_import", args=[session.pk]),
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


GOOD = (
    "\ufeffEmail,Status,Note\n"
    "KIM@knpa.example,present,\n"
    "lee@knpa.example,Late,Train delayed\n"
    "\n"
    "park@knpa.example,excused,Court hearing\n"
)


def test_a_good_file_is_shown_then_applied_in_one_go(client, room):
    session, (kim, lee, park) = room["session"], room["seats"]
    trainer = room["cohort"].trainers.first()
    client.force_login(trainer)

    checked = _upload(client, session, GOOD)

    assert checked.status_code == 200
    assert [row["email"] for row in checked.context["rows"]] == [
        "kim@knpa.example",
        "lee@knpa.example",
        "park@knpa.example",
    ]
    assert [row["row"] for row in checked.context["rows"]] == [2, 3, 5]
    assert "Record 3 marks" in checked.content.decode()
    assert not Attendance.objects.exists()  # nothing before the confirmation

    payload = checked.context["confirm_form"].initial["payload"]
    url = reverse("cohorts:attendance_import", args=[session.pk])
    applied = client.post(url, {"payload": payload})

    assert applied.status_code == 302
    assert applied["Location"] == reverse("cohorts:roster", args=[session.pk])
    marks = {a.seat_id: a for a in Attendance.objects.filter(session=session)}
    assert (marks[kim.pk].status, marks[lee.pk].status, marks[park.pk].status) == (
        "present",
        "late",
        "excused",
    )
    assert marks[lee.pk].note == "Train delayed"
    assert {a.source for a in marks.values()} == {"csv"}
    assert {a.marked_by for a in marks.values()} == {trainer}
    assert AuditEvent.objects.filter(action="cohort.attendance_mark").count() == 3
    event = AuditEvent.objects.get(action="cohort.attendance_import")
    assert event.details == {
        "cohort_id": session.cohort_id,
        "session_id": session.pk,
        "rows": 3,
        "changed": 3,
    }


def test_the_same_file_uploaded_again_changes_nothing(client, room):
    session = room["session"]
    client.force_login(room["cohort"].trainers.first())
    url = reverse("cohorts:attendance_import", args=[session.pk])
    first = _upload(client, session, GOOD).context["confirm_form"].initial["payload"]
    client.post(url, {"payload": first})
    before = list(Attendance.objects.order_by("pk").values_list("pk", "status", "marked_at"))
    audit_rows = AuditEvent.objects.count()

    second = _upload(client, session, GOOD).context["confirm_form"].initial["payload"]
    response = client.post(url, {"payload": second}, follow=True)

    assert "3 rows applied; 0 marks changed." in response.content.decode()
    assert list(Attendance.objects.order_by("pk").values_list("pk", "status", "marked_at")) == (
        before
    )
    assert AuditEvent.objects.count() == audit_rows


def test_every_bad_row_is_reported_and_nothing_is_written(client, room):
    cohort, session = room["cohort"], room["session"]
    outsider = MembershipFactory(
        agency=cohort.host_agency, user=UserFactory(email="outsider@knpa.example")
    ).user
    waiting = MembershipFactory(
        agency=cohort.host_agency, user=UserFactory(email="waiting@knpa.example")
    ).user
    SeatFactory(cohort=cohort, user=waiting, status=Seat.Status.WAITLISTED)
    text = (
        "email,status,note\n"
        "kim@knpa.example,present,\n"  # 2: fine
        "nobody@nowhere.example,present,\n"  # 3: unknown email
        f"{outsider.email},present,\n"  # 4: has an account, no seat in this cohort
        "waiting@knpa.example,present,\n"  # 5: on the waiting list
        "lee@knpa.example,asleep,\n"  # 6: bad status
        "KIM@knpa.example,late,\n"  # 7: the same email again
        "park@knpa.example,present,note,extra\n"  # 8: more cells than the header
        "not-an-email,present,\n"  # 9: not an email
        ",present,\n"  # 10: no email
        f"lee@knpa.example,late,{'x' * 301}\n"  # 11: note too long (and lee twice)
    )
    client.force_login(cohort.trainers.first())

    response = _upload(client, session, text)

    assert response.status_code == 200
    problems = {p["row"]: " ".join(p["messages"]) for p in response.context["problems"]}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "Nobody in this cohort has this email address." in problems[3]
    assert "Nobody in this cohort has this email address." in problems[4]
    assert "does not hold a confirmed seat in this cohort (On the waiting list)" in problems[5]
    assert "The status must be one of: present, late, excused, absent." in problems[6]
    assert "The same email is already on row 2." in problems[7]
    assert "The row has more cells than the header." in problems[8]
    assert "This is not a valid email address." in problems[9]
    assert "The email is missing." in problems[10]
    assert "The note is longer than 300 characters." in problems[11]
    assert "The same email is already on row 6." in problems[11]
    assert "confirm_form" not in response.context
    assert "Nothing was recorded" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"email,status\n", "The file has a header but no rows."),
        (b"email,when\nkim@knpa.example,now\n", "The first row must name the columns"),
        (b"email\nkim@knpa.example\n", "The first row must name the columns"),
        (b"email,status\n\xff\xfe,present\n", "The file is not UTF-8 text"),
        (b"email,status\x00\n", "This is not a CSV text file."),
        (b"email,status\n" + b"a@b.example,present\n" * 1001, "more than 1000 rows"),
    ],
)
def test_unusable_files_are_refused_as_a_whole(room, data, message):
    rows, problems = parse_attendance_csv(session=room["session"], data=data)
    assert rows == []
    assert problems[0]["row"] is None and message in problems[0]["messages"][0]


def test_upload_refuses_files_that_are_not_small_csv_files(client, room):
    session = room["session"]
    client.force_login(room["cohort"].trainers.first())
    for name, content_type, data in [
        ("attendance.xlsx", "application/vnd.ms-excel", b"email,status\n"),
        ("attendance.csv", "application/pdf", b"email,status\n"),
        ("attendance.csv", "text/csv", b"email,status,note\n" + b"x" * (512 * 1024)),
    ]:
        response = _upload(client, session, data, name=name, content_type=content_type)
        assert response.status_code == 200
        assert response.context["upload_form"].errors["file"], name
    assert not Attendance.objects.exists()


def test_a_tampered_or_foreign_confirmation_is_refused_and_writes_nothing(client, room):
    cohort, session = room["cohort"], room["session"]
    trainer = cohort.trainers.first()
    client.force_login(trainer)
    url = reverse("cohorts:attendance_import", args=[session.pk])
    payload = _upload(client, session, GOOD).context["confirm_form"].initial["payload"]
    rows = signing.loads(payload, salt=IMPORT_SALT)["rows"]
    other_session = cohort.sessions.last()

    tampered = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    forged = signing.dumps({"session": session.pk, "user": trainer.pk, "rows": rows}, salt="x")
    for_other_session = AttendanceImport(session=other_session, actor=trainer).sign(rows)
    for_someone_else = AttendanceImport(session=session, actor=seated(cohort).user).sign(rows)
    for bad in (tampered, forged, for_other_session, for_someone_else, ""):
        response = client.post(url, {"payload": bad})
        assert response.status_code == 400, bad
        assert "This confirmation has expired or was changed." in response.content.decode()
    assert not Attendance.objects.exists()


def test_rows_are_checked_again_when_applied(room):
    """A seat lost between the check and the confirmation: the whole file is refused."""
    from cohorts.services.seats import seat_withdraw
    from core.imports import ImportProblems

    session, park = room["session"], room["seats"][2]
    rows, problems = parse_attendance_csv(session=session, data=GOOD.encode())
    assert problems == []
    seat_withdraw(seat=park, actor=park.user)

    with pytest.raises(ImportProblems) as refused:
        attendance_import(session=session, rows=rows, actor=room["cohort"].trainers.first())

    assert [p["row"] for p in refused.value.problems] == [5]
    assert not Attendance.objects.exists()


def test_only_those_who_run_the_cohort_may_upload(client, room):
    session = room["session"]
    url = reverse("cohorts:attendance_import", args=[session.pk])
    client.force_login(room["seats"][0].user)
    assert client.get(url).status_code == 404
    client.force_login(room["cohort"].trainers.first())
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()


def test_checking_rows_takes_the_same_queries_for_many_rows(room, django_assert_num_queries):
    session = room["session"]
    few = "email,status\n" + "".join(f"p{n}@x.example,present\n" for n in range(3))
    many = "email,status\n" + "".join(f"p{n}@x.example,present\n" for n in range(900))
    with django_assert_num_queries(1):
        parse_attendance_csv(session=session, data=few.encode())
    with django_assert_num_queries(1):
        parse_attendance_csv(session=session, data=many.encode())


def test_a_row_that_fails_on_confirm_is_refused_with_400_and_nothing_is_written(client, room):
    """The status every import gives a problem found at confirm time: 400, a refused
    submission (the invitation import answers the same)."""
    from cohorts.services.seats import seat_withdraw

    session, park = room["session"], room["seats"][2]
    client.force_login(room["cohort"].trainers.first())
    url = reverse("cohorts:attendance_import", args=[session.pk])
    payload = _upload(client, session, GOOD).context["confirm_form"].initial["payload"]
    seat_withdraw(seat=park, actor=park.user)  # while the trainer reads the summary

    response = client.post(url, {"payload": payload})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was recorded" in html
    assert [p["row"] for p in response.context["problems"]] == [5]
    assert "<td>5</td>" in html
    assert "does not hold a confirmed seat in this cohort" in html
    assert 'name="payload"' not in html
    assert not Attendance.objects.exists()
    assert not AuditEvent.objects.filter(action="cohort.attendance_import").exists()


def test_a_session_cancelled_before_confirm_is_refused_with_400(client, room):
    from cohorts.services.schedule import session_cancel

    session = room["session"]
    trainer = room["cohort"].trainers.first()
    client.force_login(trainer)
    url = reverse("cohorts:attendance_import", args=[session.pk])
    payload = _upload(client, session, GOOD).context["confirm_form"].initial["payload"]
    session_cancel(session=session, actor=trainer)

    response = client.post(url, {"payload": payload})

    assert response.status_code == 400
    assert "This session has been cancelled." in response.content.decode()
    assert not Attendance.objects.exists()


def test_checking_a_file_on_the_page_takes_the_same_queries_for_many_rows(
    client, room, django_assert_num_queries
):
    session = room["session"]
    client.force_login(room["cohort"].trainers.first())
    few = "email,status\n" + "".join(f"p{n}@x.example,present\n" for n in range(3))
    many = "email,status\n" + "".join(f"p{n}@x.example,present\n" for n in range(900))
    for text in (few, many):
        with django_assert_num_queries(UPLOAD_QUERIES):
            response = _upload(client, session, text)
        assert len(response.context["problems"]) == text.count("@")
