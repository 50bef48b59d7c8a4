"""The roster on a phone in Chromium: marks saved at once, kept on the phone and sent again
when the connection (or the server) comes back, also after the page is opened again; the
projector page swaps its code by itself when the window turns; no serious accessibility problems at 375 px."""

import re

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from cohorts.checkin import qr_token, window_at
from cohorts.models import Attendance
from tests.factories import build_cohort, seated

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized browser signed in as the trainer of a cohort with three officers."""
    cohort = build_cohort(capacity=5)
    seats = [seated(cohort) for _ in range(3)]
    trainer = cohort.trainers.first()
    context = browser.new_context(viewport=PHONE, locale="en-GB", has_touch=True)
    _sign_in(context, live_server.url, trainer)
    page = context.new_page()
    page.set_default_timeout(15_000)
    session = cohort.sessions.first()
    yield {
        "page": page,
        "context": context,
        "base": live_server.url,
        "session": session,
        "seats": seats,
        "roster": live_server.url + reverse("cohorts:roster", args=[session.pk]),
    }
    context.close()


def _sign_in(context, base: str, user) -> None:
    """The browser carries a session signed in as this user (as after the login form)."""
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base}])


def _row(page, seat):
    return page.locator(f"#seat-{seat.pk}")


def _serious_problems(page) -> list[str]:
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
    )
    return [
        f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_marks_are_saved_at_once_and_kept_through_a_lost_connection(phone):
    page, context, session = phone["page"], phone["context"], phone["session"]
    first, second, _third = phone["seats"]
    page.goto(phone["roster"])

    _row(page, first).get_by_role("button", name="Present").click()
    _row(page, first).get_by_text("Saved: Present").wait_for()
    assert (
        _row(page, first).get_by_role("button", name="Present").get_attribute("aria-pressed")
        == "true"
    )
    assert Attendance.objects.get(session=session, seat=first).status == "present"
    assert page.locator('[data-count="present"]').inner_text() == "1"

    context.set_offline(True)
    _row(page, second).get_by_label("Note").fill("Arrived 9:40")
    _row(page, second).get_by_role("button", name="Late").click()
    _row(page, second).get_by_text("Waiting to send").wait_for()
    page.get_by_text("Marks waiting to send: 1").wait_for()
    assert not Attendance.objects.filter(seat=second).exists()

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _row(page, second).get_by_text("Saved: Late").wait_for()
    page.get_by_text("All marks are saved.").wait_for()
    mark = Attendance.objects.get(session=session, seat=second)
    assert (mark.status, mark.note) == ("late", "Arrived 9:40")


def test_a_mark_the_server_did_not_take_is_sent_when_the_page_opens_again(phone):
    page, session = phone["page"], phone["session"]
    third = phone["seats"][2]
    mark_url = "**" + reverse("cohorts:mark", args=[session.pk])
    page.route(mark_url, lambda route: route.fulfill(status=503, body="down"))
    page.goto(phone["roster"])

    _row(page, third).get_by_role("button", name="Absent").click()
    _row(page, third).get_by_text("Waiting to send").wait_for()
    assert not Attendance.objects.exists()

    page.unroute(mark_url)
    page.goto(phone["roster"])  # the server's page knows nothing of it; the phone does
    _row(page, third).get_by_text("Saved: Absent").wait_for()
    assert Attendance.objects.get(session=session, seat=third).status == "absent"
    assert page.evaluate(f"localStorage.getItem('roster-queue-{session.pk}')") == "{}"


def test_roster_and_check_in_pages_have_no_serious_accessibility_problems(phone):
    page, session = phone["page"], phone["session"]
    for url in (
        phone["roster"],
        phone["base"] + reverse("cohorts:qr", args=[session.pk]),
        phone["base"] + reverse("cohorts:sign_in_sheet", args=[session.pk]),
        phone["base"] + reverse("cohorts:attendance_import", args=[session.pk]),
    ):
        page.goto(url)
        assert _serious_problems(page) == [], url
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (url, width)

    # The officer's side: the page a scanned code opens, and the typed-code page.
    phone["context"].clear_cookies()
    _sign_in(phone["context"], phone["base"], phone["seats"][0].user)
    window = window_at()
    for url in (
        reverse("cohorts:checkin", args=[session.pk, window, qr_token(session, window)]),
        reverse("cohorts:checkin_code"),
    ):
        page.goto(phone["base"] + url)
        page.get_by_role("heading", name=re.compile("Check in")).wait_for()
        assert _serious_problems(page) == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url


def test_projector_swaps_the_code_each_window_and_counts_check_ins(browser, live_server):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from cohorts.checkin import WINDOW_SECONDS, fallback_code
    from cohorts.services.attendance import attendance_check_in_code

    # A session open for check-in now: today all day at the venue (tomorrow's, which opens
    # an hour early, in the last minutes of the day).
    venue_now = timezone.now().astimezone(ZoneInfo("Asia/Bangkok"))
    day = venue_now.date() + timedelta(days=1 if venue_now.hour == 23 else 0)
    cohort = build_cohort(capacity=5, days=1, first_day=day, start=(0, 0), end=(23, 59))
    session = cohort.sessions.get()
    officer = seated(cohort).user
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    _sign_in(context, live_server.url, cohort.trainers.first())
    page = context.new_page()
    page.goto(live_server.url + reverse("cohorts:qr", args=[session.pk]))
    shown = page.locator("#checkin-code").inner_text()
    # The page may have been drawn just before a window turned.
    now = window_at()
    assert shown in {fallback_code(session, now), fallback_code(session, now - 1)}
    assert page.locator("#checkin-qr svg").count() == 1

    attendance_check_in_code(user=officer, code=shown)
    expect(page.locator("#checkin-count")).to_have_text("1", timeout=10_000)
    # Rather than wait up to 30 s for the window to turn, move the clock a window on: the live
    # server answers from this process, so its next answer to the page (the page asks at
    # least every 5 s) is the next window's code.
    with time_machine.travel(timezone.now() + timedelta(seconds=WINDOW_SECONDS), tick=True):
        expect(page.locator("#checkin-code")).not_to_have_text(shown, timeout=15_000)
        now = window_at()
        assert page.locator("#checkin-code").inner_text() in {
            fallback_code(session, now),
            fallback_code(session, now - 1),
        }
    context.close()
