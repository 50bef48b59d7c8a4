"""The quiz form: one field per drawn question, of the kind the question needs, with options
in the attempt's own (shuffled) order. raw_answers() gives what grading reads."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.grading import option_order
from assessments.models import Question

Kind = Question.Kind
TRUE_FALSE_LABELS = {"true": _("True"), "false": _("False")}


class AttemptForm(forms.Form):
    def __init__(
        self,
        *args,
        questions: list[Question],
        seed: int = 0,
        texts: dict | None = None,
        saved: dict | None = None,
        **kwargs,
    ):
        """texts: a QuizTranslation's questions mapping; saved: answers saved so far."""
        super().__init__(*args, **kwargs)
        self.questions = questions
        texts = texts or {}
        saved = saved or {}
        for number, question in enumerate(questions, start=1):
            local = texts.get(question.key, {})
            label = f"{number}. {local.get('prompt') or question.prompt}"
            order = option_order(question, seed)
            for name, field in self._fields_for(question, label, order, local):
                field.question = question
                self.fields[name] = field
            self._set_initial(question, saved.get(question.key))

    def _fields_for(self, question, label, order, local):
        key = question.key
        names = local.get("choices", {})
        if question.kind in {Kind.SINGLE, Kind.MULTIPLE, Kind.TRUE_FALSE}:
            text = {c["key"]: names.get(c["key"], c["text"]) for c in question.choices}
            if question.kind == Kind.TRUE_FALSE:
                text = dict(TRUE_FALSE_LABELS)
            choices = [(k, text[k]) for k in order]
            if question.kind == Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                )
            else:
                field = forms.ChoiceField(
                    label=label, choices=choices, widget=forms.RadioSelect, required=False
                )
            yield f"q_{key}", field
        elif question.kind == Kind.NUMERIC:
            yield (
                f"q_{key}",
                forms.CharField(
                    label=label,
                    required=False,
                    max_length=50,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                ),
            )
        elif question.kind == Kind.SHORT_TEXT:
            yield (
                f"q_{key}",
                forms.CharField(
                    label=label,
                    required=False,
                    max_length=500,
                    widget=forms.TextInput(attrs={"autocomplete": "off"}),
                ),
            )
        elif question.kind == Kind.ORDERING:
            items = {i["key"]: i["text"] for i in question.spec["items"]}
            positions = [("", "—")] + [(str(n), str(n)) for n in range(1, len(order) + 1)]
            for item_key in order:
                field = forms.ChoiceField(label=items[item_key], choices=positions, required=False)
                field.group_label = label
                yield f"q_{key}__{item_key}", field
        elif question.kind == Kind.LAB:
            for task, field in lab_fields(question):
                field.group_label = label
                yield f"q_{key}__{task}", field
        elif question.kind == Kind.MATCHING:
            pairs = {p["key"]: p for p in question.spec["pairs"]}
            rights = [("", "—")] + [(k, pairs[k]["right"]) for k in order]
            for pair_key in sorted(pairs, key=lambda k: question.spec["pairs"].index(pairs[k])):
                field = forms.ChoiceField(
                    label=pairs[pair_key]["left"], choices=rights, required=False
                )
                field.group_label = label
                yield f"q_{key}__{pair_key}", field

    def _set_initial(self, question, value) -> None:
        if value is None:
            return
        key = question.key
        if question.kind == Kind.MULTIPLE:
            self.initial[f"q_{key}"] = value
        elif question.kind in {Kind.SINGLE, Kind.TRUE_FALSE, Kind.NUMERIC, Kind.SHORT_TEXT}:
            self.initial[f"q_{key}"] = value[0] if isinstance(value, list) and value else value
        elif question.kind == Kind.ORDERING and isinstance(value, list):
            for position, item_key in enumerate(value, start=1):
                self.initial[f"q_{key}__{item_key}"] = str(position)
        elif question.kind == Kind.MATCHING and isinstance(value, dict):
            for pair_key, chosen in value.items():
                self.initial[f"q_{key}__{pair_key}"] = chosen
        elif question.kind == Kind.LAB and isinstance(value, dict):
            exchanges = value.get("exchanges") or {}
            if isinstance(exchanges, dict):
                self.initial[f"q_{key}__exchanges"] = "\n".join(
                    f"{n}: {a}" for n, a in exchanges.items()
                )
            for task in ("consolidation", "bridge_hop", "bridge_chain"):
                if value.get(task):
                    self.initial[f"q_{key}__{task}"] = value[task]

    def raw_answers(self) -> dict:
        """The answers the page sent. Each question's block carries a hidden q_<key>__shown
        marker, so a question the officer cleared (every box unticked) is saved as cleared;
        a request without the marker (a partial autosave) leaves the saved answer alone."""
        answers = {}
        data = self.cleaned_data
        for question in self.questions:
            key = question.key
            if f"q_{key}__shown" in self.data:
                answers[key] = {} if question.kind in {Kind.MATCHING, Kind.LAB} else []
            if question.kind == Kind.ORDERING:
                ranked = []
                for item in question.spec["items"]:
                    position = data.get(f"q_{key}__{item['key']}")
                    if position:
                        ranked.append((int(position), item["key"]))
                if ranked:
                    answers[key] = [item_key for _pos, item_key in sorted(ranked)]
            elif question.kind == Kind.LAB:
                answer = lab_answer(data, key)
                if answer:
                    answers[key] = answer
            elif question.kind == Kind.MATCHING:
                chosen = {
                    pair["key"]: data.get(f"q_{key}__{pair['key']}")
                    for pair in question.spec["pairs"]
                    if data.get(f"q_{key}__{pair['key']}")
                }
                if chosen:
                    answers[key] = chosen
            elif f"q_{key}" in self.data or f"q_{key}__shown" in self.data:
                value = data.get(f"q_{key}")
                if isinstance(value, str):
                    value = [value] if value.strip() else []
                answers[key] = list(value or [])
        return answers

    def blocks(self) -> list[dict]:
        """The form grouped by question, for the template."""
        blocks = []
        for number, question in enumerate(self.questions, start=1):
            prefix = f"q_{question.key}"
            fields = [
                self[name]
                for name in self.fields
                if name == prefix or name.startswith(prefix + "__")
            ]
            blocks.append(
                {
                    "question": question,
                    "number": number,
                    "label": getattr(fields[0].field, "group_label", None) or fields[0].label,
                    "fields": fields,
                    "kind": question.kind,
                }
            )
        return blocks


def lab_fields(question: Question):
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
    yield (
        "consolidation",
        forms.CharField(
            label=_("Which address is the consolidation point?"),
            required=False,
            max_length=120,
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        ),
    )
    if question.spec.get("params", {}).get("scenario") == "mixer_swap_bridge":
        yield (
            "bridge_hop",
            forms.CharField(
                label=_("Which transaction crossed the bridge? (transaction ID)"),
                required=False,
                max_length=120,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            ),
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


def lab_answer(data: dict, key: str) -> dict:
    """The lab answer from the form: exchanges parsed from 'name: amount' lines."""
    answer: dict = {}
    exchanges = {}
    for line in (data.get(f"q_{key}__exchanges") or "").splitlines():
        name, sep, amount = line.rpartition(":")
        if sep and name.strip() and amount.strip():
            exchanges[name.strip()] = amount.strip()
    if exchanges:
        answer["exchanges"] = exchanges
    for task in ("consolidation", "bridge_hop", "bridge_chain"):
        value = (data.get(f"q_{key}__{task}") or "").strip()
        if value:
            answer[task] = value
    return answer
