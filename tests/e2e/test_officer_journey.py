"""End to end in headless Chromium: sign up, verify, enroll, read, pass, download, verify."""

import re

import pytest

from accounts.models import Membership
from accounts.services import membership_approve
from assessments.models import Attempt, Quiz
from certificates.models import Certificate
from courses.models import Enrollment, Lesson
from courses.services import lesson_complete
from tests.certificates.pdf import pdf_facts
from tests.e2e.answers import question_answer_fill
from tests.e2e.conftest import confirmation_link
from tests.e2e.labs import lab_answer_fill
from tests.factories import MembershipFactory
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

PASSWORD = "patrol car number 7 blue"


@pytest.fixture
def synced_content(curriculum):
    return curriculum


def test_officer_signs_up_completes_the_course_and_verifies_the_certificate(
    page, live_server, celery_worker, mail_dir, synced_content, agency
):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    base = live_server.url

    # Sign up with an official email and confirm it from the mail file.
    page.goto(f"{base}/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email:").fill("e2e.officer@knpa.example")
    page.get_by_label("Full name:").fill("Choi Eun-ji")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()

    page.goto(confirmation_link(mail_dir))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Welcome, Choi Eun-ji").wait_for()

    # The agency vets the new officer (the admin's side has its own journey test).
    admin = MembershipFactory(agency=agency, role=Membership.Role.AGENCY_ADMIN).user
    pending = Membership.objects.get(user__email="e2e.officer@knpa.example")
    membership_approve(membership=pending, actor=admin)

    # Enroll and read every lesson in order.
    page.get_by_role("link", name="Courses", exact=True).click()
    page.get_by_role("link", name=synced_content.title).click()
    page.get_by_role("button", name="Enroll in this course").click()
    # Module 1 is read in the browser, lesson after lesson ("Mark as complete" moves on to the
    # next one); the other 42 lessons are marked through the service that button calls, since
    # clicking them proves nothing more and costs a quarter of the journey.
    lessons = Lesson.objects.filter(module__course=synced_content).order_by(
        "module__order", "order"
    )
    first_module = [lesson for lesson in lessons if lesson.module.order == lessons[0].module.order]
    for lesson in first_module:
        page.get_by_role("heading", name=lesson.title, exact=True).wait_for()
        page.get_by_role("button", name="Mark as complete").click()
        page.wait_for_load_state()
    enrollment = Enrollment.objects.get(user__email="e2e.officer@knpa.example")
    for lesson in lessons[len(first_module) :]:
        lesson_complete(enrollment=enrollment, lesson=lesson)
    page.goto(f"{base}{synced_content.get_absolute_url()}")
    page.get_by_text("All lessons read.").first.wait_for()

    # Pass every module quiz with the right answers.
    for quiz in Quiz.objects.filter(module__course=synced_content).order_by("module__order"):
        page.get_by_role("link", name=quiz.title, exact=True).click()
        page.get_by_role("button", name="Start the quiz").click()
        page.get_by_role("button", name="Submit answers").wait_for()
        attempt = Attempt.objects.get(quiz=quiz, user__email="e2e.officer@knpa.example")
        for lab in quiz.questions.filter(key__in=attempt.question_keys, kind="lab"):
            lab_answer_fill(page, lab, attempt)
        questions = quiz.questions.filter(key__in=attempt.question_keys).exclude(kind="lab")
        for question in questions.order_by("order"):
            question_answer_fill(page, question, attempt.seed)
        page.get_by_role("button", name="Submit answers").click()
        page.get_by_role("heading", name="Passed", exact=True).wait_for()
        page.get_by_role("link", name="Back to the course").click()

    # The worker renders the certificate; the dashboard offers it once issued.
    page.get_by_role("link", name="Dashboard").first.click()

    def offered() -> int:
        if count := page.get_by_role("link", name=re.compile("Download PDF")).count():
            return count
        page.reload()
        return 0

    wait_for(offered, interval=0.5, message="the certificate was not issued in time")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download PDF")).click()
    pdf = download_info.value.path().read_bytes()
    certificate = Certificate.objects.get(user__email="e2e.officer@knpa.example")
    facts = pdf_facts(pdf)
    assert facts["pages"] == 1
    assert "Choi Eun-ji" in facts["text"] and certificate.serial in facts["text"]

    # The public verification page shows only the public facts.
    page.get_by_role("link", name="Verification page").click()
    page.get_by_text("This certificate is valid.").wait_for()
    body = page.locator("main").inner_text()
    assert "Choi Eun-ji" in body and synced_content.title in body
    assert "e2e.officer@knpa.example" not in body
    assert problems == []


def test_lesson_fits_a_phone_screen_and_works_by_keyboard(
    browser, live_server, synced_content, officer
):
    from courses.services import enrollment_create

    enrollment_create(user=officer, course=synced_content)
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email:").fill(officer.email)
        page.get_by_label("Password:").fill("correct horse battery staple 42")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name=re.compile("Welcome")).wait_for()
        lesson = (
            Lesson.objects.filter(module__course=synced_content)
            .order_by("module__order", "order")
            .first()
        )
        page.goto(live_server.url + lesson.get_absolute_url())
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        # The first Tab reaches the skip link, which moves focus to the main content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        context.close()
