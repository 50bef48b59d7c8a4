"""Reads for assessments."""

from django.db.models import QuerySet

from assessments.models import (
    Attempt,
    AttemptAnswer,
    LabTrace,
    Question,
    Quiz,
    QuizTranslation,
)
from core.joins import join_one, joined
from core.prepared import prepared
from courses.models import Course, Enrollment


def quizzes_for_course(*, course: Course) -> dict[int, Quiz]:
    """module id -> quiz, for one course, in one query."""
    return {quiz.module_id: quiz for quiz in Quiz.objects.filter(module__course=course)}


def passed_quiz_ids(*, enrollment: Enrollment | None) -> set[int]:
    if enrollment is None:
        return set()
    return set(
        Attempt.objects.filter(
            enrollment=enrollment, status=Attempt.Status.GRADED, passed=True
        ).values_list("quiz_id", flat=True)
    )


def attempt_questions(*, attempt: Attempt) -> list[Question]:
    """The questions drawn for an attempt, in pool order (all of them for old attempts)."""
    questions = attempt.quiz.questions.order_by("order")
    if attempt.question_keys:
        questions = questions.filter(key__in=attempt.question_keys)
    return list(questions)


def quiz_attempts(*, user, quiz: Quiz) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user, quiz=quiz).order_by("-started_at")


# The name under which attempts_to_take joins the quiz's translation.
_TRANSLATION = "quiz_translation_in_language"


def attempts_to_take(*, language: str) -> QuerySet[Attempt]:
    """Attempts with their quiz (module, course) and enrollment and, outside English, the
    quiz's translation in language, in one query (read it with attempt_quiz_translation)."""
    attempts = Attempt.objects.select_related("quiz__module__course", "enrollment")
    if language == "en":
        return attempts
    # One translation at most: a quiz has one per language (a unique constraint).
    return join_one(attempts, name=_TRANSLATION, relation="quiz__translations", language=language)


@prepared
def own_attempt_in_english(*, attempt_id: int, user_id: int) -> QuerySet[Attempt]:
    """The attempt page's read in English (attempts_to_take), compiled once per process."""
    return attempts_to_take(language="en").filter(pk=attempt_id, user_id=user_id)


@prepared
def own_attempt_translated(*, attempt_id: int, user_id: int, language: str) -> QuerySet[Attempt]:
    """The same in another language, with the quiz's translation joined (attempts_to_take's
    other branch: no stand-in is "en", and English goes to the read above)."""
    return attempts_to_take(language=language).filter(pk=attempt_id, user_id=user_id)


def own_attempt_to_take(*, attempt_id: int, user_id: int, language: str) -> Attempt | None:
    """The user's own attempt as attempts_to_take reads it, or None (prepared reads)."""
    if language == "en":
        found = own_attempt_in_english(attempt_id=attempt_id, user_id=user_id)
    else:
        found = own_attempt_translated(attempt_id=attempt_id, user_id=user_id, language=language)
    return found[0] if found else None


def attempt_quiz_translation(*, attempt: Attempt) -> QuizTranslation | None:
    """The translation attempts_to_take joined; None in English or when there is none."""
    return joined(attempt, _TRANSLATION)


def quiz_translation(*, quiz: Quiz, language: str) -> QuizTranslation | None:
    if language == "en":
        return None
    return QuizTranslation.objects.filter(quiz=quiz, language=language).first()


@prepared
def _saved_answers(*, attempt_id: int) -> QuerySet:
    return AttemptAnswer.objects.filter(attempt_id=attempt_id).values_list("question_key", "value")


def attempt_saved_answers(*, attempt: Attempt) -> dict:
    return dict(_saved_answers(attempt_id=attempt.pk))


def lab_trace_steps(*, attempt: Attempt, question_key: str) -> list[dict]:
    trace = LabTrace.objects.filter(attempt=attempt, question_key=question_key).first()
    return list(trace.steps) if trace else []


def lab_trace(*, attempt: Attempt, question_key: str) -> LabTrace | None:
    return LabTrace.objects.filter(attempt=attempt, question_key=question_key).first()
