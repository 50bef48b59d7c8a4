"""Keeps the officer compliance summary (reports.models.ComplianceState) current: lower
layers send signals inside the transactions that change an officer's evidence, and each
receiver queues (through the outbox, so only once that transaction commits) a refresh of
that officer's rows, when one of their agencies follows a requirement set (the others have
no rows to keep, and most events happen there)."""

from django.dispatch import receiver

from accounts.models import Membership
from accounts.signals import membership_vetted
from certificates.signals import certificate_status_changed
from cohorts.signals import attendance_marked
from core.outbox import enqueue_on_commit
from courses.signals import course_completed, lesson_completed
from reports.models import AgencyRequirement


def _refresh_on_commit(user_id: int) -> None:
    from reports.tasks import compliance_state_refresh_task

    bound = AgencyRequirement.objects.filter(
        agency__memberships__user_id=user_id,
        agency__memberships__role=Membership.Role.OFFICER,
    ).exists()
    if bound:
        enqueue_on_commit(compliance_state_refresh_task, user_id=user_id)


@receiver(lesson_completed)
def on_lesson_completed(sender, enrollment, **kwargs) -> None:
    _refresh_on_commit(enrollment.user_id)


@receiver(course_completed)
def on_course_completed(sender, enrollment, **kwargs) -> None:
    _refresh_on_commit(enrollment.user_id)


@receiver(attendance_marked)
def on_attendance_marked(sender, seat, **kwargs) -> None:
    _refresh_on_commit(seat.user_id)


@receiver(certificate_status_changed)
def on_certificate_status_changed(sender, certificate, **kwargs) -> None:
    _refresh_on_commit(certificate.user_id)


@receiver(membership_vetted)
def on_membership_vetted(sender, user, **kwargs) -> None:
    # A newly approved officer gets a row at once instead of at the next daily refresh.
    _refresh_on_commit(user.pk)
