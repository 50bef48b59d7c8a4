"""Tracing lab questions: each attempt gets its own generated graph (assessments.labs), the
officer explores it and answers its tasks; each task scores a share of the question."""

import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.labs.answers import answer_key
from assessments.labs.build import generate
from assessments.labs.grading import grade_tasks
from assessments.labs.graph import LabGraph, LabParams
from assessments.models import Question
from assessments.questions.base import NoModelAnswer, QuestionType, YamlCheck, register

TEXT_TASKS = ("consolidation", "bridge_hop", "bridge_chain")


def lab_seed(seed: int, question_key: str) -> int:
    """Each lab question of an attempt gets its own graph, reproducible from the attempt."""
    digest = hashlib.sha256(f"{seed}:{question_key}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def lab_graph(question: Question, seed: int) -> LabGraph:
    return generate(lab_seed(seed, question.key), LabParams.from_dict(question.spec["params"]))


def _text_input(label, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


@register
class Lab(QuestionType):
    kind = Question.Kind.LAB.value
    label = Question.Kind.LAB.label
    order = 80
    keys = frozenset({"params"})
    layout = "stacked"
    intro_template = "assessments/questions/lab_intro.html"

    def validate(self, question: dict, check: YamlCheck) -> None:
        params = question.get("params")
        if not isinstance(params, dict):
            check("a lab question needs 'params' (scenario and sizes)", "params")
            return
        try:
            problems = LabParams.from_dict(params).problems()
        except (ValueError, TypeError) as exc:
            problems = [str(exc)]
        for problem in problems:
            check(f"lab params: {problem}", "params")

    def stored_spec(self, item: dict) -> dict:
        return {"params": dict(item["params"])}

    def option_keys(self, question: Question) -> list[str]:
        return []

    def fields(self, question, label, order, local):
        """The tasks of a tracing lab, as form fields."""
        yield (
            "exchanges",
            forms.CharField(
                label=_(
                    "Which exchanges received the stolen funds, and how much? One per line: name: amount"
                ),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
            ),
        )
        yield "consolidation", _text_input(_("Which address is the consolidation point?"), 120)
        if question.spec.get("params", {}).get("scenario") == "mixer_swap_bridge":
            yield (
                "bridge_hop",
                _text_input(_("Which transaction crossed the bridge? (transaction ID)"), 120),
            )
            yield (
                "bridge_chain",
                forms.ChoiceField(
                    label=_("To which chain did it cross?"),
                    required=False,
                    choices=[
                        ("", "—"),
                        ("bitcoin", "Bitcoin"),
                        ("ethereum", "Ethereum"),
                        ("tron", "Tron"),
                    ],
                ),
            )

    def initial(self, question, value):
        if not isinstance(value, dict):
            return
        exchanges = value.get("exchanges") or {}
        if isinstance(exchanges, dict):
            yield "exchanges", "\n".join(f"{n}: {a}" for n, a in exchanges.items())
        for task in TEXT_TASKS:
            if value.get(task):
                yield task, value[task]

    def cleared(self):
        return {}

    def answer(self, question, cleaned, posted):
        """Exchanges parsed from 'name: amount' lines, and the other tasks as typed."""
        key = question.key
        answer: dict = {}
        exchanges = {}
        for line in (cleaned.get(f"q_{key}__exchanges") or "").splitlines():
            name, sep, amount = line.rpartition(":")
            if sep and name.strip() and amount.strip():
                exchanges[name.strip()] = amount.strip()
        if exchanges:
            answer["exchanges"] = exchanges
        for task in TEXT_TASKS:
            value = (cleaned.get(f"q_{key}__{task}") or "").strip()
            if value:
                answer[task] = value
        return answer or None

    def score(self, question: Question, value, seed: int) -> float:
        if not isinstance(value, dict):
            return 0.0
        scores = grade_tasks(lab_graph(question, seed), value)
        return sum(scores.values()) / len(scores) if scores else 0.0

    def model_answer(self, question: Question, seed: int) -> dict:
        """The answer key of this attempt's own graph, as the form stores it: amounts as text
        per exchange, then the consolidation address and, after a bridge, the hop and chain."""
        key = answer_key(lab_graph(question, seed))
        answer: dict = {
            "exchanges": {name: format(amount, "f") for name, amount in key.exchanges.items()},
            "consolidation": key.consolidation_address,
        }
        if question.spec.get("params", {}).get("scenario") == "mixer_swap_bridge":
            if not (key.bridge_hop and key.bridge_chain):
                raise NoModelAnswer("the generated graph has no bridge crossing")
            answer.update(bridge_hop=key.bridge_hop, bridge_chain=key.bridge_chain)
        if not key.exchanges:
            raise NoModelAnswer("the generated graph sends nothing to an exchange")
        return answer

    def review(self, question, value, seed, local):
        key = answer_key(lab_graph(question, seed))
        given = value if isinstance(value, dict) else {}
        exchanges = given.get("exchanges") if isinstance(given.get("exchanges"), dict) else {}
        expected = [
            f"{name}: {amount} {key.exchange_asset}" for name, amount in key.exchanges.items()
        ]
        expected.append(f"consolidation: {key.consolidation_address}")
        if key.bridge_hop:
            expected += [f"bridge_hop: {key.bridge_hop}", f"bridge_chain: {key.bridge_chain}"]
        return {
            "given": "; ".join(
                [f"{name}: {amount}" for name, amount in exchanges.items()]
                + [f"{task}: {given[task]}" for task in TEXT_TASKS if given.get(task)]
            ),
            "expected": "; ".join(expected),
        }
