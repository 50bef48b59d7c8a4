"""Blended completion: a seat is complete when prerequisites are done, attendance reaches
the cohort's threshold and its assessment is passed."""

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import User
from cohorts.models import Seat
from cohorts.selectors.completion import seat_completion_facts
from cohorts.signals import cohort_completed
from core.audit import AuditContext

SeatStatus = Seat.Status


def seat_evaluate_completion(*, seat: Seat, context: AuditContext | None = None) -> bool:
    """Complete the seat when prerequisites are done, attendance reaches the threshold and
    the assessment is passed. The certificate row is written in this same transaction by the
    receiver of cohort_completed. Safe to call any number of times."""
    from courses.services import enrollment_create

    with transaction.atomic():
        seat = (
            Seat.objects.select_for_update(of=("self",))
            .select_related("cohort__course", "user")
            .get(pk=seat.pk)
        )
        if seat.completed_at is not None or seat.status != SeatStatus.APPROVED:
            return seat.completed_at is not None
        facts = seat_completion_facts(seat=seat)
        if not facts["complete"]:
            return False
        seat.completed_at = timezone.now()
        seat.save(update_fields=["completed_at"])
        enrollment = facts["enrollment"] or enrollment_create(
            user=seat.user, course=seat.cohort.course, context=context
        )
        audit_log(
            action="cohort.complete",
            actor=seat.user,
            target=seat,
            agency=seat.agency,
            details={
                "cohort_id": seat.cohort_id,
                "attendance_percent": facts["attendance_percent"],
            },
            context=context,
        )
        cohort_completed.send(sender=Seat, seat=seat, enrollment=enrollment)
        return True


def cohort_evaluate_completion(*, cohort_id: int) -> list[int]:
    """Evaluate every seat of a cohort (after it closes): the bulk path, run by Celery."""
    completed = []
    seat_ids = Seat.objects.filter(
        cohort_id=cohort_id, status=SeatStatus.APPROVED, completed_at__isnull=True
    ).values_list("pk", flat=True)
    for seat_id in list(seat_ids):
        if seat_evaluate_completion(seat=Seat(pk=seat_id)):
            completed.append(seat_id)
    return completed


def seats_evaluate_for_user(*, user: User, course_id: int) -> None:
    """An officer passed a quiz or finished a module: seats they hold may now be complete."""
    for seat in Seat.objects.filter(
        user=user, cohort__course_id=course_id, status=SeatStatus.APPROVED, completed_at=None
    ):
        seat_evaluate_completion(seat=seat)
