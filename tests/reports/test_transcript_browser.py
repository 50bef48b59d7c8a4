"""The training record, its signed PDF's page and the verify page in Chromium: no WCAG 2.1
A/AA violation found by axe, on a desktop and on a 375 px phone, where the page does not
scroll sideways (wide tables scroll inside their own box); the officer downloads their own
CSV; the signed PDF's page follows the worker without a reload and then shows the link."""

import pytest
from django.urls import reverse

from reports.models import Transcript
from reports.services.transcripts import transcript_render
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
def test_the_record_its_signed_pdf_and_the_verify_page_pass_axe_and_fit_a_phone(
    browser, live_server, officer, width
):
    """One record and one sign-in per width: the verify page of a made transcript, the record
    (the officer's own CSV downloads without a password), then a new signed PDF's page
    following the worker without a reload."""
    build_long_record(officer, courses=1)
    verified = transcript_made(officer=officer, actor=officer, language="en")
    context = browser.new_context(viewport={"width": width, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = {}
    try:
        page.goto(
            live_server.url + reverse("reports:transcript_verify", args=[verified.verify_token])
        )
        found["verify"] = violations(page)
        sign_in(page, live_server.url, officer.email, TEST_PASSWORD)
        page.goto(live_server.url + reverse("reports:my_transcript"))
        found["record"] = violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        with page.expect_download() as download:
            # The officer's own record: no password asked.
            page.get_by_role("link", name="Download CSV").click()
        assert download.value.suggested_filename.startswith("transcript-")

        # The row alone, not through the outbox: a worker running for other tests would make
        # it before the page is open; here the test makes it while the page watches.
        made = Transcript.objects.create(user=officer, created_by=officer, language="en")
        page.goto(live_server.url + reverse("reports:signed_transcript", args=[made.serial]))
        assert page.locator("#transcript-ready").is_hidden()
        assert page.locator("#transcript-live").inner_text().startswith("Being made")
        found["pending"] = violations(page)

        transcript_render(transcript_id=made.pk)  # what the worker does; no reload

        page.locator("#transcript-download").wait_for(state="visible")
        assert page.locator("#transcript-live").inner_text().startswith("Ready")
        href = page.locator("#transcript-download").get_attribute("href")
        assert href == reverse("reports:signed_transcript_download", args=[made.serial])
        found["ready"] = violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
    assert {state: issues for state, issues in found.items() if issues} == {}
