"""Access checks for quizzes and attempts: 404 for missing and forbidden alike."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.models import Attempt, Question, Quiz
from assessments.selectors import own_attempt_to_take
from courses.access import access_enrollment, access_trainer_area, content_access_allowed


def access_quiz(*, user, course_slug: str, module_slug: str):
    """The quiz of a module in a course the user is enrolled in, with that enrollment; a quiz
    above public only after the vetting check."""
    enrollment = access_enrollment(user=user, course_slug=course_slug)
    quiz = get_object_or_404(
        Quiz.objects.select_related("module__course"),
        module__course=enrollment.course,
        module__slug=module_slug,
    )
    if not content_access_allowed(user=user, level=quiz.access):
        raise Http404
    return quiz, enrollment


def access_attempt(*, user, attempt_id: int, attempts: QuerySet[Attempt] | None = None) -> Attempt:
    """The user's own attempt (taking it, its result and review, its labs), behind the same
    vetting check as its quiz: an officer whose vetting lapsed or who left cannot reopen it.
    A page may pass the attempts queryset it reads (joining what it shows)."""
    if not user.is_authenticated:
        raise Http404
    if attempts is None:
        attempts = Attempt.objects.select_related("quiz__module__course", "enrollment")
    attempt = get_object_or_404(attempts, pk=attempt_id, user=user)
    return _vetted_for(user, attempt)


def access_attempt_to_take(*, user, attempt_id: int, language: str) -> Attempt:
    """access_attempt for the attempt page, reading as attempts_to_take(language) does, with
    a prepared statement (core.prepared): the user's own attempt or 404, then the same vetting
    check."""
    if not user.is_authenticated:
        raise Http404
    attempt = own_attempt_to_take(attempt_id=attempt_id, user_id=user.pk, language=language)
    if attempt is None:
        raise Http404
    return _vetted_for(user, attempt)


def _vetted_for(user, attempt: Attempt) -> Attempt:
    if not content_access_allowed(user=user, level=attempt.quiz.access):
        raise Http404
    return attempt


def access_lab(*, user, attempt_id: int, question_key: str):
    """A tracing lab question of the user's own attempt, with that attempt."""
    attempt = access_attempt(user=user, attempt_id=attempt_id)
    if question_key not in attempt.question_keys:
        raise Http404
    question = get_object_or_404(
        Question, quiz=attempt.quiz, key=question_key, kind=Question.Kind.LAB
    )
    return attempt, question


def access_quiz_for_trainer(*, user, quiz_id: int) -> Quiz:
    """Any quiz, for trainers and programme staff; 404 for everyone else and missing ids."""
    access_trainer_area(user=user)
    return get_object_or_404(Quiz.objects.select_related("module__course"), pk=quiz_id)
