"""Ordering questions: put the items in the right order (always shown shuffled); optional
partial credit for the share of items in their right place."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Question
from assessments.questions.base import QuestionType, YamlCheck, as_list, register


@register
class Ordering(QuestionType):
    kind = Question.Kind.ORDERING.value
    label = Question.Kind.ORDERING.label
    order = 60
    keys = frozenset({"items"})
    partial_credit = True
    layout = "rows"
    hint = _("Number the items in the right order: 1 for the first.")
    shuffle_always = True  # an ordering shown in order gives it away

    def validate(self, question: dict, check: YamlCheck) -> None:
        check.keyed_list(question.get("items"), "items", ("text",))

    def stored_spec(self, item: dict) -> dict:
        return {"items": [{"key": i["key"], "text": i["text"].strip()} for i in item["items"]]}

    def option_keys(self, question: Question) -> list[str]:
        return [item["key"] for item in question.spec.get("items", [])]

    @staticmethod
    def _texts(question: Question, local: dict) -> dict[str, str]:
        """Each item's text in the page's language (the quiz translation's, else English)."""
        names = local.get("items") or {}
        return {i["key"]: names.get(i["key"]) or i["text"] for i in question.spec["items"]}

    def fields(self, question, label, order, local):
        items = self._texts(question, local)
        positions = [("", "—")] + [(str(n), str(n)) for n in range(1, len(order) + 1)]
        for item_key in order:
            yield (
                item_key,
                forms.ChoiceField(label=items[item_key], choices=positions, required=False),
            )

    def initial(self, question, value):
        if isinstance(value, list):
            for position, item_key in enumerate(value, start=1):
                yield item_key, str(position)

    def answer(self, question, cleaned, posted):
        ranked = []
        for item in question.spec["items"]:
            position = cleaned.get(f"q_{question.key}__{item['key']}")
            if position:
                ranked.append((int(position), item["key"]))
        return [item_key for _pos, item_key in sorted(ranked)] if ranked else None

    def score(self, question: Question, value, seed: int) -> float:
        right = [item["key"] for item in question.spec["items"]]
        given = as_list(value)
        if sorted(given) != sorted(right):
            return 0.0
        if given == right:
            return 1.0
        if not question.partial:
            return 0.0
        # Partial credit: the share of items in their right place.
        return sum(1 for a, b in zip(given, right, strict=True) if a == b) / len(right)

    def model_answer(self, question: Question, seed: int) -> list[str]:
        """The items' keys as quiz.yaml lists them: that is the right order."""
        return [item["key"] for item in question.spec["items"]]

    def review(self, question, value, seed, local):
        items = self._texts(question, local)
        return {
            "given": " → ".join(items.get(k, "?") for k in (value or [])),
            "expected": " → ".join(items[i["key"]] for i in question.spec["items"]),
        }
