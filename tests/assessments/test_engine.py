"""The quiz engine: attempt limits, cooldown, server-side time limit, autosave, constant-cost
grading, delayed feedback, double submits, and regrades when an answer key is corrected."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from assessments.models import Attempt, AttemptAnswer, Question, Quiz, Regrade
from assessments.services import (
    AttemptNotAllowed,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
)
from courses.models import Course
from courses.pipeline.sync import content_sync
from courses.services import enrollment_create
from tests.courses.test_content import QUIZ, write_course
from tests.factories import (
    CourseFactory,
    LessonFactory,
    ModuleFactory,
    QuestionFactory,
    QuizFactory,
    UserFactory,
    correct_answers,
)

pytestmark = pytest.mark.django_db


def quiz_urls(quiz: Quiz) -> tuple[str, str]:
    args = [quiz.module.course.slug, quiz.module.slug]
    return reverse("assessments:quiz", args=args), reverse("assessments:quiz_start", args=args)


def post_data(answers: dict) -> dict:
    """Answers as a browser posts them: one q_<key> per choice question."""
    return {f"q_{key}": value for key, value in answers.items()}


def submit_now(attempt: Attempt, user, answers: dict) -> Attempt:
    return attempt_submit(attempt_id=attempt.pk, user=user, raw_answers=answers)[0]


def wrong_answers(quiz: Quiz) -> dict:
    return {q.key: ["c"] for q in quiz.questions.all()}


def start_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Attempt limit and cooldown.


def test_attempt_limit_is_enforced_by_the_service(officer, quiz, enrollment):
    quiz.max_attempts = 2
    quiz.save()
    for _ in range(2):
        attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
        submit_now(attempt, officer, wrong_answers(quiz))
    with pytest.raises(AttemptNotAllowed, match="used all 2 attempts"):
        attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    assert Attempt.objects.filter(user=officer, quiz=quiz).count() == 2


def test_attempt_limit_counts_only_my_attempts(officer, quiz, enrollment, course):
    quiz.max_attempts = 1
    quiz.save()
    other = UserFactory()
    other_attempt = attempt_start(
        user=other, quiz=quiz, enrollment=enrollment_create(user=other, course=course)
    )
    submit_now(other_attempt, other, {})
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    assert attempt.user == officer


def test_open_attempt_is_returned_even_at_the_limit(officer, quiz, enrollment):
    quiz.max_attempts = 1
    quiz.save()
    first = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    assert attempt_start(user=officer, quiz=quiz, enrollment=enrollment).pk == first.pk


def test_crafted_start_post_at_the_limit_shows_why_and_creates_nothing(
    officer_client, officer, quiz, enrollment
):
    quiz.max_attempts = 1
    quiz.save()
    submit_now(attempt_start(user=officer, quiz=quiz, enrollment=enrollment), officer, {})
    detail_url, start_url = quiz_urls(quiz)
    assert "used all 1 attempts" in officer_client.get(detail_url).text  # no start button

    response = officer_client.post(start_url, follow=True)

    assert response.redirect_chain == [(detail_url, 302)]
    assert any("used all 1 attempts" in m for m in start_messages(response))
    assert Attempt.objects.filter(user=officer, quiz=quiz).count() == 1
    assert AuditEvent.objects.filter(action="attempt.start").count() == 1


def test_cooldown_is_enforced_by_the_service_until_it_passes(officer, quiz, enrollment):
    quiz.cooldown_minutes = 30
    quiz.save()
    first = submit_now(attempt_start(user=officer, quiz=quiz, enrollment=enrollment), officer, {})
    with pytest.raises(AttemptNotAllowed, match="in 30 minutes"):
        attempt_start(user=officer, quiz=quiz, enrollment=enrollment)

    Attempt.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(minutes=20))
    with pytest.raises(AttemptNotAllowed, match="in 10 minutes"):
        attempt_start(user=officer, quiz=quiz, enrollment=enrollment)

    Attempt.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(minutes=31))
    second = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    assert second.pk != first.pk and second.status == Attempt.Status.IN_PROGRESS


def test_crafted_start_post_during_cooldown_shows_why_and_creates_nothing(
    officer_client, officer, quiz, enrollment
):
    quiz.cooldown_minutes = 60
    quiz.save()
    submit_now(attempt_start(user=officer, quiz=quiz, enrollment=enrollment), officer, {})
    detail_url, start_url = quiz_urls(quiz)

    response = officer_client.post(start_url, follow=True)

    assert response.redirect_chain == [(detail_url, 302)]
    assert any("You can start a new attempt in 60 minutes" in m for m in start_messages(response))
    assert Attempt.objects.filter(user=officer, quiz=quiz).count() == 1


# Time limit, enforced on the server.


@pytest.fixture
def timed(quiz):
    quiz.time_limit_minutes = 10
    quiz.save()
    return quiz


def move_to_past(attempt: Attempt, *, past_deadline: timedelta) -> None:
    """As if the attempt had started long ago: its deadline was `past_deadline` ago, and what
    was saved so far was saved a minute before the deadline."""
    deadline = timezone.now() - past_deadline
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=deadline, started_at=deadline - timedelta(minutes=10)
    )
    AttemptAnswer.objects.filter(attempt=attempt).update(saved_at=deadline - timedelta(minutes=1))


def test_start_sets_the_deadline_from_the_time_limit(officer, timed, enrollment):
    attempt = attempt_start(user=officer, quiz=timed, enrollment=enrollment)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=10)


def test_untimed_quiz_has_no_deadline(officer, quiz, enrollment):
    assert attempt_start(user=officer, quiz=quiz, enrollment=enrollment).deadline is None


def test_late_submit_counts_only_answers_saved_before_the_deadline(
    officer_client, officer, timed, enrollment
):
    attempt = attempt_start(user=officer, quiz=timed, enrollment=enrollment)
    questions = list(timed.questions.order_by("order"))
    right = correct_answers(timed)
    first = questions[0].key
    saved = officer_client.post(
        reverse("assessments:save", args=[attempt.pk]), post_data({first: right[first]})
    )
    assert saved.status_code == 200 and saved.json()["saved"] == 1
    move_to_past(attempt, past_deadline=timedelta(seconds=settings.QUIZ_GRACE_SECONDS + 60))

    response = officer_client.post(
        reverse("assessments:attempt", args=[attempt.pk]), post_data(right)
    )

    assert response["Location"] == reverse("assessments:result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.answers == {first: right[first]}
    assert len(questions) == 3 and attempt.score == Decimal("33.33")
    assert attempt.question_scores == {q.key: float(q.key == first) for q in questions}
    assert set(
        AttemptAnswer.objects.filter(attempt=attempt).values_list("question_key", flat=True)
    ) == {first}
    assert AuditEvent.objects.get(action="attempt.grade").details["late"] is True


def test_submit_within_the_grace_period_still_counts(officer, timed, enrollment):
    attempt = attempt_start(user=officer, quiz=timed, enrollment=enrollment)
    # The deadline passed a moment ago, well inside the grace period.
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    graded = submit_now(attempt, officer, correct_answers(timed))
    assert graded.score == Decimal("100.00")
    assert AuditEvent.objects.get(action="attempt.grade").details["late"] is False


def test_autosave_after_the_deadline_is_refused_and_stores_nothing(
    officer_client, officer, timed, enrollment
):
    attempt = attempt_start(user=officer, quiz=timed, enrollment=enrollment)
    move_to_past(attempt, past_deadline=timedelta(seconds=settings.QUIZ_GRACE_SECONDS + 1))

    response = officer_client.post(
        reverse("assessments:save", args=[attempt.pk]), post_data(correct_answers(timed))
    )

    assert response.status_code == 409
    assert response.json()["saved"] == 0 and response.json()["open"] is False
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()
    assert attempt_save_answers(
        attempt_id=attempt.pk, user=officer, answers=correct_answers(timed)
    ) == (0, False)
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()


# Autosave.


def test_autosave_stores_answers_and_submit_grades_them(officer_client, officer, quiz, enrollment):
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    save_url = reverse("assessments:save", args=[attempt.pk])
    right = correct_answers(quiz)
    first_key, *rest = attempt.question_keys

    first = officer_client.post(save_url, post_data({k: ["c"] for k in right}))
    # They changed their mind on all but the first question.
    second = officer_client.post(save_url, post_data({k: right[k] for k in rest}))

    assert first.status_code == second.status_code == 200
    assert first.json()["saved"] == len(right)
    assert second.json()["saved"] == len(rest) and second.json()["open"] is True
    rows = dict(AttemptAnswer.objects.filter(attempt=attempt).values_list("question_key", "value"))
    assert rows == {first_key: ["c"], **{k: right[k] for k in rest}}
    # The page reloads with the saved answers filled in.
    page = officer_client.get(reverse("assessments:attempt", args=[attempt.pk]))
    assert page.context["form"].initial[f"q_{rest[0]}"] in (right[rest[0]], right[rest[0]][0])

    # The final submit sends only the first question: the rest comes from what was saved.
    response = officer_client.post(
        reverse("assessments:attempt", args=[attempt.pk]), post_data({first_key: right[first_key]})
    )

    assert response["Location"] == reverse("assessments:result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.score == Decimal("100.00") and attempt.passed is True
    assert attempt.answers == right
    assert attempt.question_scores == dict.fromkeys(right, 1.0)


def test_autosave_ignores_questions_not_in_the_attempt(officer, quiz, enrollment):
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    saved, is_open = attempt_save_answers(
        attempt_id=attempt.pk,
        user=officer,
        answers={"nope": ["a"], attempt.question_keys[0]: ["a"]},
    )
    assert (saved, is_open) == (1, True)
    assert list(attempt.saved_answers.values_list("question_key", flat=True)) == [
        attempt.question_keys[0]
    ]


def test_autosave_after_grading_stores_nothing(officer_client, officer, quiz, enrollment):
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    submit_now(attempt, officer, {})
    response = officer_client.post(
        reverse("assessments:save", args=[attempt.pk]), post_data(correct_answers(quiz))
    )
    assert response.status_code == 409
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()


def test_autosave_of_another_officers_attempt_is_404(client, officer, quiz, enrollment):
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    intruder = UserFactory()
    client.force_login(intruder)
    response = client.post(
        reverse("assessments:save", args=[attempt.pk]), post_data(correct_answers(quiz))
    )
    assert response.status_code == 404
    assert not AttemptAnswer.objects.exists()
    with pytest.raises(Attempt.DoesNotExist):
        attempt_save_answers(attempt_id=attempt.pk, user=intruder, answers={})


def test_autosave_needs_post_and_login(client, officer_client, officer, quiz, enrollment):
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    url = reverse("assessments:save", args=[attempt.pk])
    assert officer_client.get(url).status_code == 405
    client.logout()
    assert client.post(url, {}).status_code == 302
    assert not AttemptAnswer.objects.exists()


def test_autosave_rejects_an_unknown_choice(officer_client, officer, quiz, enrollment):
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    key = attempt.question_keys[0]
    response = officer_client.post(
        reverse("assessments:save", args=[attempt.pk]), {f"q_{key}": "zz"}
    )
    assert response.status_code == 400
    assert f"q_{key}" in response.json()["errors"]
    assert not AttemptAnswer.objects.exists()


# Grading cost does not grow with the number of questions.


def quiz_with(questions: int) -> Quiz:
    module = ModuleFactory(course=CourseFactory())
    LessonFactory(module=module)
    quiz = QuizFactory(module=module, draw=None)
    for index in range(questions):
        QuestionFactory(
            quiz=quiz, kind=Question.Kind.MULTIPLE if index % 2 else Question.Kind.SINGLE
        )
    return quiz


def open_attempt_and_post_data(user, quiz: Quiz) -> tuple[Attempt, str, dict]:
    """An open attempt, its page's URL, and the right answers as a browser posts them."""
    enrollment = enrollment_create(user=user, course=quiz.module.course)
    attempt = attempt_start(user=user, quiz=quiz, enrollment=enrollment)
    data = post_data(correct_answers(quiz))
    return attempt, reverse("assessments:attempt", args=[attempt.pk]), data


def test_submit_query_count_does_not_grow_with_questions(
    officer_client, officer, django_assert_num_queries
):
    small, small_url, small_data = open_attempt_and_post_data(officer, quiz_with(5))
    large, large_url, large_data = open_attempt_and_post_data(officer, quiz_with(50))

    with CaptureQueriesContext(connection) as five:
        first = officer_client.post(small_url, small_data)
    print(f"quiz submit over HTTP: {len(five.captured_queries)} queries")
    with django_assert_num_queries(len(five.captured_queries)):
        second = officer_client.post(large_url, large_data)
    assert first.status_code == second.status_code == 302

    small.refresh_from_db()
    large.refresh_from_db()
    assert small.score == large.score == Decimal("100.00")
    assert len(large.question_scores) == 50
    assert AttemptAnswer.objects.filter(attempt=large).count() == 50


def test_submit_service_query_count_does_not_grow_with_questions(
    officer, django_assert_num_queries
):
    attempts = []
    for size in (5, 50):
        quiz = quiz_with(size)
        enrollment = enrollment_create(user=officer, course=quiz.module.course)
        attempts.append((attempt_start(user=officer, quiz=quiz, enrollment=enrollment), quiz))
    (small, small_quiz), (large, large_quiz) = attempts
    with CaptureQueriesContext(connection) as five:
        submit_now(small, officer, correct_answers(small_quiz))
    print(f"quiz submit service: {len(five.captured_queries)} queries")
    with django_assert_num_queries(len(five.captured_queries)):
        submit_now(large, officer, correct_answers(large_quiz))


# Feedback after the quiz closes.


def graded_attempt(officer, quiz, enrollment) -> Attempt:
    return submit_now(
        attempt_start(user=officer, quiz=quiz, enrollment=enrollment), officer, wrong_answers(quiz)
    )


def test_feedback_after_close_is_hidden_until_the_quiz_closes(
    officer_client, officer, quiz, enrollment
):
    quiz.feedback = "after_close"
    quiz.closes_at = timezone.now() + timedelta(days=1)
    quiz.save()
    attempt = graded_attempt(officer, quiz, enrollment)
    url = reverse("assessments:result", args=[attempt.pk])

    hidden = officer_client.get(url)

    assert hidden.status_code == 200
    assert hidden.context["show_feedback"] is False and hidden.context["review"] == []
    assert "Answers and explanations are shown once the quiz closes" in hidden.text
    assert "Because it is." not in hidden.text  # the explanation
    assert "correct answer" not in hidden.text
    assert "You scored 0%" in hidden.text  # the score itself is not withheld

    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    shown = officer_client.get(url)

    assert shown.context["show_feedback"] is True
    assert len(shown.context["review"]) == quiz.questions.count()
    assert "Because it is." in shown.text and "correct answer" in shown.text
    assert "Answers and explanations are shown once the quiz closes" not in shown.text


def test_feedback_after_close_without_a_closing_time_stays_hidden(
    officer_client, officer, quiz, enrollment
):
    quiz.feedback = "after_close"
    quiz.closes_at = None
    quiz.save()
    attempt = graded_attempt(officer, quiz, enrollment)
    response = officer_client.get(reverse("assessments:result", args=[attempt.pk]))
    assert response.context["show_feedback"] is False
    assert "Because it is." not in response.text


def test_feedback_after_attempt_is_shown_at_once(officer_client, officer, quiz, enrollment):
    quiz.closes_at = timezone.now() + timedelta(days=1)
    quiz.save()
    attempt = graded_attempt(officer, quiz, enrollment)
    response = officer_client.get(reverse("assessments:result", args=[attempt.pk]))
    assert response.context["show_feedback"] is True
    assert "Because it is." in response.text


# A double submit grades once, with autosaved answers.


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_with_autosave_grades_once(officer, course):
    quiz = course.modules.first().quiz
    enrollment = enrollment_create(user=officer, course=course)
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    right = correct_answers(quiz)
    assert attempt_save_answers(attempt_id=attempt.pk, user=officer, answers=right) == (
        len(right),
        True,
    )
    barrier = threading.Barrier(4)
    results, errors = [], []

    def submit(answers):
        try:
            barrier.wait()
            results.append(
                attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=answers)[1]
            )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    # Two tabs submitting nothing new, two re-sending the same answers.
    payloads = [{}, {}, right, right]
    threads = [threading.Thread(target=submit, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert AuditEvent.objects.filter(action="attempt.grade").count() == 1
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.score == Decimal("100.00") and attempt.answers == right
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == len(right)
    assert attempt_save_answers(attempt_id=attempt.pk, user=officer, answers={}) == (0, False)


# Regrading when quiz.yaml's answer key is corrected.


def synced_quiz(tmp_path, quiz_text: str = QUIZ) -> tuple:
    module_dir = write_course(tmp_path, quiz=quiz_text)
    content_sync(root=tmp_path)
    course = Course.objects.get(slug="basics")
    return module_dir, course, Quiz.objects.get(module__course=course)


def graded_by(user, course, quiz, answers) -> Attempt:
    enrollment = enrollment_create(user=user, course=course)
    return submit_now(attempt_start(user=user, quiz=quiz, enrollment=enrollment), user, answers)


def test_changed_correct_choice_regrades_with_a_record(tmp_path, officer):
    module_dir, course, quiz = synced_quiz(tmp_path)
    attempt = graded_by(officer, course, quiz, {"q1": ["a"]})
    assert (attempt.score, attempt.passed) == (Decimal("100.00"), True)
    loser = graded_by(UserFactory(), course, quiz, {"q1": ["b"]})
    assert loser.score == Decimal("0.00")

    fixed = QUIZ.replace(
        "        text: Right\n        correct: true\n", "        text: Right\n"
    ).replace("        text: Wrong\n", "        text: Wrong\n        correct: true\n")
    (module_dir / "quiz.yaml").write_text(fixed)
    content_sync(root=tmp_path)

    quiz.refresh_from_db()
    attempt.refresh_from_db()
    loser.refresh_from_db()
    assert (attempt.score, attempt.passed) == (Decimal("0.00"), False)
    assert attempt.question_scores == {"q1": 0.0}
    assert (loser.score, loser.passed) == (Decimal("100.00"), True)
    regrade = Regrade.objects.get(attempt=attempt)
    assert (regrade.old_score, regrade.new_score) == (Decimal("100.00"), Decimal("0.00"))
    assert (regrade.old_passed, regrade.new_passed) == (True, False)
    assert regrade.quiz_hash == quiz.content_hash
    assert Regrade.objects.get(attempt=loser).new_score == Decimal("100.00")
    events = AuditEvent.objects.filter(action="attempt.regrade")
    assert events.count() == 2
    details = events.get(target_id=str(attempt.pk)).details
    assert details == {"old_score": "100.00", "new_score": "0.00", "questions": ["q1"]}
    assert {e.details["old_score"] for e in events} == {"100.00", "0.00"}


def test_wording_change_regrades_nothing(tmp_path, officer):
    module_dir, course, quiz = synced_quiz(tmp_path)
    attempt = graded_by(officer, course, quiz, {"q1": ["a"]})
    reworded = QUIZ.replace("prompt: Pick one", "prompt: Pick exactly one answer").replace(
        "text: Wrong", "text: Not right at all"
    )
    (module_dir / "quiz.yaml").write_text(reworded)

    content_sync(root=tmp_path)

    assert Question.objects.get(quiz=quiz, key="q1").prompt == "Pick exactly one answer"
    attempt.refresh_from_db()
    assert attempt.score == Decimal("100.00") and attempt.passed is True
    assert not Regrade.objects.exists()
    assert not AuditEvent.objects.filter(action="attempt.regrade").exists()


NUMERIC_QUIZ = """\
slug: numbers-quiz
title: Numbers quiz
pass_mark: 50
questions:
  - key: fee
    type: numeric
    prompt: What was the fee in BTC?
    answer: 0.0005
    tolerance: 0.0001
  - key: kind
    type: single
    prompt: Pick one
    choices:
      - key: a
        text: Right
        correct: true
      - key: b
        text: Wrong
"""


def test_changed_numeric_answer_regrades_only_attempts_it_affects(tmp_path, officer):
    module_dir, course, quiz = synced_quiz(tmp_path, NUMERIC_QUIZ)
    attempt = graded_by(officer, course, quiz, {"fee": ["0.0007"], "kind": ["a"]})
    unaffected = graded_by(UserFactory(), course, quiz, {"fee": ["5"], "kind": ["a"]})
    assert attempt.score == unaffected.score == Decimal("50.00")

    (module_dir / "quiz.yaml").write_text(NUMERIC_QUIZ.replace("answer: 0.0005", "answer: 0.0007"))
    content_sync(root=tmp_path)

    attempt.refresh_from_db()
    unaffected.refresh_from_db()
    assert attempt.score == Decimal("100.00")
    assert attempt.question_scores == {"fee": 1.0, "kind": 1.0}
    assert unaffected.score == Decimal("50.00")
    regrade = Regrade.objects.get()
    assert regrade.attempt == attempt
    assert (regrade.old_score, regrade.new_score) == (Decimal("50.00"), Decimal("100.00"))
    assert AuditEvent.objects.filter(action="attempt.regrade").count() == 1


def test_open_attempts_are_not_regraded(tmp_path, officer):
    module_dir, course, quiz = synced_quiz(tmp_path)
    enrollment = enrollment_create(user=officer, course=course)
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    fixed = QUIZ.replace("        text: Right\n        correct: true\n", "        text: Right\n")
    fixed = fixed.replace("        text: Wrong\n", "        text: Wrong\n        correct: true\n")
    (module_dir / "quiz.yaml").write_text(fixed)
    content_sync(root=tmp_path)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS and attempt.score is None
    assert not Regrade.objects.exists()
    # Graded later, it is graded against the corrected key.
    assert submit_now(attempt, officer, {"q1": ["b"]}).score == Decimal("100.00")
