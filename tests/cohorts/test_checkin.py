"""Officers checking themselves in: the rotating QR code (valid, a slow phone's previous
code, expired, replayed, another session's, outside the session's hours, no seat), the
typed fallback code with its rate limit, and the projector page."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from cohorts.checkin import (
    WINDOW_SECONDS,
    Verdict,
    check_code,
    check_token,
    fallback_code,
    qr_token,
    window_at,
)
from cohorts.models import Attendance, Seat
from cohorts.services.attendance import (
    CODE_FAILURES_ALLOWED,
    Outcome,
    attendance_check_in,
    attendance_check_in_code,
    attendance_mark,
)
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    SeatFactory,
    admin_of,
    build_cohort,
    seated,
)
from tests.sessions import forget_cached_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    """A cohort with two sessions, two seated officers, and the clock at 09:05 on the first
    day at the venue (the session runs 09:00-17:00, Bangkok)."""
    cohort = build_cohort(capacity=5)
    first, second = cohort.sessions.all()
    kim, lee = seated(cohort), seated(cohort)
    with time_machine.travel(first.starts_at + timedelta(minutes=5, seconds=3), tick=False):
        yield {"cohort": cohort, "session": first, "other": second, "kim": kim, "lee": lee}


def _url(session, window, token=None):
    token = token if token is not None else qr_token(session, window)
    return reverse(
        "cohorts:checkin", kwargs={"session_id": session.pk, "window": window, "token": token}
    )


def _later(seconds: int):
    """Move the (stopped) clock on by this many seconds."""
    from django.utils import timezone

    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


# --- The codes ----------------------------------------------------------------------------


def test_tokens_and_codes_differ_per_session_and_window(room):
    session, other = room["session"], room["other"]
    now = window_at()
    token = qr_token(session, now)
    assert len(token) == 22 and token.replace("-", "").replace("_", "").isalnum()
    assert token != qr_token(session, now - 1)
    assert token != qr_token(other, now)
    code = fallback_code(session, now)
    assert len(code) == 6 and code.isdigit()
    assert fallback_code(session, now) == code  # the same for everyone looking at the screen
    assert code not in (fallback_code(session, now + 1), fallback_code(other, now))


def test_token_verdicts(room):
    session, other = room["session"], room["other"]
    now = window_at()
    assert check_token(session, now, qr_token(session, now)) == Verdict.VALID
    assert check_token(session, now - 1, qr_token(session, now - 1)) == Verdict.VALID
    assert check_token(session, now - 2, qr_token(session, now - 2)) == Verdict.EXPIRED
    assert check_token(session, now + 1, qr_token(session, now + 1)) == Verdict.INVALID
    assert check_token(session, now, qr_token(other, now)) == Verdict.INVALID
    assert check_token(session, now, "x" * 22) == Verdict.INVALID
    assert check_token(session, now - 1, qr_token(session, now)) == Verdict.INVALID
    assert check_code(session, fallback_code(session, now)) == Verdict.VALID
    assert check_code(session, fallback_code(session, now - 1)) == Verdict.VALID
    assert check_code(session, fallback_code(session, now - 3)) == Verdict.EXPIRED
    assert check_code(other, fallback_code(session, now)) in {Verdict.INVALID, Verdict.CLOSED}


# --- QR check-in --------------------------------------------------------------------------


def test_a_valid_scan_shows_the_session_and_checks_the_officer_in(client, room):
    session, kim = room["session"], room["kim"]
    client.force_login(kim.user)
    url = _url(session, window_at())

    page = client.get(url)
    assert page.status_code == 200
    assert room["cohort"].title in page.content.decode()
    assert 'class="button-huge">Check in</button>' in page.content.decode()
    assert not Attendance.objects.exists()  # looking is not checking in

    response = client.post(url)

    assert response.status_code == 302
    mark = Attendance.objects.get(session=session, seat=kim)
    assert (mark.status, mark.source, mark.marked_by) == ("present", "qr", kim.user)
    event = AuditEvent.objects.get(action="cohort.attendance_mark")
    assert event.details["source"] == "qr" and event.actor == kim.user
    done = client.get(response["Location"]).content.decode()
    assert "You are checked in (Present)." in done
    assert "You are checked in. Welcome!" in done


def test_the_previous_windows_code_still_works_for_a_slow_phone(client, room):
    session, kim = room["session"], room["kim"]
    scanned = window_at()
    client.force_login(kim.user)
    with _later(WINDOW_SECONDS):
        assert window_at() == scanned + 1
        assert client.post(_url(session, scanned)).status_code == 302
    assert Attendance.objects.get(seat=kim).status == "present"


def test_a_code_two_windows_old_has_expired(client, room):
    session, kim = room["session"], room["kim"]
    scanned = window_at()
    client.force_login(kim.user)
    with _later(2 * WINDOW_SECONDS):
        page = client.get(_url(session, scanned))
        assert "This code has expired; scan the code on the screen again." in page.content.decode()
        assert "button-huge" not in page.content.decode()
        response = client.post(_url(session, scanned))
    assert response.status_code == 400
    assert "This code has expired" in response.content.decode()
    assert not Attendance.objects.exists()


def test_replayed_by_the_same_officer_writes_nothing_more(client, room):
    session, kim = room["session"], room["kim"]
    url = _url(session, window_at())
    client.force_login(kim.user)
    client.post(url)
    first = Attendance.objects.get(seat=kim)

    with _later(10):
        again = client.post(url, follow=True)

    assert "You are already checked in." in again.content.decode()
    assert Attendance.objects.get(seat=kim).marked_at == first.marked_at
    assert AuditEvent.objects.filter(action="cohort.attendance_mark").count() == 1
    result = attendance_check_in(
        session=session, user=kim.user, window=window_at(), token=qr_token(session, window_at())
    )
    assert result.outcome == Outcome.ALREADY


def test_a_code_replayed_after_it_expired_is_refused(client, room):
    """A screenshot passed to someone who is not in the room: refused once it is old."""
    session, kim, lee = room["session"], room["kim"], room["lee"]
    url = _url(session, window_at())
    client.force_login(kim.user)
    client.post(url)

    client.force_login(lee.user)
    with _later(WINDOW_SECONDS * 2 + 1):
        response = client.post(url)

    assert response.status_code == 400
    assert not Attendance.objects.filter(seat=lee).exists()
    assert Attendance.objects.count() == 1


def test_a_token_for_one_session_does_not_check_in_to_another(client, room):
    session, other, kim = room["session"], room["other"], room["kim"]
    now = window_at()
    client.force_login(kim.user)

    with pytest.raises(ValidationError) as refused:
        attendance_check_in(session=session, user=kim.user, window=now, token=qr_token(other, now))
    assert refused.value.code == Verdict.INVALID
    # The other session's own URL carrying this session's token: refused too.
    response = client.post(_url(other, now, token=qr_token(session, now)))
    assert response.status_code == 400
    assert "not valid for this session" in response.content.decode()
    assert not Attendance.objects.exists()


def test_check_in_is_refused_outside_the_sessions_hours(client, room):
    session, kim = room["session"], room["kim"]
    for moment in (
        session.starts_at - timedelta(minutes=61),
        session.ends_at + timedelta(seconds=1),
    ):
        with time_machine.travel(moment, tick=False):
            client.force_login(kim.user)
            now = window_at()
            with pytest.raises(ValidationError) as refused:
                attendance_check_in(
                    session=session, user=kim.user, window=now, token=qr_token(session, now)
                )
            assert refused.value.code == Verdict.CLOSED
            page = client.get(_url(session, now)).content.decode()
            assert "Check-in for this session is not open" in page
    with time_machine.travel(session.starts_at - timedelta(minutes=59), tick=False):
        now = window_at()
        attendance_check_in(
            session=session, user=kim.user, window=now, token=qr_token(session, now)
        )
    assert Attendance.objects.get(seat=kim).status == "present"


def test_someone_without_a_confirmed_seat_gets_404(client, room):
    session, cohort = room["session"], room["cohort"]
    url = _url(session, window_at())
    stranger = MembershipFactory(agency=AgencyFactory(country="TH")).user
    waiting = MembershipFactory(agency=cohort.host_agency).user
    SeatFactory(cohort=cohort, user=waiting)
    for user in (stranger, waiting, admin_of(cohort.host_agency), cohort.trainers.first()):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert not Attendance.objects.exists()
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_absent_gives_way_to_a_check_in_but_excused_stays(room):
    session, kim, lee = room["session"], room["kim"], room["lee"]
    trainer = room["cohort"].trainers.first()
    attendance_mark(session=session, seat=kim, status="absent", note="Not yet", actor=trainer)
    attendance_mark(session=session, seat=lee, status="excused", actor=trainer)
    now = window_at()
    token = qr_token(session, now)

    came = attendance_check_in(session=session, user=kim.user, window=now, token=token)
    excused = attendance_check_in(session=session, user=lee.user, window=now, token=token)

    assert came.outcome == Outcome.CHECKED_IN
    assert (came.attendance.status, came.attendance.note) == ("present", "Not yet")
    assert excused.outcome == Outcome.EXCUSED
    assert Attendance.objects.get(seat=lee).status == "excused"


# --- The typed code -----------------------------------------------------------------------


def test_typed_code_checks_the_officer_in(client, room):
    session, kim = room["session"], room["kim"]
    client.force_login(kim.user)
    page = client.get(reverse("cohorts:checkin_code"))
    assert page.status_code == 200 and 'inputmode="numeric"' in page.content.decode()

    response = client.post(
        reverse("cohorts:checkin_code"), {"code": fallback_code(session, window_at())}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:checkin_done", args=[session.pk])
    mark = Attendance.objects.get(seat=kim)
    assert (mark.session, mark.status, mark.source) == (session, "present", "code")
    assert "You are checked in" in client.get(response["Location"]).content.decode()


def test_typed_code_from_the_previous_window_works_and_an_older_one_has_expired(client, room):
    session, kim, lee = room["session"], room["kim"], room["lee"]
    shown = fallback_code(session, window_at())
    with _later(WINDOW_SECONDS):
        assert attendance_check_in_code(user=kim.user, code=shown).outcome == Outcome.CHECKED_IN
    client.force_login(lee.user)
    with _later(3 * WINDOW_SECONDS):
        response = client.post(reverse("cohorts:checkin_code"), {"code": shown})
    assert response.status_code == 400
    assert "This code has expired" in response.content.decode()
    assert not Attendance.objects.filter(seat=lee).exists()


def test_a_wrong_code_is_refused(client, room):
    session, kim = room["session"], room["kim"]
    right = fallback_code(session, window_at())
    wrong = str((int(right) + 1) % 1_000_000).zfill(6)
    client.force_login(kim.user)

    response = client.post(reverse("cohorts:checkin_code"), {"code": wrong})
    letters = client.post(reverse("cohorts:checkin_code"), {"code": "12ab56"})

    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    assert "9 tries left" in response.content.decode()
    assert letters.status_code == 400
    assert not Attendance.objects.exists()


def test_wrong_codes_are_limited_per_officer(client, room):
    session, kim, lee = room["session"], room["kim"], room["lee"]
    right = fallback_code(session, window_at())
    wrong = str((int(right) + 1) % 1_000_000).zfill(6)
    for _ in range(CODE_FAILURES_ALLOWED - 1):
        with pytest.raises(ValidationError) as refused:
            attendance_check_in_code(user=kim.user, code=wrong)
        assert refused.value.code == Verdict.INVALID
    with pytest.raises(ValidationError) as refused:
        attendance_check_in_code(user=kim.user, code=wrong)
    assert refused.value.code == "rate_limited"

    client.force_login(kim.user)
    response = client.post(reverse("cohorts:checkin_code"), {"code": right})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    assert not Attendance.objects.exists()
    lock = AuditEvent.objects.get(action="cohort.checkin_code_locked")
    assert lock.actor == kim.user and lock.outcome == "failure"
    # Another officer is not held back, and the limit lifts after ten minutes.
    assert attendance_check_in_code(user=lee.user, code=right).outcome == Outcome.CHECKED_IN
    with _later(10 * 60 + 1):
        code = fallback_code(session, window_at())
        assert attendance_check_in_code(user=kim.user, code=code).outcome == Outcome.CHECKED_IN


def test_typed_code_needs_a_session_open_for_the_officer(room):
    kim = room["kim"]
    session = room["session"]
    with (
        time_machine.travel(session.starts_at - timedelta(hours=3), tick=False),
        pytest.raises(ValidationError) as refused,
    ):
        attendance_check_in_code(user=kim.user, code=fallback_code(session, window_at()))
    assert refused.value.code == "none_open"
    # An officer whose seat is not confirmed has nothing open either.
    cohort = room["cohort"]
    waiting = MembershipFactory(agency=cohort.host_agency).user
    SeatFactory(cohort=cohort, user=waiting, status=Seat.Status.WAITLISTED)
    with pytest.raises(ValidationError) as refused:
        attendance_check_in_code(user=waiting, code=fallback_code(session, window_at()))
    assert refused.value.code == "none_open"


# --- The projector ------------------------------------------------------------------------


def open_projector(client, session) -> tuple[str, str]:
    """As the trainer: open the projector; the page's URL and its polling URL."""
    response = client.get(reverse("cohorts:qr", args=[session.pk]))
    assert response.status_code == 302
    page_url = response["Location"]
    token = page_url.rstrip("/").rsplit("/", 1)[1]
    return page_url, reverse("cohorts:projector_current", args=[session.pk, token])


def test_projector_page_shows_the_current_qr_and_code(client, room):
    session, kim = room["session"], room["kim"]
    client.force_login(room["cohort"].trainers.first())
    attendance_check_in_code(user=kim.user, code=fallback_code(session, window_at()))

    page_url, current_url = open_projector(client, session)
    page = client.get(page_url)
    current = client.get(current_url)

    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and fallback_code(session, window_at()) in html
    assert reverse("cohorts:checkin_code") in html
    # Without JavaScript the page refreshes itself; a meta element is only valid in the head.
    head, body = html.split("</head>", 1)
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in head
    assert "http-equiv" not in body
    assert "js/checkin-display.js" in html
    assert f'data-current-url="{current_url}"' in html
    data = current.json()
    assert data["open"] is True
    assert data["code"] == fallback_code(session, window_at())
    assert data["window"] == window_at()
    assert data["checked_in"] == 1
    assert 0 < data["expires_in"] <= WINDOW_SECONDS
    assert data["svg"].startswith("<svg")
    assert qr_token(session, window_at()) not in html.replace(data["svg"], "")


def test_projector_decodes_to_the_check_in_url(client, room, settings):
    """The QR code really encodes SITE_URL + the check-in URL of this window."""
    import zxingcpp

    session = room["session"]
    client.force_login(room["cohort"].trainers.first())
    _page, current_url = open_projector(client, session)
    svg = client.get(current_url).json()["svg"]
    decoded = [code.text for code in zxingcpp.read_barcodes(_svg_to_image(svg))]
    assert decoded == [settings.SITE_URL + _url(session, window_at())]


def _svg_to_image(svg: str):
    """Rasterise the QR SVG with WeasyPrint (already a dependency) via a one-page PDF."""
    import pypdfium2
    from weasyprint import HTML

    pdf = HTML(
        string=f'<html><body style="margin:0"><div style="width:80mm">{svg}</div></body></html>'
    ).write_pdf()
    return pypdfium2.PdfDocument(pdf)[0].render(scale=3).to_pil()


def test_projector_says_when_check_in_is_not_open(client, room):
    session = room["session"]
    client.force_login(room["cohort"].trainers.first())
    with time_machine.travel(session.starts_at - timedelta(hours=2), tick=False):
        page_url, current_url = open_projector(client, session)
        data = client.get(current_url).json()
        page = client.get(page_url).content.decode()
    assert data["open"] is False and data["svg"] == "" and data["code"] == ""
    assert "Check-in is not open now" in page


def test_only_those_who_run_the_cohort_open_the_projector(client, room):
    session = room["session"]
    for user in (room["kim"].user, admin_of(room["cohort"].host_agency)):
        client.force_login(user)
        assert client.get(reverse("cohorts:qr", args=[session.pk])).status_code == 404


def test_the_trainers_session_expires_while_the_projector_keeps_working(client, room):
    """The projector polls every few seconds for hours; that must not keep the trainer
    signed in. Its display token shows this session's codes and nothing else."""
    from django.contrib.sessions.models import Session as LoginSession
    from django.utils import timezone

    session = room["session"]
    client.force_login(room["cohort"].trainers.first())
    page_url, current_url = open_projector(client, session)
    login = LoginSession.objects.get(pk=client.session.session_key)
    expires = login.expire_date
    start = timezone.now()
    # Ten and twenty minutes on, the projector is still polling.
    for minutes in (10, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            for _ in range(3):
                assert client.get(current_url).status_code == 200
            assert client.get(page_url).status_code == 200
    assert LoginSession.objects.get(pk=login.pk).expire_date == expires

    # Thirty-one minutes after the trainer's last own request, their session is over; the
    # projector's is not.
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        forget_cached_session(login.pk)  # Redis's own clock would have dropped it by now
        roster = client.get(reverse("cohorts:roster", args=[session.pk]))
        assert roster.status_code == 302 and "/accounts/login/" in roster["Location"]
        data = client.get(current_url).json()
        assert data["open"] is True and data["code"] == fallback_code(session, window_at())
        assert client.get(page_url).status_code == 200


def test_a_display_token_shows_one_session_until_it_ends(client, room):
    from cohorts.checkin import display_token

    session, other = room["session"], room["other"]
    token = display_token(session)
    anonymous = client.get(reverse("cohorts:projector_current", args=[session.pk, token]))
    assert anonymous.status_code == 200
    # Another session's id with this token, a forged token, an altered expiry: 404.
    assert (
        client.get(reverse("cohorts:projector_current", args=[other.pk, token])).status_code == 404
    )
    until, mac = token.split(".")
    forged = f"{int(until) + 86400}.{mac}"
    for bad in (forged, f"{until}.{'A' * len(mac)}", "garbage"):
        url = reverse("cohorts:projector_current", args=[session.pk, bad])
        assert client.get(url).status_code == 404, bad
    # After the session ends the token is spent.
    with time_machine.travel(session.ends_at + timedelta(seconds=1), tick=False):
        assert client.get(reverse("cohorts:projector", args=[session.pk, token])).status_code == 404
    # A cancelled session shows nothing.
    session.is_cancelled = True
    session.save(update_fields=["is_cancelled"])
    assert client.get(reverse("cohorts:projector", args=[session.pk, token])).status_code == 404
