"""The quiz form: the fields of each drawn question, as its type (assessments.questions) makes
them, with options in the attempt's own (shuffled) order. raw_answers() gives what grading
reads."""

from django import forms

from assessments.grading import option_order
from assessments.models import Question
from assessments.questions import question_type


def _name(question: Question, suffix: str | None) -> str:
    return f"q_{question.key}" if suffix is None else f"q_{question.key}__{suffix}"


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
            qtype = question_type(question.kind)
            local = texts.get(question.key, {})
            label = f"{number}. {local.get('prompt') or question.prompt}"
            order = option_order(question, seed)
            for suffix, field in qtype.fields(question, label, order, local):
                field.question = question
                if suffix is not None:
                    field.group_label = label
                self.fields[_name(question, suffix)] = field
            value = saved.get(question.key)
            if value is not None:
                for suffix, initial in qtype.initial(question, value):
                    self.initial[_name(question, suffix)] = initial

    def raw_answers(self) -> dict:
        """The answers the page sent. Each question's block carries a hidden q_<key>__shown
        marker, so a question the officer cleared (every box unticked) is saved as cleared;
        a request without the marker (a partial autosave) leaves the saved answer alone."""
        answers = {}
        for question in self.questions:
            qtype = question_type(question.kind)
            if f"q_{question.key}__shown" in self.data:
                answers[question.key] = qtype.cleared()
            value = qtype.answer(question, self.cleaned_data, self.data)
            if value is not None:
                answers[question.key] = value
        return answers

    def blocks(self) -> list[dict]:
        """The form grouped by question, for the template."""
        blocks = []
        for number, question in enumerate(self.questions, start=1):
            qtype = question_type(question.kind)
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
                    "layout": qtype.layout,
                    "hint": qtype.hint,
                    "intro_template": qtype.intro_template,
                }
            )
        return blocks
