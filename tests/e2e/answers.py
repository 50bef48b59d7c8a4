"""Filling in the right answer to any non-lab question on the quiz page, as an officer would:
by the form controls each question type renders (assessments.questions), not by posting."""

from assessments.models import Question
from assessments.questions import question_type


def question_answer_fill(page, question: Question, seed: int) -> None:
    """Answer `question` correctly in the open attempt page (labs: tests/e2e/labs.py)."""
    answer = question_type(question.kind).model_answer(question, seed)
    name = f"q_{question.key}"
    if question.kind in ("single", "multiple", "true_false"):
        for choice_key in answer:
            page.locator(f'input[name="{name}"][value="{choice_key}"]').check()
    elif question.kind in ("numeric", "short_text"):
        page.locator(f'input[name="{name}"]').fill(answer[0])
    elif question.kind == "ordering":
        for position, item_key in enumerate(answer, start=1):
            page.locator(f'select[name="{name}__{item_key}"]').select_option(str(position))
    elif question.kind == "matching":
        for left, right in answer.items():
            page.locator(f'select[name="{name}__{left}"]').select_option(right)
    else:
        raise AssertionError(f"no way to answer a {question.kind} question in the browser")
