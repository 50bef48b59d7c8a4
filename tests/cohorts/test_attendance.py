"""The trainer's roster: who may open it, marks saved one by one (and harmlessly resent), a
fixed number of queries at 10 and at 600 officers; the sign-in sheet PDF."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AuditEvent, Membership, User
from cohorts.models import Attendance, Cohort, Seat, SignInSheet
from cohorts.services.attendance import (
    SheetState,
    attendance_mark,
    sign_in_sheet_render,
    sign_in_sheet_request,
    sign_in_sheet_state,
)
from cohorts.services.seats import seat_withdraw
from tests.certificates.pdf import assert_real_glyphs
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_cohort,
    seated,
    staff_user,
    take_part,
    trainer_for,
)

pytestmark = pytest.mark.django_db


def bulk_seat(cohort: Cohort, count: int, *, start: int = 0) -> list[Seat]:
    """`count` approved officers of the host agency holding seats, written in bulk (the
    services are exercised elsewhere; this keeps 600 officers quick). Counters kept in step."""
    agency = cohort.host_agency
    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            email=f"bulk{cohort.pk}-{start + n}@roster.example",
            full_name=f"Roster Officer {start + n:04d}",
            password=password,
        )
        for n in range(count)
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        Membership(
            user=user,
            agency=agency,
            role=Membership.Role.OFFICER,
            status=Membership.Status.APPROVED,
            vetted_at=now,
        )
        for user in users
    )
    seats = Seat.objects.bulk_create(
        Seat(
            cohort=cohort,
            user=user,
            agency=agency,
            status=Seat.Status.APPROVED,
            counts_in_quota=True,
            decided_at=now,
        )
        for user in users
    )
    Cohort.objects.filter(pk=cohort.pk).update(seats_taken=cohort.seats.count())
    return seats


def _trainer(client, cohort):
    trainer = cohort.trainers.first()
    client.force_login(trainer)
    return trainer


def _mark_url(session):
    return reverse("cohorts:mark", kwargs={"session_id": session.pk})


def _roster_url(session):
    return reverse("cohorts:roster", kwargs={"session_id": session.pk})


# --- Roster -------------------------------------------------------------------------------


def test_trainer_sees_the_roster_with_a_row_and_four_buttons_per_officer(client):
    cohort = build_cohort(capacity=5)
    first = seated(cohort)
    second = seated(cohort)
    session = cohort.sessions.first()
    attendance_mark(
        session=session, seat=first, status="late", note="Bus", actor=cohort.trainers.first()
    )
    _trainer(client, cohort)

    response = client.get(_roster_url(session))

    assert response.status_code == 200
    html = response.content.decode()
    assert first.user.full_name in html and second.user.full_name in html
    assert html.count('name="status" value="present"') == 2
    assert html.count('aria-pressed="true"') == 1
    assert '<button name="status" value="late" aria-pressed="true">Late</button>' in html
    assert "Saved: Late" in html and "Not marked yet" in html
    assert "Bus</textarea>" in html
    # Counts, the other session, and the links a trainer needs from the room.
    assert response.context["unmarked"] == 1
    assert {s: n for s, _l, n in response.context["counts"]}["late"] == 1
    other = cohort.sessions.last()
    for url in (
        reverse("cohorts:roster", args=[other.pk]),
        reverse("cohorts:qr", args=[session.pk]),
        reverse("cohorts:sign_in_sheet", args=[session.pk]),
        reverse("cohorts:attendance_import", args=[session.pk]),
        reverse("cohorts:detail", args=[cohort.pk]),
        reverse("cohorts:walk_in", args=[cohort.pk]),
    ):
        assert f'href="{url}"' in html
    assert f'id="seat-{first.pk}"' in html
    assert "js/attendance.js" in html


def test_only_those_who_run_the_cohort_open_the_roster(client):
    cohort = build_cohort(capacity=5)
    officer_seat = seated(cohort)
    session = cohort.sessions.first()
    url = _roster_url(session)
    other_trainer = trainer_for(cohort.course)
    build_cohort(course=cohort.course, trainer=other_trainer)
    for user, expected in [
        (cohort.trainers.first(), 200),
        (staff_user(), 200),
        (other_trainer, 404),
        (admin_of(cohort.host_agency), 404),  # the host decides seats but does not run it
        (officer_seat.user, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == expected, user
    client.logout()
    assert client.get(url).status_code == 302


def test_mark_without_script_saves_and_returns_to_the_row(client):
    cohort = build_cohort(capacity=5)
    seat = seated(cohort)
    session = cohort.sessions.first()
    trainer = _trainer(client, cohort)

    response = client.post(_mark_url(session), {"seat": seat.pk, "status": "present", "note": ""})

    assert response.status_code == 302
    assert response["Location"] == f"{_roster_url(session)}#seat-{seat.pk}"
    mark = Attendance.objects.get(session=session, seat=seat)
    assert (mark.status, mark.source, mark.marked_by) == ("present", "roster", trainer)


def test_the_same_mark_sent_twice_is_saved_once(client):
    cohort = build_cohort(capacity=5)
    seat = seated(cohort)
    session = cohort.sessions.first()
    _trainer(client, cohort)
    data = {"seat": seat.pk, "status": "absent", "note": "  Called in sick "}
    json_headers = {"HTTP_ACCEPT": "application/json"}

    first = client.post(_mark_url(session), data, **json_headers)
    again = client.post(_mark_url(session), data, **json_headers)

    assert first.json() == {
        "ok": True,
        "seat": seat.pk,
        "status": "absent",
        "note": "Called in sick",
        "changed": True,
    }
    assert again.status_code == 200
    assert again.json()["changed"] is False
    assert Attendance.objects.filter(session=session, seat=seat).count() == 1
    assert AuditEvent.objects.filter(action="cohort.attendance_mark").count() == 1

    changed = client.post(_mark_url(session), {**data, "status": "excused"}, **json_headers)
    assert changed.json()["changed"] is True
    assert AuditEvent.objects.filter(action="cohort.attendance_mark").count() == 2


def test_a_seat_of_another_cohort_is_refused_and_never_marked(client):
    cohort = build_cohort(capacity=5)
    other_seat = seated(build_cohort(capacity=5))
    session = cohort.sessions.first()
    _trainer(client, cohort)

    response = client.post(
        _mark_url(session),
        {"seat": other_seat.pk, "status": "present"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "This officer is not in this cohort."}
    assert not Attendance.objects.exists()


def test_bad_marks_are_refused_with_a_reason(client):
    cohort = build_cohort(capacity=5)
    seat = seated(cohort)
    session = cohort.sessions.first()
    _trainer(client, cohort)
    headers = {"HTTP_ACCEPT": "application/json"}

    bad_status = client.post(_mark_url(session), {"seat": seat.pk, "status": "asleep"}, **headers)
    long_note = client.post(
        _mark_url(session), {"seat": seat.pk, "status": "late", "note": "x" * 301}, **headers
    )
    no_seat = client.post(_mark_url(session), {"status": "late"}, **headers)
    without_script = client.post(_mark_url(session), {"seat": seat.pk, "status": "asleep"})

    assert [r.status_code for r in (bad_status, long_note, no_seat)] == [400, 400, 400]
    assert bad_status.json()["ok"] is False and bad_status.json()["error"]
    assert without_script.status_code == 302
    assert without_script["Location"] == _roster_url(session)
    assert not Attendance.objects.exists()


def test_a_withdrawn_seat_cannot_be_marked(client):
    cohort = build_cohort(capacity=5)
    seat = seated(cohort)
    seat_withdraw(seat=seat, actor=seat.user)
    session = cohort.sessions.first()
    _trainer(client, cohort)

    response = client.post(
        _mark_url(session), {"seat": seat.pk, "status": "present"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 400
    assert "holding a seat" in response.json()["error"]
    assert not Attendance.objects.exists()


def test_a_trainer_of_another_cohort_gets_404_and_marks_nothing(client):
    cohort = build_cohort(capacity=5)
    seat = seated(cohort)
    session = cohort.sessions.first()
    other_trainer = trainer_for(cohort.course)
    build_cohort(course=cohort.course, trainer=other_trainer)
    client.force_login(other_trainer)

    response = client.post(_mark_url(session), {"seat": seat.pk, "status": "present"})

    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_a_mark_is_get_only_refused(client):
    cohort = build_cohort(capacity=5)
    session = cohort.sessions.first()
    _trainer(client, cohort)
    assert client.get(_mark_url(session)).status_code == 405


# User and the trainer's memberships (one read), the session with its cohort (and how the
# trainer relates to it), the confirmed seats with their marks, the cohort's sessions.
ROSTER_QUERIES = 5


def test_roster_query_count_is_the_same_at_10_and_600_officers(client, django_assert_num_queries):
    cohort = build_cohort(capacity=700, days=3)
    session = cohort.sessions.first()
    seats = bulk_seat(cohort, 10)
    Attendance.objects.bulk_create(
        Attendance(session=session, seat=seat, status="present", source="roster")
        for seat in seats[:5]
    )
    _trainer(client, cohort)
    client.get(_roster_url(session))  # first request of the session: nothing cached yet

    with django_assert_num_queries(ROSTER_QUERIES):
        small = client.get(_roster_url(session))

    seats += bulk_seat(cohort, 590, start=10)
    Attendance.objects.bulk_create(
        Attendance(session=session, seat=seat, status="late", source="roster")
        for seat in seats[10:300]
    )
    with django_assert_num_queries(ROSTER_QUERIES):
        large = client.get(_roster_url(session))

    assert small.status_code == large.status_code == 200
    assert len(large.context["rows"]) == 600
    assert large.context["unmarked"] == 305
    assert large.content.decode().count('name="status" value="absent"') == 600


# --- Sign-in sheet ------------------------------------------------------------------------


def _pdf_text(data: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def test_sign_in_sheet_request_records_the_roster_and_queues_the_worker(
    django_capture_on_commit_callbacks,
):
    cohort = build_cohort(capacity=5)
    seated(cohort)
    session = cohort.sessions.first()
    trainer = cohort.trainers.first()

    with django_capture_on_commit_callbacks() as callbacks:
        sheet = sign_in_sheet_request(session=session, actor=trainer)
    assert len(callbacks) == 1
    assert sheet.roster_hash and not sheet.pdf and sheet.rendered_hash == ""
    assert sign_in_sheet_state(session=session)["state"] == SheetState.PENDING
    assert AuditEvent.objects.filter(action="cohort.sign_in_sheet_request").count() == 1

    # Asking again at once queues nothing more.
    with django_capture_on_commit_callbacks() as callbacks:
        sign_in_sheet_request(session=session, actor=trainer)
    assert callbacks == []


def test_sign_in_sheet_pdf_lists_every_officer_over_several_pages(settings):
    cohort = build_cohort(capacity=80, title="Blockchain tracing, Bangkok")
    named = seated(
        cohort,
        user=MembershipFactory(
            agency=cohort.host_agency, user=UserFactory(full_name="Somchai Jaidee")
        ).user,
    )
    knpa = AgencyFactory(name="Korean National Police Agency", country="KR")
    take_part(cohort, knpa)
    korean = seated(
        cohort,
        agency=knpa,
        user=MembershipFactory(agency=knpa, user=UserFactory(full_name="김민준")).user,
    )
    thai = seated(
        cohort,
        user=MembershipFactory(
            agency=cohort.host_agency, user=UserFactory(full_name="สมชาย ใจดี")
        ).user,
    )
    bulk_seat(cohort, 37)
    session = cohort.sessions.first()
    sign_in_sheet_request(session=session, actor=cohort.trainers.first())

    sheet = sign_in_sheet_render(session_id=session.pk)

    assert sheet.is_current and sheet.rendered_at is not None
    assert sign_in_sheet_state(session=session)["state"] == SheetState.READY
    pages, texts = _pdf_text(sheet.pdf.read())
    assert pages >= 2
    whole = " ".join(texts)
    assert "Blockchain tracing, Bangkok" in texts[0]
    assert named.user.full_name in whole
    assert "김민준" in whole and "Korean National Police Agency" in whole
    for n in range(37):
        assert f"Roster Officer {n:04d}" in whole
    data = sheet.pdf.open("rb").read()
    for name in ("김민준", thai.user.full_name, "Somchai Jaidee"):
        assert_real_glyphs(data, name)
    # The table header and the page number on every page.
    for number, text in enumerate(texts, start=1):
        assert "Signature" in text
        assert f"{number} / {pages}" in text
    assert korean.status == Seat.Status.APPROVED
    event = AuditEvent.objects.get(action="cohort.sign_in_sheet")
    assert event.details["officers"] == 40


def test_rendering_twice_for_the_same_roster_changes_nothing_and_a_new_seat_outdates_it():
    cohort = build_cohort(capacity=5)
    seated(cohort)
    session = cohort.sessions.first()
    sign_in_sheet_request(session=session, actor=cohort.trainers.first())
    first = sign_in_sheet_render(session_id=session.pk)
    again = sign_in_sheet_render(session_id=session.pk)

    assert (again.pdf.name, again.rendered_at) == (first.pdf.name, first.rendered_at)
    assert AuditEvent.objects.filter(action="cohort.sign_in_sheet").count() == 1

    newcomer = seated(cohort)
    assert sign_in_sheet_state(session=session)["state"] == SheetState.OUTDATED
    redone = sign_in_sheet_render(session_id=session.pk)
    assert newcomer.user.full_name in " ".join(_pdf_text(redone.pdf.read())[1])
    assert SignInSheet.objects.count() == 1


def test_sign_in_sheet_pages(client, django_capture_on_commit_callbacks):
    cohort = build_cohort(capacity=5)
    seated(cohort)
    session = cohort.sessions.first()
    _trainer(client, cohort)
    page = reverse("cohorts:sign_in_sheet", args=[session.pk])
    pdf = reverse("cohorts:sign_in_sheet_pdf", args=[session.pk])

    assert "Prepare the sign-in sheet" in client.get(page).content.decode()
    assert client.get(pdf).status_code == 404
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(page).status_code == 302
    assert len(callbacks) == 1
    waiting = client.get(page).content.decode()
    assert "being prepared" in waiting and 'data-pending="true"' in waiting

    sign_in_sheet_render(session_id=session.pk)
    ready = client.get(page).content.decode()
    assert f'href="{pdf}"' in ready
    response = client.get(pdf)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_stalled_request_may_be_asked_again(django_capture_on_commit_callbacks):
    cohort = build_cohort(capacity=5)
    seated(cohort)
    session = cohort.sessions.first()
    trainer = cohort.trainers.first()
    sign_in_sheet_request(session=session, actor=trainer)
    SignInSheet.objects.update(requested_at=timezone.now() - timedelta(minutes=5))

    assert sign_in_sheet_state(session=session)["stalled"] is True
    with django_capture_on_commit_callbacks() as callbacks:
        sign_in_sheet_request(session=session, actor=trainer)
    assert len(callbacks) == 1
