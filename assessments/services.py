"""Writes for assessments: starting attempts and grading them on the server."""

import random
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_log
from assessments.models import Attempt, Question, Quiz
from assessments.selectors import attempt_questions
from courses.models import Enrollment
from courses.services import enrollment_evaluate_completion


class AttemptNotAllowed(Exception):
    pass


def attempt_start(*, user: User, quiz: Quiz, enrollment: Enrollment, request=None) -> Attempt:
    """Open an attempt, or return the one already open: one open attempt per quiz."""
    if enrollment.user_id != user.pk or quiz.module.course_id != enrollment.course_id:
        raise AttemptNotAllowed("The quiz is not part of this enrollment.")
    existing = Attempt.objects.filter(
        user=user, quiz=quiz, status=Attempt.Status.IN_PROGRESS
    ).first()
    if existing is not None:
        return existing
    seed = secrets.randbits(48)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user,
                quiz=quiz,
                enrollment=enrollment,
                quiz_hash=quiz.content_hash,
                seed=seed,
                question_keys=draw_questions(quiz=quiz, seed=seed),
            )
            audit_log(action="attempt.start", actor=user, target=attempt, request=request)
            return attempt
    except IntegrityError:
        # Two tabs started at once: the partial unique constraint kept one; use it.
        return Attempt.objects.get(user=user, quiz=quiz, status=Attempt.Status.IN_PROGRESS)


def draw_questions(*, quiz: Quiz, seed: int) -> list[str]:
    """The pool questions for one attempt: the same seed always draws the same keys."""
    keys = list(quiz.questions.order_by("order").values_list("key", flat=True))
    if quiz.draw is None or quiz.draw >= len(keys):
        return keys
    chosen = set(random.Random(seed).sample(keys, quiz.draw))  # noqa: S311 (not security)
    return [key for key in keys if key in chosen]


def grade_answers(*, questions: list[Question], answers: dict[str, list[str]]) -> Decimal:
    """Percentage score: one point per question answered exactly right (no partial credit)."""
    if not questions:
        return Decimal("0")
    right = sum(1 for q in questions if set(answers.get(q.key, [])) == q.correct_keys)
    score = Decimal(100 * right) / Decimal(len(questions))
    return score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def clean_answers(*, questions: list[Question], raw: dict[str, list[str]]) -> dict[str, list[str]]:
    """Keep only known question and choice keys; a single-choice question keeps one choice."""
    cleaned: dict[str, list[str]] = {}
    for question in questions:
        valid = {choice["key"] for choice in question.choices}
        chosen = sorted({key for key in raw.get(question.key, []) if key in valid})
        if question.kind == Question.Kind.SINGLE:
            chosen = chosen[:1]
        cleaned[question.key] = chosen
    return cleaned


@transaction.atomic
def attempt_submit(
    *, attempt_id: int, user: User, raw_answers: dict[str, list[str]], request=None
) -> tuple[Attempt, bool]:
    """Grade an attempt exactly once. Returns (attempt, graded_now).

    The row lock serialises double submits: the second one finds the attempt graded and
    returns it unchanged.
    """
    attempt = (
        Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt_id, user=user)
    )
    if attempt.status == Attempt.Status.GRADED:
        return attempt, False
    questions = attempt_questions(attempt=attempt)
    answers = clean_answers(questions=questions, raw=raw_answers)
    attempt.answers = answers
    attempt.score = grade_answers(questions=questions, answers=answers)
    attempt.passed = attempt.score >= attempt.quiz.pass_mark
    attempt.status = Attempt.Status.GRADED
    attempt.submitted_at = timezone.now()
    attempt.save(update_fields=["answers", "score", "passed", "status", "submitted_at"])
    audit_log(
        action="attempt.grade",
        actor=user,
        target=attempt,
        details={"score": str(attempt.score), "passed": attempt.passed, "quiz_id": attempt.quiz_id},
        request=request,
    )
    if attempt.passed:
        enrollment_evaluate_completion(enrollment=attempt.enrollment, request=request)
    return attempt, True
