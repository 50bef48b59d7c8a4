"""The quiz form: one field per question, built from the stored questions."""

from django import forms

from assessments.models import Question


class AttemptForm(forms.Form):
    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            choices = [(choice["key"], choice["text"]) for choice in question.choices]
            label = f"{number}. {question.prompt}"
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
