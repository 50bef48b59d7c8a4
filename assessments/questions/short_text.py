"""Short text questions: one of the accepted answers or a match of the pattern, compared
Unicode-normalised, whitespace-collapsed and (unless case_sensitive) case-folded."""

import re
import unicodedata

from assessments.models import Question
from assessments.questions.base import QuestionType, YamlCheck, as_list, register


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    """Unicode-normalised, whitespace-collapsed, by default case-folded."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"\s+", " ", text)
    return text if case_sensitive else text.casefold()


@register
class ShortText(QuestionType):
    kind = Question.Kind.SHORT_TEXT.value
    label = Question.Kind.SHORT_TEXT.label
    order = 50
    keys = frozenset({"answers", "pattern", "case_sensitive"})
    flags = ("case_sensitive",)

    def validate(self, question: dict, check: YamlCheck) -> None:
        answers, pattern = question.get("answers"), question.get("pattern")
        if not answers and pattern is None:  # [] would accept nothing
            check("a short_text question needs 'answers' or a 'pattern'")
        if answers is not None and (
            not isinstance(answers, list)
            or not all(isinstance(a, str) and a.strip() for a in answers)
        ):
            check("'answers' must be a list of text items", "answers")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                check(f"'pattern' is not a valid regular expression: {exc}", "pattern")

    def stored_spec(self, item: dict) -> dict:
        return {
            "answers": [a.strip() for a in item.get("answers", [])],
            "pattern": item.get("pattern"),
            "case_sensitive": item.get("case_sensitive", False),
        }

    def score(self, question: Question, value, seed: int) -> float:
        values = as_list(value)
        if not values or not values[0].strip():
            return 0.0
        case_sensitive = bool(question.spec.get("case_sensitive", False))
        given = normalise_text(values[0], case_sensitive=case_sensitive)
        accepted = {
            normalise_text(a, case_sensitive=case_sensitive)
            for a in question.spec.get("answers", [])
        }
        if given in accepted:
            return 1.0
        pattern = question.spec.get("pattern")
        if pattern:
            flags = 0 if case_sensitive else re.IGNORECASE
            return 1.0 if re.fullmatch(pattern, given, flags) else 0.0
        return 0.0

    def review(self, question, value, seed, local):
        return {
            **super().review(question, value, seed, local),
            "expected": ", ".join(question.spec.get("answers") or []),
        }
