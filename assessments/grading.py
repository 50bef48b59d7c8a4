"""Grading every question type on the server. Pure functions: a question and the submitted
value in, a score from 0 to 1 out. Malformed or missing answers score 0, never raise."""

import hashlib
import random
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from assessments.labs.build import generate
from assessments.labs.grading import grade_tasks
from assessments.labs.graph import LabGraph, LabParams
from assessments.models import Question

Kind = Question.Kind


def _as_list(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    """Unicode-normalised, whitespace-collapsed, by default case-folded."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"\s+", " ", text)
    return text if case_sensitive else text.casefold()


def parse_number(text) -> Decimal | None:
    """'1,234.5', '1234,5' and ' 12 ' all read as numbers; anything else is None."""
    if isinstance(text, list):
        text = text[0] if text else ""
    if not isinstance(text, str | int | float):
        return None
    raw = str(text).strip().replace(" ", "").replace("\u00a0", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    raw = raw.replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _choice_score(question: Question, value) -> float:
    chosen = set(_as_list(value))
    valid = {choice["key"] for choice in question.choices}
    correct = {choice["key"] for choice in question.choices if choice.get("correct")}
    if question.kind in {Kind.SINGLE, Kind.TRUE_FALSE} or not question.partial:
        return 1.0 if chosen == correct else 0.0
    # Partial credit: +1/|correct| per right choice, -1/|wrong| per wrong one, floored at 0.
    chosen &= valid
    wrong = valid - correct
    score = len(chosen & correct) / len(correct)
    if wrong:
        score -= len(chosen - correct) / len(wrong)
    return max(0.0, score)


def _numeric_score(question: Question, value) -> float:
    number = parse_number(value)
    if number is None:
        return 0.0
    answer = Decimal(str(question.spec["answer"]))
    tolerance = Decimal(str(question.spec.get("tolerance", 0)))
    return 1.0 if abs(number - answer) <= tolerance else 0.0


def _text_score(question: Question, value) -> float:
    values = _as_list(value)
    if not values or not values[0].strip():
        return 0.0
    case_sensitive = bool(question.spec.get("case_sensitive", False))
    given = normalise_text(values[0], case_sensitive=case_sensitive)
    accepted = {
        normalise_text(a, case_sensitive=case_sensitive) for a in question.spec.get("answers", [])
    }
    if given in accepted:
        return 1.0
    pattern = question.spec.get("pattern")
    if pattern:
        flags = 0 if case_sensitive else re.IGNORECASE
        return 1.0 if re.fullmatch(pattern, given, flags) else 0.0
    return 0.0


def _ordering_score(question: Question, value) -> float:
    right = [item["key"] for item in question.spec["items"]]
    given = _as_list(value)
    if sorted(given) != sorted(right):
        return 0.0
    if given == right:
        return 1.0
    if not question.partial:
        return 0.0
    # Partial credit: the share of items in their right place.
    return sum(1 for a, b in zip(given, right, strict=True) if a == b) / len(right)


def _matching_score(question: Question, value) -> float:
    pairs = {pair["key"]: pair["key"] for pair in question.spec["pairs"]}
    if not isinstance(value, dict):
        return 0.0
    right = sum(1 for left, chosen in value.items() if left in pairs and chosen == pairs[left])
    if right == len(pairs):
        return 1.0
    return right / len(pairs) if question.partial else 0.0


def lab_seed(seed: int, question_key: str) -> int:
    """Each lab question of an attempt gets its own graph, reproducible from the attempt."""
    digest = hashlib.sha256(f"{seed}:{question_key}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def lab_graph(question: Question, seed: int) -> LabGraph:
    return generate(lab_seed(seed, question.key), LabParams.from_dict(question.spec["params"]))


def _lab_score(question: Question, value, seed: int = 0) -> float:
    if not isinstance(value, dict):
        return 0.0
    scores = grade_tasks(lab_graph(question, seed), value)
    return sum(scores.values()) / len(scores) if scores else 0.0


GRADERS = {
    Kind.SINGLE: _choice_score,
    Kind.MULTIPLE: _choice_score,
    Kind.TRUE_FALSE: _choice_score,
    Kind.NUMERIC: _numeric_score,
    Kind.SHORT_TEXT: _text_score,
    Kind.ORDERING: _ordering_score,
    Kind.MATCHING: _matching_score,
    Kind.LAB: _lab_score,
}


def question_score(question: Question, value, seed: int = 0) -> float:
    if value is None:
        return 0.0
    try:
        if question.kind == Kind.LAB:
            return float(_lab_score(question, value, seed))
        return float(GRADERS[question.kind](question, value))
    except (KeyError, TypeError, ValueError, ArithmeticError, re.error):
        # ArithmeticError: decimal Overflow from an answer such as "1e999999999".
        return 0.0


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
    if question.kind == Kind.MATCHING:
        keys = [pair["key"] for pair in question.spec.get("pairs", [])]
    elif question.kind == Kind.ORDERING:
        keys = [item["key"] for item in question.spec.get("items", [])]
    elif question.kind == Kind.LAB:
        return []
    else:
        keys = [choice["key"] for choice in question.choices]
    must_shuffle = question.kind == Kind.ORDERING  # an ordering shown in order gives it away
    if question.shuffle or must_shuffle:
        rng = random.Random(f"{seed}:{question.key}")  # noqa: S311 (presentation, not security)
        right = list(keys)
        rng.shuffle(keys)
        if must_shuffle and len(keys) > 1 and keys == right:
            keys = keys[1:] + keys[:1]
    return keys
