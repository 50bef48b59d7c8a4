"""Cohorts reacting to learning events: a passed quiz may complete a blended course."""

from django.dispatch import receiver

from assessments.signals import quiz_passed
from cohorts.services.completion import seats_evaluate_for_user


@receiver(quiz_passed)
def on_quiz_passed(sender, attempt, **kwargs) -> None:
    seats_evaluate_for_user(user=attempt.user, course_id=attempt.enrollment.course_id)
