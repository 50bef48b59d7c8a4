"""Grading on the server: each question scored by its type (assessments.questions), from 0
to 1, and an attempt's percentage. Malformed or missing answers score 0, never raise."""

import random
import re
from decimal import ROUND_HALF_UP, Decimal

from assessments.models import Question
from assessments.questions import question_type


def question_score(question: Question, value, seed: int = 0) -> float:
    if value is None:
        return 0.0
    try:
        return float(question_type(question.kind).score(question, value, seed))
    except (KeyError, TypeError, ValueError, ArithmeticError, re.error):
        # ArithmeticError: decimal Overflow from an answer such as "1e999999999".
        return 0.0


def model_answer(question: Question, seed: int = 0) -> object:
    """A right answer to the question, as an attempt stores it: question_score() of it is 1.
    The seed is the attempt's (a tracing lab's answer is read from its own graph). Raises
    NoModelAnswer (assessments.questions) for a question whose spec allows none."""
    return question_type(question.kind).model_answer(question, seed)


def model_answers(questions: list[Question], seed: int = 0) -> dict[str, object]:
    """Right answers to every question of an attempt, by question key: a full-marks attempt
    (a trainer's preview, the demo data)."""
    return {question.key: model_answer(question, seed) for question in questions}


def attempt_score(
    questions: list[Question], answers: dict, seed: int = 0
) -> tuple[Decimal, dict[str, float]]:
    """(percentage, per-question scores) for the drawn questions; answers to anything else
    are ignored. The seed is the attempt's: tracing labs are graded on its own graph."""
    scores = {q.key: question_score(q, answers.get(q.key), seed) for q in questions}
    total = sum(q.points for q in questions)
    if not total:
        return Decimal("0.00"), scores
    earned = sum(Decimal(str(scores[q.key])) * q.points for q in questions)
    percent = (earned * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return percent, scores


def option_order(question: Question, seed: int) -> list[str]:
    """The order an attempt shows a question's options in: shuffled per attempt when the
    question allows it, the same every time the page is reloaded."""
    qtype = question_type(question.kind)
    keys = qtype.option_keys(question)
    must_shuffle = qtype.shuffle_always
    if question.shuffle or must_shuffle:
        rng = random.Random(f"{seed}:{question.key}")  # noqa: S311 (presentation, not security)
        right = list(keys)
        rng.shuffle(keys)
        if must_shuffle and len(keys) > 1 and keys == right:
            keys = keys[1:] + keys[:1]
    return keys
