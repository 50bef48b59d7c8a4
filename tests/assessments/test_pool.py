"""Quiz pools: a reproducible random draw per attempt, graded on the drawn questions only."""

import pytest

from assessments.models import Question
from assessments.services import attempt_start, attempt_submit, draw_questions
from courses.services import enrollment_create
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(course):
    quiz = course.modules.first().quiz
    for _ in range(9):
        QuestionFactory(quiz=quiz)
    quiz.draw = 5
    quiz.save()
    return quiz  # 12 questions, 5 per attempt


def test_same_seed_draws_the_same_questions(pool):
    assert draw_questions(quiz=pool, seed=42) == draw_questions(quiz=pool, seed=42)
    draws = {tuple(draw_questions(quiz=pool, seed=seed)) for seed in range(20)}
    assert len(draws) > 1
    assert all(len(draw) == 5 for draw in draws)


def test_attempt_is_graded_on_its_drawn_questions(officer, course, pool):
    enrollment = enrollment_create(user=officer, course=course)
    attempt = attempt_start(user=officer, quiz=pool, enrollment=enrollment)
    assert len(attempt.question_keys) == 5
    assert attempt.question_keys == draw_questions(quiz=pool, seed=attempt.seed)
    drawn = Question.objects.filter(quiz=pool, key__in=attempt.question_keys)
    answers = {q.key: sorted(q.correct_keys) for q in drawn}
    graded, _ = attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=answers)
    assert graded.score == 100 and set(graded.answers) == set(attempt.question_keys)
