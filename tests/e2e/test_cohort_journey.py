"""End to end in Chromium: a trainer schedules a two-day cohort in Bangkok, an agency admin in
Seoul nominates two officers, the trainer approves them and marks attendance on both days,
and a real Celery worker issues both officers their certificates."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from certificates.models import Certificate
from cohorts.models import Attendance, Cohort, Seat
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_course,
    totp_code,
    trainer_for,
    with_totp,
)
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.worker]


def _sign_in_with_totp(browser, base: str, user, secret: str):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email:").fill(user.email)
    page.get_by_label("Password:").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("Welcome")).wait_for()
    return context, page


def _fresh_totp(user) -> str:
    user.authenticator_set.all().delete()
    return with_totp(user)


def test_bangkok_cohort_from_scheduling_to_certificates(browser, live_server, celery_worker):
    base = live_server.url
    course = build_course(modules=1, lessons_per_module=1, questions=1)
    course.title = "Tracing stolen funds"
    course.save(update_fields=["title"])
    AgencyFactory(name="Royal Thai Police", country="TH", time_zone="Asia/Bangkok")
    korean = AgencyFactory(name="Korean National Police", country="KR", time_zone="Asia/Seoul")
    trainer = trainer_for(course, email="trainer@rtp.example", full_name="Somchai Wongsakul")
    admin = admin_of(korean, email="admin@knpa.example", full_name="Park Ji-won")
    officers = [
        MembershipFactory(agency=korean, user=UserFactory(full_name=name)).user
        for name in ("Kim Min-jun", "Lee Seo-yeon")
    ]
    first_day = timezone.localdate() + timedelta(days=21)
    deadline = first_day - timedelta(days=7)

    # The trainer schedules the cohort: course first, then the details.
    trainer_context, page = _sign_in_with_totp(browser, base, trainer, _fresh_totp(trainer))
    page.get_by_role("link", name="Cohorts").first.click()
    page.get_by_role("link", name="Schedule a cohort").click()
    page.get_by_label("Course:", exact=True).select_option(label="Tracing stolen funds")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Title:", exact=True).fill("Bangkok tracing workshop")
    page.get_by_label("Host country:", exact=True).fill("TH")
    page.get_by_label("City:", exact=True).fill("Bangkok")
    page.get_by_label("Venue:", exact=True).fill("RTP Training Centre")
    page.get_by_label("Venue address:", exact=True).fill("1 Rama I Road, Pathum Wan")
    page.get_by_label("Venue time zone:", exact=True).select_option("Asia/Bangkok")
    page.get_by_label("Capacity:", exact=True).fill("30")
    page.get_by_label("Host agency:", exact=True).select_option(label="Royal Thai Police")
    page.get_by_role("checkbox", name=re.compile("Somchai Wongsakul")).check()
    page.get_by_label("Nomination deadline: date at the venue:", exact=True).fill(
        deadline.isoformat()
    )
    page.get_by_role("button", name="Schedule the cohort").click()
    # A new cohort is a draft; the next step is its sessions.
    page.get_by_role("heading", name="Sessions").wait_for()
    cohort = Cohort.objects.get(title="Bangkok tracing workshop")
    assert cohort.status == Cohort.Status.DRAFT

    # Two days, typed in Bangkok time.
    for offset, end in ((0, "17:00"), (1, "16:00")):
        page.get_by_label("Date:", exact=True).fill(
            (first_day + timedelta(days=offset)).isoformat()
        )
        page.get_by_label("Starts:", exact=True).fill("09:00")
        page.get_by_label("Ends:", exact=True).fill(end)
        page.get_by_role("button", name="Add the session").click()
        page.get_by_text(f"{end}").first.wait_for()
    assert cohort.sessions.count() == 2
    # The Korean agency takes part with two seats.
    page.goto(base + cohort.get_absolute_url())
    page.get_by_role("link", name="Agencies and quotas").click()
    page.get_by_label("Agency:", exact=True).select_option(label="Korean National Police")
    page.get_by_label("Seat quota").last.fill("2")
    page.get_by_role("button", name="Invite the agency").click()
    page.get_by_role("heading", name="Korean National Police").wait_for()
    page.goto(base + cohort.get_absolute_url())
    page.get_by_role("button", name="Open for nominations").click()
    page.get_by_text("Open for nominations").first.wait_for()
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.OPEN

    # The Seoul admin sees the sessions in Bangkok time and in Seoul time, and nominates two.
    admin_context, admin_page = _sign_in_with_totp(browser, base, admin, _fresh_totp(admin))
    admin_page.get_by_role("link", name="Cohorts").first.click()
    admin_page.get_by_role("link", name="Bangkok tracing workshop").first.click()
    times = admin_page.locator(".session-times").first.inner_text()
    assert "09:00" in times and "venue time (Asia/Bangkok" in times
    assert "11:00" in times and "your time (Asia/Seoul)" in times
    admin_page.get_by_role("link", name="Nominate officers").click()
    for officer in officers:
        admin_page.get_by_label(re.compile(officer.full_name)).check()
    admin_page.get_by_role("button", name="Nominate the ticked officers").click()
    admin_page.get_by_text("Lee Seo-yeon").first.wait_for()
    assert Seat.objects.filter(cohort=cohort, status=Seat.Status.NOMINATED).count() == 2
    admin_context.close()

    # The trainer approves both nominations.
    page.goto(base + cohort.get_absolute_url())
    page.get_by_role("link", name="Seats", exact=True).click()
    for officer in officers:
        page.get_by_role("button", name=f"Approve {officer.full_name}").click()
        page.get_by_role("button", name=f"Approve {officer.full_name}").wait_for(state="detached")
    assert Seat.objects.filter(cohort=cohort, status=Seat.Status.APPROVED).count() == 2

    # On each day the trainer marks both officers present on the phone roster.
    page.goto(base + cohort.get_absolute_url())
    page.get_by_role("button", name="Start running").click()
    page.get_by_text("Running").first.wait_for()
    sessions = list(cohort.sessions.order_by("starts_at"))
    for session in sessions:
        page.goto(base + cohort.get_absolute_url())
        page.get_by_role("link", name=re.compile(r"^Attendance")).nth(
            sessions.index(session)
        ).click()
        page.get_by_role("heading", name="Roster").wait_for()
        for seat in Seat.objects.filter(cohort=cohort):
            row = page.locator(f"#seat-{seat.pk}")
            row.get_by_role("button", name="Present").click()
            row.get_by_text("Saved: Present").wait_for()
    assert Attendance.objects.filter(seat__cohort=cohort, status="present").count() == 4

    # Both officers complete, and the worker renders their certificates.
    issued = Certificate.objects.filter(cohort=cohort, status=Certificate.Status.ISSUED)
    wait_for(lambda: issued.count() == 2, interval=0.2, message="not two certificates issued")
    assert set(issued.values_list("user_id", flat=True)) == {o.pk for o in officers}
    trainer_context.close()

    # Each officer finds the certificate on their dashboard and downloads it.
    officer_context = browser.new_context(locale="en-GB")
    client = Client()
    client.force_login(officers[0])
    officer_context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    officer_page = officer_context.new_page()
    officer_page.goto(f"{base}/dashboard/")
    officer_page.get_by_text("In person: Bangkok, TH").wait_for()
    with officer_page.expect_download() as download:
        officer_page.get_by_role("link", name=re.compile("Download PDF")).click()
    assert download.value.suggested_filename.startswith("certificate-")
    officer_context.close()
