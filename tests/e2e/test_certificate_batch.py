"""End to end in Chromium: the cohort's trainer issues its missing certificates in bulk and
watches the counts reach the end on the progress page, without a reload, while a real Celery
worker issues them; the pages have no accessibility violations. The worker starts only after
the page has loaded, so the page is seen to change."""

import re

import factory
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from certificates.models import Certificate, CertificateBatch
from cohorts.models import Seat
from tests.factories import (
    TEST_PASSWORD,
    SeatFactory,
    UserFactory,
    build_cohort,
    totp_code,
    with_totp,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.worker]

SEATS = 4


def violations(page) -> list[str]:
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


def test_trainer_watches_a_bulk_issue_finish_without_reloading(
    browser, live_server, worker_factory
):
    # Until worker_factory starts one, no worker takes a task (a shared one is paused).
    cohort = build_cohort(capacity=SEATS + 1, title="Bangkok tracing workshop")
    SeatFactory.create_batch(
        SEATS,
        cohort=cohort,
        user=factory.SubFactory(UserFactory),
        status=Seat.Status.APPROVED,
        completed_at=timezone.now(),
    )
    trainer = cohort.trainers.first()
    trainer.authenticator_set.all().delete()
    secret = with_totp(trainer)

    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email:").fill(trainer.email)
    page.get_by_label("Password:").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("Welcome")).wait_for()

    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/")
    page.get_by_role("link", name="Certificates", exact=True).click()
    assert violations(page) == []
    page.get_by_role("button", name="Issue missing certificates").click()
    page.wait_for_url(re.compile(r"/certificates/batches/\d+/$"))
    # A mark on this document: a reload would lose it.
    page.evaluate("window.notReloaded = true")
    bar = page.get_by_label("Certificates settled")
    assert bar.get_attribute("max") == str(SEATS)
    live = page.get_by_role("status").filter(has_text="done,")
    assert f"0 of {SEATS} done, 0 failed, {SEATS} waiting." in live.inner_text()
    assert page.locator('[data-count="waiting"]').inner_text() == str(SEATS)

    # The items' messages wait in Redis; a worker now takes them, then the renders.
    worker_factory()
    live.filter(has_text="Finished.").wait_for(timeout=90_000)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator('[data-count="done"]').inner_text() == str(SEATS)
    assert page.locator('[data-count="waiting"]').inner_text() == "0"
    assert bar.get_attribute("value") == str(SEATS)
    assert f"{SEATS} of {SEATS} done, 0 failed, 0 waiting." in live.inner_text()
    assert violations(page) == []

    batch = CertificateBatch.objects.get()
    assert batch.finished_at is not None
    issued = Certificate.objects.filter(cohort=cohort, status=Certificate.Status.ISSUED)
    assert issued.count() == SEATS
    context.close()
