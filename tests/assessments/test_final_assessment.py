"""A module's final assessment: at most N attempts in any 24 hours, and right answers withheld
from the review until the officer has passed (or used every attempt), with the objectives
of the missed questions named instead."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attempt
from assessments.services import AttemptNotAllowed, attempt_start, attempt_submit
from tests.factories import UserFactory, correct_answers

pytestmark = pytest.mark.django_db


def take(officer, quiz, enrollment, answers: dict) -> Attempt:
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    return attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=answers)[0]


def wrong(quiz) -> dict:
    return {q.key: ["c"] for q in quiz.questions.all()}


def test_three_attempts_in_24_hours_then_the_oldest_must_age_out(officer, quiz, enrollment):
    quiz.attempts_per_day = 3
    quiz.save()
    attempts = [take(officer, quiz, enrollment, wrong(quiz)) for _ in range(3)]

    with pytest.raises(AttemptNotAllowed, match="3 attempts in the last 24 hours"):
        attempt_start(user=officer, quiz=quiz, enrollment=enrollment)

    # The oldest started 23 h ago: the next attempt opens in an hour, not before.
    Attempt.objects.filter(pk=attempts[0].pk).update(
        started_at=timezone.now() - timedelta(hours=23)
    )
    with pytest.raises(AttemptNotAllowed, match=r"in 1 h 0 min|in 0 h 60 min|in 0 h 59 min"):
        attempt_start(user=officer, quiz=quiz, enrollment=enrollment)

    Attempt.objects.filter(pk=attempts[0].pk).update(
        started_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    fourth = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    assert fourth.status == Attempt.Status.IN_PROGRESS


def test_the_daily_limit_is_per_officer(officer, quiz, enrollment):
    from courses.services import enrollment_create

    quiz.attempts_per_day = 1
    quiz.save()
    take(officer, quiz, enrollment, wrong(quiz))
    colleague = UserFactory()
    colleague_enrollment = enrollment_create(user=colleague, course=quiz.module.course)
    assert attempt_start(user=colleague, quiz=quiz, enrollment=colleague_enrollment)


def test_quiz_page_states_the_rules_and_refuses_a_crafted_start(
    officer_client, officer, quiz, enrollment
):
    quiz.attempts_per_day = 1
    quiz.feedback = "after_pass"
    quiz.save()
    take(officer, quiz, enrollment, wrong(quiz))
    args = [quiz.module.course.slug, quiz.module.slug]

    page = officer_client.get(reverse("assessments:quiz", args=args))
    assert "At most 1 attempts in any 24 hours." in page.text
    assert "Right answers are shown once you have passed." in page.text
    assert "Start a new attempt" not in page.text

    response = officer_client.post(reverse("assessments:quiz_start", args=args), follow=True)
    assert Attempt.objects.filter(user=officer, quiz=quiz).count() == 1
    assert "1 attempts in the last 24 hours" in response.text


def test_after_pass_hides_answers_and_names_the_objectives_to_revisit(
    officer_client, officer, quiz, enrollment
):
    quiz.feedback = "after_pass"
    quiz.save()
    lesson = quiz.module.lessons.order_by("order").first()
    lesson.objectives = [
        {"id": "read-keys", "text": "Explain what a private key controls."},
        {"id": "untested", "text": "An objective no question of this attempt tests."},
    ]
    lesson.save()
    quiz.questions.update(objective="read-keys")
    failed = take(officer, quiz, enrollment, wrong(quiz))
    url = reverse("assessments:result", args=[failed.pk])

    hidden = officer_client.get(url)

    assert hidden.context["show_feedback"] is False and hidden.context["review"] == []
    assert "Because it is." not in hidden.text and "correct answer" not in hidden.text
    assert "Right answers and explanations are shown once you have passed this quiz" in hidden.text
    assert [item["text"] for item in hidden.context["revisit"]] == [
        "Explain what a private key controls."
    ]
    assert lesson.get_absolute_url() in hidden.text

    take(officer, quiz, enrollment, correct_answers(quiz))
    shown = officer_client.get(url)  # the failed attempt's review opens once passed

    assert shown.context["show_feedback"] is True
    assert "Because it is." in shown.text and "correct answer" in shown.text


def test_after_pass_opens_the_review_once_every_attempt_is_used(
    officer_client, officer, quiz, enrollment
):
    quiz.feedback = "after_pass"
    quiz.max_attempts = 2
    quiz.save()
    first = take(officer, quiz, enrollment, wrong(quiz))
    url = reverse("assessments:result", args=[first.pk])
    assert officer_client.get(url).context["show_feedback"] is False

    take(officer, quiz, enrollment, wrong(quiz))

    assert officer_client.get(url).context["show_feedback"] is True


def test_a_colleagues_pass_does_not_open_my_review(officer_client, officer, quiz, enrollment):
    from courses.services import enrollment_create

    quiz.feedback = "after_pass"
    quiz.save()
    mine = take(officer, quiz, enrollment, wrong(quiz))
    colleague = UserFactory()
    take(
        colleague,
        quiz,
        enrollment_create(user=colleague, course=quiz.module.course),
        correct_answers(quiz),
    )
    response = officer_client.get(reverse("assessments:result", args=[mine.pk]))
    assert response.context["show_feedback"] is False


def test_content_report_counts_lessons_words_and_question_types(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from tests.courses.test_editorial import write_reviewed_course

    write_reviewed_course(tmp_path)
    out = StringIO()
    call_command("content_report", "--path", str(tmp_path), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("module 1 module-one: lessons=2 words=")
    assert "objectives=4 sources=2 questions=5" in lines[1]
    assert "types=single:3,true_false:1,numeric:1 longest_right=0/3 (0%)" in lines[1]
    assert lines[2].startswith("total: modules=1 lessons=2")
