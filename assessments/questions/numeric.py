"""Number questions: the answer within a tolerance; '1,234.5' and '1234,5' both read."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import get_language

from assessments.models import Question
from assessments.questions.base import QuestionType, YamlCheck, register

# Languages that write a decimal comma and group thousands with a dot (2.500,75).
DECIMAL_COMMA = {"ro"}
_GROUPED = {
    ",": re.compile(r"^-?[1-9]\d{0,2}(,\d{3})+$"),
    ".": re.compile(r"^-?[1-9]\d{0,2}(\.\d{3})+$"),
}


def parse_number(text, language: str | None = None) -> Decimal | None:
    """A typed number as the officer's language writes it, or None.

    Both '1.5' and '1,5' read as one and a half, and spaces are ignored. Where both marks
    appear, the last is the decimal mark ('2,500.75', '2.500,75'). A lone mark followed by
    exactly three digits is a thousands separator in the language's own style: '2,500' is
    2500 in English, Korean and Thai, and '8.800' is 8800 in Romanian (language None: English).
    """
    if isinstance(text, list):
        text = text[0] if text else ""
    if not isinstance(text, str | int | float):
        return None
    raw = str(text).strip()
    for space in (" ", "\u00a0", "\u202f", "\u2009", "'"):
        raw = raw.replace(space, "")
    group = "." if (language or "en").split("-")[0] in DECIMAL_COMMA else ","
    if "," in raw and "." in raw:
        decimal = "," if raw.rindex(",") > raw.rindex(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, fraction = raw.rpartition(decimal)
        if not _GROUPED[thousands].match(whole):
            return None
        raw = whole.replace(thousands, "") + "." + fraction
    elif "," in raw or "." in raw:
        mark = "," if "," in raw else "."
        if _GROUPED[mark].match(raw) and (mark == group or raw.count(mark) > 1):
            raw = raw.replace(mark, "")
        elif raw.count(mark) == 1:
            raw = raw.replace(mark, ".")
        else:
            return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@register
class Numeric(QuestionType):
    kind = Question.Kind.NUMERIC.value
    label = Question.Kind.NUMERIC.label
    order = 40
    keys = frozenset({"answer", "tolerance"})

    def validate(self, question: dict, check: YamlCheck) -> None:
        answer, tolerance = question.get("answer"), question.get("tolerance", 0)
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            check("a numeric question needs a number 'answer'", "answer")
        if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
            check("'tolerance' must be a number of 0 or more", "tolerance")

    def stored_spec(self, item: dict) -> dict:
        return {"answer": item["answer"], "tolerance": item.get("tolerance", 0)}

    def fields(self, question, label, order, local):
        yield (
            None,
            forms.CharField(
                label=label,
                required=False,
                max_length=50,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            ),
        )

    def answer(self, question, cleaned, posted):
        """What was typed, read in the page's language and kept as plain digits ('8.800' on
        a Romanian page is kept as '8800'), so grading later, anywhere, reads it the same."""
        value = super().answer(question, cleaned, posted)
        if value:
            number = parse_number(value, get_language())
            if number is not None:
                return [format(number, "f")]
        return value

    def initial(self, question, value):
        """A saved number shown again with the page's decimal mark ('12,6' in Romanian)."""
        for suffix, shown in super().initial(question, value):
            if isinstance(shown, str) and (get_language() or "en")[:2] in DECIMAL_COMMA:
                shown = shown.replace(".", ",")
            yield suffix, shown

    def score(self, question: Question, value, seed: int) -> float:
        number = parse_number(value)
        if number is None:
            return 0.0
        answer = Decimal(str(question.spec["answer"]))
        tolerance = Decimal(str(question.spec.get("tolerance", 0)))
        return 1.0 if abs(number - answer) <= tolerance else 0.0

    def model_answer(self, question: Question, seed: int) -> list[str]:
        """The answer itself, written out in plain digits (never 1E-5)."""
        return [format(Decimal(str(question.spec["answer"])), "f")]

    def review(self, question, value, seed, local):
        tolerance = question.spec.get("tolerance", 0)
        return {
            **super().review(question, value, seed, local),
            "expected": f"{question.spec['answer']}" + (f" ± {tolerance}" if tolerance else ""),
        }
