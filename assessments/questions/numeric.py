"""Number questions: the answer within a tolerance; '1,234.5' and '1234,5' both read."""

from decimal import Decimal, InvalidOperation

from django import forms

from assessments.models import Question
from assessments.questions.base import QuestionType, YamlCheck, register


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
