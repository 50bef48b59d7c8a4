"""End to end in Chromium, in Korean and in Thai: an officer reads a module-4 lesson with its
translated diagram, then takes and passes the module-4 quiz, whose questions, options,
ordering items and matching pairs are all in their language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from assessments.models import Attempt, Quiz, QuizTranslation
from courses.models import Lesson
from courses.services import enrollment_create
from tests.e2e.answers import question_answer_fill
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


@pytest.mark.parametrize("language", ["ko", "th"])
def test_officer_reads_and_passes_module_four_in_their_language(
    page, live_server, curriculum, officer, language
):
    course = curriculum
    enrollment_create(user=officer, course=course)
    officer.language = language
    officer.save(update_fields=["language"])
    lesson = Lesson.objects.get(module__slug="case-studies", slug="pig-butchering-case")
    local = lesson.translations.get(language=language)
    quiz = Quiz.objects.get(module__slug="case-studies")
    texts = QuizTranslation.objects.get(quiz=quiz, language=language)
    with translation.override(language):
        start, submit = translation.gettext("Start the quiz"), translation.gettext("Submit answers")

    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_login").fill(officer.email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("form.login button[type=submit], form button[type=submit]").first.click()
    page.wait_for_url("**/dashboard/")
    assert page.locator("html").get_attribute("lang") == language

    # The lesson: its title, its objectives and its diagram in the officer's language.
    page.goto(live_server.url + lesson.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == local.title
    assert page.locator("article.lesson-body").get_attribute("lang") == language
    objectives = page.locator("section.objectives li")
    assert objectives.count() == len(lesson.objectives)
    assert objectives.first.inner_text() == local.objectives[lesson.objectives[0]["id"]]
    assert page.locator("section.objectives li[lang=en]").count() == 0
    diagram = page.locator("article img").first
    assert diagram.get_attribute("src").endswith(f"pig-butchering-money-flow.{language}.svg")
    diagram.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=diagram.element_handle()
    )
    assert page.locator(".figure-note").count() == 0

    # The quiz: every drawn question in the officer's language, answered and passed.
    page.goto(live_server.url + reverse("assessments:quiz", args=[course.slug, "case-studies"]))
    assert page.get_by_role("heading", level=1).inner_text() == texts.title
    page.get_by_role("button", name=start).click()
    page.get_by_role("button", name=submit).wait_for()
    attempt = Attempt.objects.get(quiz=quiz, user=officer)
    form = page.locator("form#attempt-form").inner_text()
    for question in quiz.questions.filter(key__in=attempt.question_keys):
        local_question = texts.questions[question.key]
        assert local_question["prompt"] in form, question.key
        assert question.prompt not in form, question.key
        for text in local_question.get("choices", {}).values():
            assert text in form, (question.key, text)
        for text in local_question.get("items", {}).values():
            assert text in form, (question.key, text)
        for pair in local_question.get("pairs", {}).values():
            assert pair["left"] in form and pair["right"] in form, question.key
        question_answer_fill(page, question, attempt.seed)
    page.get_by_role("button", name=submit).click()
    page.wait_for_url(re.compile(r".*/attempts/\d+/result/$"))
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.passed
