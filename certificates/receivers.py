"""Turns a course or cohort completion into a pending certificate, in the completing
transaction."""

from django.dispatch import receiver

from accounts.signals import user_erased
from assessments.signals import quiz_passed
from certificates.services import (
    certificate_create_for_cohort,
    certificate_create_for_completion,
    certificate_pseudonymise_holder,
    certificate_renewals_complete_for,
)
from cohorts.signals import cohort_completed
from courses.signals import course_completed


@receiver(course_completed)
def on_course_completed(sender, enrollment, **kwargs) -> None:
    certificate_create_for_completion(enrollment=enrollment)


@receiver(cohort_completed)
def on_cohort_completed(sender, seat, enrollment, **kwargs) -> None:
    certificate_create_for_cohort(seat=seat, enrollment=enrollment)


@receiver(user_erased)
def on_user_erased(sender, user, **kwargs) -> None:
    # Sent inside the erasing transaction, so the names change together or not at all.
    certificate_pseudonymise_holder(user=user)


@receiver(quiz_passed)
def on_quiz_passed(sender, attempt, **kwargs) -> None:
    # In the grading transaction: a renewal whose last step was this pass is issued with it.
    certificate_renewals_complete_for(enrollment_id=attempt.enrollment_id, actor=attempt.user)
