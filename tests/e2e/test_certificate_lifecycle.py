"""End to end in Chromium: an agency admin signs in with an authenticator code, opens an
officer's certificate page, revokes it with a category, a reason and their password, and the
public verification page then says revoked, with the category and not the reason. Both pages
pass axe (no serious or critical WCAG 2.1 A/AA violations)."""

import re

import pytest

from certificates.models import Certificate
from tests.certificates.issuing import issued_certificate
from tests.e2e.test_accessibility import problems, sign_in
from tests.factories import TEST_PASSWORD, admin_of, with_totp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_agency_admin_revokes_and_the_verify_page_says_revoked(
    browser, live_server, officer, agency
):
    certificate = issued_certificate(officer)
    admin = admin_of(agency, full_name="Ada Admin")
    admin.authenticator_set.all().delete()
    secret = with_totp(admin)
    base = live_server.url
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, base, admin.email, TEST_PASSWORD, secret)
        page.goto(f"{base}/certificates/{certificate.pk}/")
        page.get_by_role("heading", level=1, name=certificate.course_title).wait_for()
        # The copy button is shown only once its script ran (CSP: a static file).
        page.get_by_role("button", name="Copy link").wait_for()
        assert problems(page) == []

        revoke = page.locator("form", has=page.get_by_role("heading", name="Revoke"))
        revoke.get_by_label("Reason category").select_option("misconduct")
        revoke.get_by_label("Reason (kept in the audit trail").fill("Case 4711, internal")
        revoke.get_by_label("Your password").fill(TEST_PASSWORD)
        revoke.get_by_role("button", name="Revoke the certificate").click()
        page.get_by_text("The certificate is revoked.").wait_for()
        assert "Case 4711, internal" in page.locator("main").inner_text()  # the history
        assert page.get_by_role("button", name="Revoke the certificate").count() == 0

        # Anyone with the link: a fresh browser, not signed in.
        public = browser.new_context(locale="en-GB").new_page()
        public.goto(base + certificate.get_absolute_url())
        public.get_by_text("This certificate has been revoked.").wait_for()
        text = public.locator("main").inner_text()
        assert "Assessment misconduct" in text
        assert "Case 4711" not in text
        assert re.search(r"Revoked on\s+\S", text)
        assert problems(public) == []
        public.context.close()
    finally:
        context.close()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


def test_the_holder_opens_their_page_from_the_dashboard_and_copies_the_verify_link(
    browser, live_server, officer
):
    certificate = issued_certificate(officer)
    base = live_server.url
    context = browser.new_context(locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, base, officer.email, TEST_PASSWORD)
        page.get_by_role("link", name=certificate.serial, exact=True).click()
        page.get_by_role("heading", level=1, name=certificate.course_title).wait_for()
        linkedin = page.get_by_role("link", name=re.compile("Add to LinkedIn profile"))
        assert linkedin.get_attribute("href").startswith("https://www.linkedin.com/profile/add?")
        assert page.get_by_role("button", name="Revoke the certificate").count() == 0
        # The Clipboard API writes only from the focused page: under a loaded parallel run
        # the page may not have focus yet (the copy then fails and says so).
        page.bring_to_front()
        page.get_by_role("button", name="Copy link").click()
        page.get_by_text("Copied to the clipboard.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == certificate.verify_url
        assert problems(page) == []
    finally:
        context.close()
