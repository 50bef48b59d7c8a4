"""The training record and its verify page in Chromium: no WCAG 2.1 A/AA violation found by
axe, on a desktop and on a 375 px phone, where the page does not scroll sideways (wide tables
scroll inside their own box); the officer downloads their own CSV without a password."""

import pytest
from django.urls import reverse

from tests.e2e.test_accessibility import sign_in
from tests.factories import TEST_PASSWORD
from tests.reports.test_transcript_pdf import transcript_made
from tests.reports.test_transcripts import build_long_record

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("width", [1200, 375])
def test_the_record_and_verify_pages_pass_axe_and_fit_a_phone(browser, live_server, officer, width):
    build_long_record(officer, courses=1)
    made = transcript_made(officer=officer, actor=officer, language="en")
    context = browser.new_context(viewport={"width": width, "height": 800}, accept_downloads=True)
    page = context.new_page()
    found = {}
    try:
        for path in (reverse("reports:transcript_verify", args=[made.verify_token]),):
            page.goto(live_server.url + path)
            found[path] = violations(page)
        sign_in(page, live_server.url, officer.email, TEST_PASSWORD)
        path = reverse("reports:my_transcript")
        page.goto(live_server.url + path)
        found[path] = violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        with page.expect_download() as download:
            page.get_by_role("link", name="Download as CSV").click()
        assert download.value.suggested_filename.startswith(f"training-record-{officer.pk}-")
    finally:
        context.close()
    assert {path: issues for path, issues in found.items() if issues} == {}
