"""Access checks for quizzes and attempts: 404 for missing and forbidden alike."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.models import Attempt, Question, Quiz
from courses.access import access_enrollment


def access_quiz(*, user, course_slug: str, module_slug: str):
    """The quiz of a module in a course the user is enrolled in, with that enrollment."""
    enrollment = access_enrollment(user=user, course_slug=course_slug)
    quiz = get_object_or_404(
        Quiz.objects.select_related("module__course"),
        module__course=enrollment.course,
        module__slug=module_slug,
    )
    return quiz, enrollment


def access_attempt(*, user, attempt_id: int) -> Attempt:
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Attempt.objects.select_related("quiz__module__course", "enrollment"),
        pk=attempt_id,
        user=user,
    )


def access_lab(*, user, attempt_id: int, question_key: str):
    """A tracing lab question of the user's own attempt, with that attempt."""
    attempt = access_attempt(user=user, attempt_id=attempt_id)
    if question_key not in attempt.question_keys:
        raise Http404
    question = get_object_or_404(
        Question, quiz=attempt.quiz, key=question_key, kind=Question.Kind.LAB
    )
    return attempt, question
