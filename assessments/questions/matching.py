"""Matching questions: pair each item on the left with one on the right (the right-hand
options shuffled); optional partial credit for the share of right pairs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Question
from assessments.questions.base import QuestionType, YamlCheck, register


@register
class Matching(QuestionType):
    kind = Question.Kind.MATCHING.value
    label = Question.Kind.MATCHING.label
    order = 70
    keys = frozenset({"pairs"})
    partial_credit = True
    layout = "rows"
    hint = _("Match each item on the left with one on the right.")

    def validate(self, question: dict, check: YamlCheck) -> None:
        check.keyed_list(question.get("pairs"), "pairs", ("left", "right"))

    def stored_spec(self, item: dict) -> dict:
        return {
            "pairs": [
                {"key": p["key"], "left": p["left"].strip(), "right": p["right"].strip()}
                for p in item["pairs"]
            ]
        }

    def option_keys(self, question: Question) -> list[str]:
        return [pair["key"] for pair in question.spec.get("pairs", [])]

    @staticmethod
    def _pairs(question: Question, local: dict) -> dict[str, dict]:
        """Each pair's {left, right} in the page's language (the translation's, else English)."""
        names = local.get("pairs") or {}
        return {p["key"]: names.get(p["key"]) or p for p in question.spec["pairs"]}

    def fields(self, question, label, order, local):
        pairs = self._pairs(question, local)
        rights = [("", "—")] + [(k, pairs[k]["right"]) for k in order]
        for pair_key in (p["key"] for p in question.spec["pairs"]):
            yield (
                pair_key,
                forms.ChoiceField(label=pairs[pair_key]["left"], choices=rights, required=False),
            )

    def initial(self, question, value):
        if isinstance(value, dict):
            yield from value.items()

    def cleared(self):
        return {}

    def answer(self, question, cleaned, posted):
        key = question.key
        chosen = {
            pair["key"]: cleaned.get(f"q_{key}__{pair['key']}")
            for pair in question.spec["pairs"]
            if cleaned.get(f"q_{key}__{pair['key']}")
        }
        return chosen or None

    def score(self, question: Question, value, seed: int) -> float:
        pairs = {pair["key"]: pair["key"] for pair in question.spec["pairs"]}
        if not isinstance(value, dict):
            return 0.0
        right = sum(1 for left, chosen in value.items() if left in pairs and chosen == pairs[left])
        if right == len(pairs):
            return 1.0
        return right / len(pairs) if question.partial else 0.0

    def model_answer(self, question: Question, seed: int) -> dict[str, str]:
        """Each left item with its own right-hand side (a pair shares one key)."""
        return {pair["key"]: pair["key"] for pair in question.spec["pairs"]}

    def review(self, question, value, seed, local):
        pairs = self._pairs(question, local)
        given = value if isinstance(value, dict) else {}
        return {
            "given": "; ".join(
                f"{pairs[k]['left']} = {pairs[v]['right']}"
                for k, v in given.items()
                if k in pairs and v in pairs
            ),
            "expected": "; ".join(
                f"{pairs[p['key']]['left']} = {pairs[p['key']]['right']}"
                for p in question.spec["pairs"]
            ),
        }
