"""Browser-test helper: fill the right answers to a tracing lab question of any scenario on
the quiz-taking page, from the model answer of the attempt's own graph."""

from assessments.grading import model_answer


def lab_answer_text(value) -> str:
    """A model answer of one task as an officer types it in the form."""
    if isinstance(value, dict):
        return "\n".join(f"{name}: {amount}" for name, amount in value.items())
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def lab_answer_fill(page, question, attempt) -> None:
    """Type every task's right answer into the lab's fields (whatever its scenario)."""
    for name, value in model_answer(question, attempt.seed).items():
        field = page.locator(f'[name="q_{question.key}__{name}"]')
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(lab_answer_text(value))
