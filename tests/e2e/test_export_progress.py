"""The export job page in Chromium: its script follows the build without a reload and shows
the download link once the file is ready; the export pages have no serious WCAG 2.1 AA
violations (axe) at 1200 px and at 375 px."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from reports.models import ExportJob
from reports.services.export_jobs import export_job_build
from tests.e2e.test_accessibility import problems, sign_in
from tests.factories import TEST_PASSWORD, AgencyFactory, MembershipFactory, UserFactory, with_totp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


@pytest.mark.parametrize(
    "viewport", [{"width": 1200, "height": 900}, {"width": 375, "height": 740}]
)
def test_job_page_follows_the_build_and_shows_the_download_link(
    browser, live_server, settings, viewport
):
    settings.EXPORT_ASYNC_ROWS = 2
    agency = AgencyFactory(name="Police of Moldova", country="MD", time_zone="Europe/Chisinau")
    admin = MembershipFactory(
        agency=agency, role=Membership.Role.AGENCY_ADMIN, user=UserFactory(email="a@md.example")
    ).user
    secret = with_totp(admin)
    for name in ("Ion Popescu", "Maria Rusu", "=1+1"):
        MembershipFactory(agency=agency, user=UserFactory(full_name=name))
    # The row alone, not through the outbox: a worker running for other tests would build it
    # before the page is open; here the test builds it while the page watches.
    job = ExportJob.objects.create(
        user=admin, table="roster", format="xlsx", params={"agency": str(agency.pk)},
        agency=agency, rows_total=4, time_zone="Europe/Chisinau",
    )  # fmt: skip
    base = live_server.url
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = {}
    try:
        sign_in(page, base, admin.email, TEST_PASSWORD, secret)
        for path in (reverse("reports:roster", args=[agency.pk]), reverse("reports:export_jobs")):
            page.goto(base + path)
            found[path] = problems(page)

        page.goto(base + reverse("reports:export_job", args=[job.pk]))
        assert page.locator("#export-ready").is_hidden()
        assert page.locator("#export-live").inner_text() == "Waiting: 0 of 4 rows written."
        found["job"] = problems(page)

        export_job_build(job_id=job.pk)  # what the worker does; the page is not reloaded

        page.locator("#export-download").wait_for(state="visible")
        assert page.locator("#export-live").inner_text() == "Ready: 4 of 4 rows written."
        assert page.locator("#export-bar").evaluate("bar => [bar.value, bar.max]") == [4, 4]
        href = page.locator("#export-download").get_attribute("href")
        assert href == reverse("reports:export_job_download", args=[job.pk])
        job.refresh_from_db()
        assert job.status == ExportJob.Status.READY
        assert page.locator("#export-expires").inner_text()
        found["job ready"] = problems(page)

        # Over the limit from the roster's link: the password again, then the offer to build.
        page.goto(base + reverse("reports:roster", args=[agency.pk]))
        page.get_by_role("link", name="Download XLSX").click()
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Build the XLSX file").wait_for()
        found["confirm"] = problems(page)
        page.get_by_role("button", name="Build the XLSX file").click()
        page.wait_for_url("**/exports/jobs/*/")
        assert ExportJob.objects.filter(user=admin).count() == 2
    finally:
        context.close()
    assert {path: issues for path, issues in found.items() if issues} == {}
