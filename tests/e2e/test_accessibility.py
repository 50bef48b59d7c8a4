"""Accessibility in Chromium with axe-core on a phone-sized screen: the main pages of each
journey have no WCAG 2.1 A/AA violation of any impact at 375 px. The desktop size is covered
page by page, for every role and in two languages, by the crawl (test_crawl.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from assessments.models import Question
from assessments.services import attempt_start
from courses.models import Lesson
from courses.services import enrollment_create
from tests.e2e.pagecheck import axe_violations
from tests.factories import (
    TEST_PASSWORD,
    CertificateFactory,
    admin_of,
    build_cohort,
    seated,
    take_part,
    totp_code,
    with_totp,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

PHONE = {"width": 375, "height": 740}


def problems(page) -> list[str]:
    """Every violation axe finds (WCAG 2.1 A and AA, any impact), as the crawl checks."""
    return axe_violations(page)


def sign_in(page, base, email, password, secret=None):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:").fill(password)
    page.get_by_role("button", name="Sign In").click()
    if secret:
        page.get_by_label("Code").fill(totp_code(secret))
        page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/")


def test_main_pages_have_no_violations_on_a_phone(
    browser, live_server, curriculum, officer, agency
):
    course = curriculum
    enrollment = enrollment_create(user=officer, course=course)
    lesson = Lesson.objects.filter(module__course=course).order_by("module__order", "order").first()
    lab_quiz = Question.objects.get(key="lab1", quiz__module__slug="tracing-stolen-funds").quiz
    attempt = attempt_start(user=officer, quiz=lab_quiz, enrollment=enrollment)
    # An in-person cohort hosted in Bangkok, the officer's agency taking part, the officer seated.
    cohort = build_cohort(course=course)
    take_part(cohort, agency, quota=3)
    seated(cohort, agency=agency, user=officer)
    trainer = cohort.trainers.first()
    # A certificate expiring within 90 days, so the renewal page shows its steps.
    certificate = CertificateFactory(
        enrollment=enrollment,
        status="issued",
        pdf="certificates/a11y.pdf",
        issued_at=timezone.now(),
        valid_until=timezone.now() + timedelta(days=30),
    )
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    found = {}
    try:
        for path in ("/", "/accounts/login/", "/accounts/signup/"):
            page.goto(base + path)
            found[path] = problems(page)
        sign_in(page, base, officer.email, TEST_PASSWORD)
        for path in (
            reverse("certificates:dashboard"),
            reverse("courses:catalog"),
            course.get_absolute_url(),
            lesson.get_absolute_url(),
            reverse("courses:glossary", args=[course.slug, lesson.module.slug]),
            reverse("assessments:attempt", args=[attempt.pk]),
            reverse("assessments:lab", args=[attempt.pk, "lab1"]),
            reverse("accounts:profile"),
            reverse("cohorts:list"),
            cohort.get_absolute_url(),
            reverse("cohorts:calendar"),
            reverse("certificates:renew", args=[certificate.pk]),
        ):
            page.goto(base + path)
            found[path] = problems(page)
        page.context.clear_cookies()
        admin = admin_of(agency, email="a11y.admin@knpa.example")
        admin.authenticator_set.all().delete()
        secret = with_totp(admin)
        sign_in(page, base, admin.email, TEST_PASSWORD, secret)
        member = Membership.objects.filter(agency=agency, role="officer").first()
        for path in (
            reverse("reports:roster", args=[agency.pk]),
            reverse("accounts:member", args=[member.pk]),
            reverse("accounts:invitations", args=[agency.pk]),
            reverse("accounts:audit_search"),
            reverse("cohorts:list"),
            reverse("cohorts:nominate", args=[cohort.pk]),
            reverse("cohorts:seats", args=[cohort.pk]),
            reverse("reports:cohort_report", args=[cohort.pk]),
        ):
            page.goto(base + path)
            found[path] = problems(page)
        page.context.clear_cookies()
        trainer.authenticator_set.all().delete()
        sign_in(page, base, trainer.email, TEST_PASSWORD, with_totp(trainer))
        for path in (
            reverse("cohorts:new") + f"?course={course.slug}",
            cohort.get_absolute_url(),
            reverse("cohorts:sessions", args=[cohort.pk]),
            reverse("cohorts:agencies", args=[cohort.pk]),
        ):
            page.goto(base + path)
            found[path] = problems(page)
    finally:
        context.close()
    assert {path: issues for path, issues in found.items() if issues} == {}


def test_the_checker_finds_a_planted_problem(page):
    page.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
    assert any(issue.startswith("image-alt") for issue in problems(page))


def test_trainer_translation_pages_have_no_serious_violations(browser, live_server, tmp_path):
    """The stale translations per language and the English-changes page (a diff, and the
    page for a version not on record)."""
    from assessments.models import QuizTranslation
    from courses.models import GlossaryTranslation, SourceSnapshot
    from tests.courses.test_translation_changes import make_all_stale, write_translated
    from tests.factories import MembershipFactory

    module = write_translated(tmp_path)
    make_all_stale(module, tmp_path)
    quiz = QuizTranslation.objects.get()
    glossary = GlossaryTranslation.objects.get()
    SourceSnapshot.objects.filter(sha256__startswith=glossary.source_hash).delete()
    trainer = MembershipFactory(role=Membership.Role.TRAINER).user
    secret = with_totp(trainer)
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    found = {}
    try:
        sign_in(page, live_server.url, trainer.email, TEST_PASSWORD, secret)
        for path in (
            reverse("courses:trainer_content"),
            reverse("courses:trainer_translation_changes", args=["quiz", quiz.pk]),
            reverse("courses:trainer_translation_changes", args=["glossary", glossary.pk]),
        ):
            assert page.goto(live_server.url + path).status == 200, path
            found[path] = problems(page)
    finally:
        context.close()
    assert {path: issues for path, issues in found.items() if issues} == {}
