"""The agency's requirements page in Chromium: axe finds no serious WCAG 2.1 AA problem at
1200 px and 375 px, nothing scrolls sideways on a phone, and the choice works by keyboard."""

import pytest
from django.urls import reverse

from reports.models import AgencyRequirement, RequirementSet
from tests.e2e.test_accessibility import problems, sign_in
from tests.factories import TEST_PASSWORD, AgencyFactory, admin_of, with_totp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_requirements_page_is_accessible_and_works_by_keyboard(browser, live_server, curriculum):
    """One sign-in, both widths: the choice by keyboard on a desktop, then the same page (now
    with the set chosen) on a phone."""
    # `curriculum`: the course and the three demo sets, as content_sync imports them
    agency = AgencyFactory(name="Seoul Metropolitan Police", country="KR")
    admin = admin_of(agency, email="choice.admin@knpa.example")
    admin.authenticator_set.all().delete()
    secret = with_totp(admin)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    url = live_server.url + reverse("reports:agency_requirements", args=[agency.pk])
    try:
        sign_in(page, live_server.url, admin.email, TEST_PASSWORD, secret)
        page.goto(url)
        assert problems(page) == []
        knpa = RequirementSet.objects.get(country="KR")
        page.get_by_label(f"Follow {knpa.name}").focus()
        page.keyboard.press("Space")
        assert page.get_by_label(f"Follow {knpa.name}").is_checked()
        page.get_by_role("button", name="Save the choice").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        message = page.locator(".messages").inner_text()
        assert "Your agency now follows KNPA cyber investigators (demo)." in message
        assert problems(page) == []
        for width in (1200, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            assert problems(page) == [], width
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
    assert AgencyRequirement.objects.get(agency=agency).requirement_set == knpa
