"""Course reactions to account events: a course that waited only for the officer's vetting
completes once they are vetted."""

from django.dispatch import receiver

from accounts.signals import membership_vetted
from courses.models import Enrollment
from courses.services import enrollment_evaluate_completion


@receiver(membership_vetted)
def on_membership_vetted(sender, user, **kwargs) -> None:
    for enrollment in Enrollment.objects.filter(user=user, completed_at__isnull=True):
        enrollment_evaluate_completion(enrollment=enrollment)
