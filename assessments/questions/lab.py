"""Tracing lab questions: each attempt gets its own generated graph (assessments.labs), the
officer explores it and answers its tasks; each task scores a share of the question."""

import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.labs.answers import answer_key
from assessments.labs.build import generate
from assessments.labs.grading import grade_tasks
from assessments.labs.graph import TASKS, LabGraph, LabParams
from assessments.models import Question
from assessments.questions.base import NoModelAnswer, QuestionType, YamlCheck, register

# Form fields per task (a task may have several fields): how each is typed in the form.
TEXT_TASKS = (
    "consolidation",
    "bridge_hop",
    "bridge_chain",
    "change_output",
    "commingled",
    "libr_withdrawal",
    "libr_remaining",
)
LIST_TASKS = ("cluster", "trail")  # one address per line, stored as a list
MAPPING_TASKS = ("exchanges", "deposits")  # "name: amount" per line, stored as a mapping
FIELDS = {
    "exchanges": ("exchanges",),
    "consolidation": ("consolidation",),
    "bridge": ("bridge_hop", "bridge_chain"),
    "cluster": ("cluster",),
    "change_output": ("change_output",),
    "deposits": ("deposits",),
    "trail": ("trail",),
    "commingled": ("commingled",),
    "libr_withdrawal": ("libr_withdrawal",),
    "libr_remaining": ("libr_remaining",),
}


def _scenario(question: Question) -> str:
    params = question.spec.get("params") if isinstance(question.spec, dict) else None
    scenario = params.get("scenario") if isinstance(params, dict) else None
    return scenario if scenario in TASKS else "peel_chain"


def _field_names(question: Question) -> list[str]:
    return [name for task in TASKS[_scenario(question)] for name in FIELDS[task]]


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
        """The tasks of the lab's scenario, as form fields."""
        scenario = _scenario(question)
        for name in _field_names(question):
            yield name, _field(name, scenario)

    def initial(self, question, value):
        if not isinstance(value, dict):
            return
        for name in _field_names(question):
            given = value.get(name)
            if name in MAPPING_TASKS and isinstance(given, dict):
                yield name, "\n".join(f"{n}: {a}" for n, a in given.items())
            elif name in LIST_TASKS and isinstance(given, list):
                yield name, "\n".join(str(item) for item in given)
            elif name in TEXT_TASKS and isinstance(given, str) and given:
                yield name, given

    def cleared(self):
        return {}

    def answer(self, question, cleaned, posted):
        """Mappings parsed from 'name: amount' lines, lists from one address per line, and the
        other tasks as typed."""
        key = question.key
        answer: dict = {}
        for name in _field_names(question):
            text = cleaned.get(f"q_{key}__{name}") or ""
            if name in MAPPING_TASKS:
                pairs = {}
                for line in text.splitlines():
                    item, sep, amount = line.rpartition(":")
                    if sep and item.strip() and amount.strip():
                        pairs[item.strip()] = amount.strip()
                if pairs:
                    answer[name] = pairs
            elif name in LIST_TASKS:
                items = list(dict.fromkeys(line.strip() for line in text.splitlines()))
                items = [item for item in items if item]
                if items:
                    answer[name] = items
            elif text.strip():
                answer[name] = text.strip()
        return answer or None

    def score(self, question: Question, value, seed: int) -> float:
        if not isinstance(value, dict):
            return 0.0
        scores = grade_tasks(lab_graph(question, seed), value)
        return sum(scores.values()) / len(scores) if scores else 0.0

    def model_answer(self, question: Question, seed: int) -> dict:
        """The answer key of this attempt's own graph, as the form stores it (amounts as text)."""
        key = answer_key(lab_graph(question, seed))
        scenario = _scenario(question)
        answer: dict = {}
        for task in TASKS[scenario]:
            if task == "exchanges":
                if not key.exchanges:
                    raise NoModelAnswer("the generated graph sends nothing to an exchange")
                answer["exchanges"] = {n: format(a, "f") for n, a in key.exchanges.items()}
            elif task == "consolidation":
                answer["consolidation"] = key.consolidation_address
            elif task == "bridge":
                if not (key.bridge_hop and key.bridge_chain):
                    raise NoModelAnswer("the generated graph has no bridge crossing")
                answer.update(bridge_hop=key.bridge_hop, bridge_chain=key.bridge_chain)
            elif task in ("cluster", "trail"):
                answer[task] = sorted(getattr(key, task))
            elif task == "deposits":
                answer["deposits"] = {a: format(v, "f") for a, v in key.deposits.items()}
            elif task in ("libr_withdrawal", "libr_remaining"):
                amount = getattr(key, task)
                if amount is None:
                    raise NoModelAnswer("the generated graph has no named withdrawal")
                answer[task] = format(amount, "f")
            else:
                answer[task] = getattr(key, task)
        return answer

    def review(self, question, value, seed, local):
        model = self.model_answer(question, seed)
        given = value if isinstance(value, dict) else {}

        def show(answer: dict) -> str:
            parts = []
            for name in _field_names(question):
                item = answer.get(name)
                if isinstance(item, dict):
                    parts += [f"{n}: {a}" for n, a in item.items()]
                elif isinstance(item, list):
                    parts.append(f"{name}: {', '.join(str(i) for i in item)}")
                elif isinstance(item, str) and item:
                    parts.append(f"{name}: {item}")
            return "; ".join(parts)

        return {"given": show(given), "expected": show(model)}


def _text_area(label, max_length: int = 4000) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
    )


def _field(name: str, scenario: str) -> forms.Field:
    """One task's form field. Labels name what to type; the case file on the lab's start
    page names the transaction that a task refers to."""
    if name == "exchanges":
        if scenario == "tron_energy":
            return _text_area(
                _(
                    "Which exchanges or OTC desks received the laundered USDT, and how much? "
                    "One per line: name: amount"
                )
            )
        return _text_area(
            _("Which exchanges received the stolen funds, and how much? One per line: name: amount")
        )
    if name == "consolidation":
        return _text_input(_("Which address is the consolidation point?"), 120)
    if name == "bridge_hop":
        return _text_input(_("Which transaction crossed the bridge? (transaction ID)"), 120)
    if name == "bridge_chain":
        return forms.ChoiceField(
            label=_("To which chain did it cross?"),
            required=False,
            choices=[("", "—"), ("bitcoin", "Bitcoin"), ("ethereum", "Ethereum"), ("tron", "Tron")],
        )
    if name == "cluster":
        return _text_area(
            _(
                "Which other addresses belong to the thief's wallet by common-input ownership? "
                "One address per line"
            ),
            20_000,
        )
    if name == "change_output":
        return _text_input(
            _("Which output of the transaction named in the case file is the change? (address)"),
            120,
        )
    if name == "deposits":
        return _text_area(
            _(
                "Which unlabelled addresses are exchange deposit addresses, and how much did the "
                "thief send to each? One per line: address: amount"
            ),
            20_000,
        )
    if name == "trail":
        return _text_area(
            _(
                "Which addresses carried the stolen USDT after the reported address (not the "
                "exchanges or OTC desks)? One address per line"
            ),
            20_000,
        )
    if name == "commingled":
        return _text_input(_("At which address were the stolen funds mixed with clean funds?"), 120)
    if name == "libr_withdrawal":
        return _text_input(
            _(
                "Under the lowest intermediate balance rule, how much of the stolen USDT went "
                "into the withdrawal named in the case file? (USDT, to the cent)"
            ),
            40,
        )
    return _text_input(
        _(
            "Under the lowest intermediate balance rule, how much stolen USDT is still in that "
            "address after its last transfer? (USDT, to the cent)"
        ),
        40,
    )
