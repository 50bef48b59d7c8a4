"""The answers an officer who studied would give: an attempt's form filled with the right
answers, as a browser posts it. The drill's officers (site_checks.py) and the load test's
(bench/loadtest/) answer through this; call it with Django set up on the site's database."""

from django.db import close_old_connections

from assessments.forms import AttemptForm
from assessments.grading import model_answers
from assessments.models import Attempt
from assessments.selectors import attempt_questions


def attempt_fields(attempt_id: int) -> dict:
    """The attempt form's fields filled with the right answers, as a browser would post them
    (assessments.grading.model_answers through AttemptForm, as the tests do)."""
    try:
        attempt = Attempt.objects.select_related("quiz").get(pk=attempt_id)
        questions = attempt_questions(attempt=attempt)
        answers = model_answers(questions, attempt.seed)
        return dict(AttemptForm(questions=questions, seed=attempt.seed, saved=answers).initial)
    finally:
        close_old_connections()
