"""The quiz form: one field per question, built from the stored questions."""

from django import forms

from assessments.models import Question


class AttemptForm(forms.Form):
    def __init__(self, *args, questions: list[Question], texts: dict | None = None, **kwargs):
        """texts: a QuizTranslation's questions mapping, to show the quiz in that language."""
        super().__init__(*args, **kwargs)
        self.questions = questions
        texts = texts or {}
        for number, question in enumerate(questions, start=1):
            local = texts.get(question.key, {})
            names = local.get("choices", {})
            choices = [(c["key"], names.get(c["key"], c["text"])) for c in question.choices]
            label = f"{number}. {local.get('prompt') or question.prompt}"
            if question.kind == Question.Kind.SINGLE:
                field = forms.ChoiceField(
                    label=label, choices=choices, widget=forms.RadioSelect, required=False
                )
            else:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                )
            field.question = question
            self.fields[f"q_{question.key}"] = field

    def raw_answers(self) -> dict[str, list[str]]:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.key}")
            if isinstance(value, str):
                value = [value] if value else []
            answers[question.key] = list(value or [])
        return answers
