"""End to end in Chromium: an officer signs up with an agency email, the agency admin signs in
with an authenticator code and approves them, and the officer then reads a
law-enforcement-only lesson."""

import re

import pytest

from courses.models import Lesson
from tests.e2e.conftest import confirmation_link
from tests.factories import TEST_PASSWORD, admin_of, totp_code, with_totp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

OFFICER_EMAIL = "new.detective@knpa.example"
OFFICER_PASSWORD = "harbour lights at midnight 9"


def test_admin_with_totp_approves_and_the_officer_reads_le_content(
    browser, live_server, curriculum, mail_dir, agency
):
    course = curriculum
    le_lesson = (
        Lesson.objects.filter(module__course=course, access=Lesson.Access.LAW_ENFORCEMENT)
        .select_related("module")
        .order_by("module__order", "order")
        .first()
    )
    admin = admin_of(agency, email="admin@knpa.example")
    admin.authenticator_set.all().delete()
    secret = with_totp(admin)
    base = live_server.url

    officer_context = browser.new_context(locale="en-GB")
    officer = officer_context.new_page()
    officer.set_default_timeout(15_000)
    # The officer signs up with the agency's domain and confirms the address.
    officer.goto(f"{base}/accounts/signup/")
    officer.get_by_label("Email:").fill(OFFICER_EMAIL)
    officer.get_by_label("Full name:").fill("Han Ji-ho")
    officer.get_by_label("Password:", exact=True).fill(OFFICER_PASSWORD)
    officer.get_by_label("Password (again):").fill(OFFICER_PASSWORD)
    officer.get_by_role("button", name="Sign Up").click()
    officer.get_by_role("heading", name="Verify Your Email Address").wait_for()
    officer.goto(confirmation_link(mail_dir))
    officer.get_by_role("button", name="Confirm").click()
    officer.get_by_role("heading", name="Welcome, Han Ji-ho").wait_for()
    officer.goto(base + course.get_absolute_url())
    officer.get_by_role("button", name="Enroll in this course").click()
    # Pending vetting: the law-enforcement-only lesson does not exist for them yet.
    officer.goto(base + le_lesson.get_absolute_url())
    officer.get_by_role("heading", name="Page not found").wait_for()

    admin_context = browser.new_context(locale="en-GB")
    page = admin_context.new_page()
    page.set_default_timeout(15_000)
    # The admin signs in with password and authenticator code, finds the officer, approves.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email:").fill(admin.email)
    page.get_by_label("Password:").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("Welcome")).wait_for()
    page.get_by_role("link", name="People").click()
    page.get_by_role("link", name=agency.name).click()
    page.get_by_role("link", name="Han Ji-ho").click()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved").first.wait_for()

    # The officer reloads: the lesson is open.
    officer.reload()
    officer.get_by_role("heading", level=1, name=le_lesson.title).wait_for()
    assert "Law enforcement only" in officer.locator("article").inner_text()
    officer_context.close()
    admin_context.close()
