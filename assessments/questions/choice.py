"""Choice questions: single choice, multiple choice (with optional partial credit) and true or
false, all stored as Question.choices and answered with the chosen keys."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Question
from assessments.questions.base import QuestionType, YamlCheck, as_list, register

TRUE_FALSE_LABELS = {"true": _("True"), "false": _("False")}


class ChoiceType(QuestionType):
    keys = frozenset({"choices"})
    layout = "options"
    widget: type[forms.Widget] = forms.RadioSelect
    field_class: type[forms.Field] = forms.ChoiceField

    def validate(self, question: dict, check: YamlCheck) -> None:
        choices = question.get("choices")
        check.keyed_list(choices, "choices", ("text",))
        if not isinstance(choices, list):
            return
        flags = [c.get("correct", False) for c in choices if isinstance(c, dict)]
        if any(not isinstance(flag, bool) for flag in flags):
            check("choice 'correct' must be true or false", "choices")
        self.validate_correct(sum(1 for flag in flags if flag is True), check)

    def validate_correct(self, correct: int, check: YamlCheck) -> None:
        if correct != 1:
            check(f"a single-choice question needs exactly one correct choice, has {correct}")

    def stored_choices(self, item: dict) -> list[dict]:
        return [
            {"key": c["key"], "text": c["text"].strip(), "correct": c.get("correct") is True}
            for c in item.get("choices", [])
        ]

    def option_texts(self, question: Question, local: dict) -> dict:
        names = local.get("choices", {})
        return {c["key"]: names.get(c["key"], c["text"]) for c in question.choices}

    def fields(self, question, label, order, local):
        text = self.option_texts(question, local)
        yield (
            None,
            self.field_class(
                label=label,
                choices=[(k, text[k]) for k in order],
                widget=self.widget,
                required=False,
            ),
        )

    def score(self, question: Question, value, seed: int) -> float:
        return 1.0 if set(as_list(value)) == question.correct_keys else 0.0

    def model_answer(self, question: Question, seed: int) -> list[str]:
        """Every correct choice and nothing else, in the quiz's order."""
        return [c["key"] for c in question.choices if c.get("correct")]

    def review(self, question, value, seed, local):
        chosen = set(value or []) if isinstance(value, list) else set()
        names = local.get("choices", {})
        return {
            "choices": [
                {
                    "text": names.get(c["key"], c["text"]),
                    "chosen": c["key"] in chosen,
                    "correct": c.get("correct", False),
                }
                for c in question.choices
            ]
        }


@register
class Single(ChoiceType):
    kind = Question.Kind.SINGLE.value
    label = Question.Kind.SINGLE.label
    order = 10


@register
class Multiple(ChoiceType):
    kind = Question.Kind.MULTIPLE.value
    label = Question.Kind.MULTIPLE.label
    order = 20
    partial_credit = True
    hint = _("Choose all that apply.")
    widget = forms.CheckboxSelectMultiple
    field_class = forms.MultipleChoiceField

    def validate_correct(self, correct: int, check: YamlCheck) -> None:
        if correct < 1:
            check("a multiple-choice question needs at least one correct choice")

    def initial(self, question, value):
        yield None, value

    def score(self, question: Question, value, seed: int) -> float:
        if not question.partial:
            return super().score(question, value, seed)
        # Partial credit: +1/|correct| per right choice, -1/|wrong| per wrong one, floored at 0.
        valid = {choice["key"] for choice in question.choices}
        correct = question.correct_keys
        chosen = set(as_list(value)) & valid
        wrong = valid - correct
        score = len(chosen & correct) / len(correct)
        if wrong:
            score -= len(chosen - correct) / len(wrong)
        return max(0.0, score)


@register
class TrueFalse(ChoiceType):
    kind = Question.Kind.TRUE_FALSE.value
    label = Question.Kind.TRUE_FALSE.label
    order = 30
    keys = frozenset({"answer"})

    def validate(self, question: dict, check: YamlCheck) -> None:
        if not isinstance(question.get("answer"), bool):
            check("a true_false question needs 'answer: true' or 'answer: false'")

    def stored_choices(self, item: dict) -> list[dict]:
        return [
            {"key": "true", "text": "True", "correct": item["answer"] is True},
            {"key": "false", "text": "False", "correct": item["answer"] is False},
        ]

    def option_texts(self, question: Question, local: dict) -> dict:
        return dict(TRUE_FALSE_LABELS)
