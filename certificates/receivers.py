"""Turns a course completion into a pending certificate, in the completing transaction."""

from django.dispatch import receiver

from certificates.services import certificate_create_for_completion
from courses.signals import course_completed


@receiver(course_completed)
def on_course_completed(sender, enrollment, **kwargs) -> None:
    certificate_create_for_completion(enrollment=enrollment)
