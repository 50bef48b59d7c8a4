"""Writes for courses: enrolling, completing lessons and courses (content/ is imported by
courses.pipeline.sync)."""

import logging

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_log
from core.audit import AuditContext
from courses.access import content_access_allowed
from courses.completion import requirements_met
from courses.models import (
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    ModuleProgress,
    strictest_access,
)
from courses.signals import course_completed, lesson_completed

logger = logging.getLogger(__name__)


@transaction.atomic
def enrollment_create(
    *, user: User, course: Course, context: AuditContext | None = None
) -> Enrollment:
    """Enroll an officer; enrolling twice returns the existing enrollment."""
    enrollment, created = Enrollment.objects.get_or_create(user=user, course=course)
    if created:
        audit_log(action="enrollment.create", actor=user, target=enrollment, context=context)
    return enrollment


@transaction.atomic
def lesson_complete(
    *, enrollment: Enrollment, lesson: Lesson, context: AuditContext | None = None
) -> LessonProgress:
    """Mark a lesson read at its current version; idempotent. May complete the course."""
    if lesson.module.course_id != enrollment.course_id:
        raise ValueError("The lesson does not belong to the enrolled course.")
    if lesson.current_version_id is None:
        raise ValueError("The lesson has no imported text yet.")
    progress, created = LessonProgress.objects.get_or_create(
        enrollment=enrollment,
        lesson=lesson,
        defaults={"version_id": lesson.current_version_id},
    )
    if created:
        module_progress_record(progress=progress, module_id=lesson.module_id)
        audit_log(
            action="lesson.complete",
            actor=enrollment.user,
            target=progress,
            details={"lesson_id": lesson.pk, "version_id": lesson.current_version_id},
            context=context,
        )
        lesson_completed.send(sender=LessonProgress, enrollment=enrollment, progress=progress)
        enrollment_evaluate_completion(enrollment=enrollment, context=context)
    return progress


def module_progress_record(*, progress: LessonProgress, module_id: int) -> None:
    """Count a newly written LessonProgress in its module's summary, in the caller's
    transaction (lesson_complete's; fixtures that write progress rows directly call it too): one
    lesson count, then an insert or an increment. completed_at is set by the read that
    reaches the module's lesson count at that moment (see ModuleProgress)."""
    lesson_count = Lesson.objects.filter(module_id=module_id).count()
    read_at = progress.completed_at
    summary, created = ModuleProgress.objects.get_or_create(
        enrollment_id=progress.enrollment_id,
        module_id=module_id,
        defaults={
            "lessons_read": 1,
            "last_read_at": read_at,
            "completed_at": read_at if lesson_count <= 1 else None,
        },
    )
    if not created:
        # One UPDATE: the row lock orders concurrent reads of the same module; the right-hand
        # sides see the row before this read.
        ModuleProgress.objects.filter(pk=summary.pk).update(
            lessons_read=F("lessons_read") + 1,
            last_read_at=Greatest("last_read_at", Value(read_at)),
            completed_at=Case(
                When(lessons_read__gte=lesson_count - 1, then=Value(read_at)),
                default=F("completed_at"),
            ),
        )


@transaction.atomic
def enrollment_evaluate_completion(
    *, enrollment: Enrollment, context: AuditContext | None = None
) -> bool:
    """Complete the course when every lesson is read and every requirement is met.

    The row lock makes two concurrent evaluations complete (and certify) only once.
    """
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.completed_at is not None:
        return False
    lessons = Lesson.objects.filter(module__course_id=enrollment.course_id)
    lesson_total = lessons.count()
    done = LessonProgress.objects.filter(enrollment=enrollment).count()
    if lesson_total == 0 or done < lesson_total or not requirements_met(enrollment):
        return False
    # Whatever was read before: a course with locked parts completes only for an officer
    # who may open them now (vetted, not lapsed, not left).
    strictest = strictest_access(lessons.values_list("access", flat=True).distinct())
    if not content_access_allowed(user=enrollment.user, level=strictest):
        return False
    enrollment.completed_at = timezone.now()
    enrollment.save(update_fields=["completed_at"])
    audit_log(action="course.complete", actor=enrollment.user, target=enrollment, context=context)
    course_completed.send(sender=Enrollment, enrollment=enrollment)
    return True


@transaction.atomic
def lesson_refresh_complete(
    *, progress: LessonProgress, context: AuditContext | None = None
) -> LessonProgress:
    """The officer re-read a lesson after a material change: pin the current version."""
    progress = (
        LessonProgress.objects.select_for_update(of=("self",))
        .select_related("lesson")
        .get(pk=progress.pk)
    )
    current = progress.lesson.current_version_id
    if current is None or progress.version_id == current:
        return progress
    old = progress.version_id
    progress.version_id = current
    progress.completed_at = timezone.now()
    progress.save(update_fields=["version", "completed_at"])
    # The summary's last_read_at stays the latest completed_at of the module's progress.
    ModuleProgress.objects.filter(
        enrollment_id=progress.enrollment_id, module_id=progress.lesson.module_id
    ).update(last_read_at=Greatest("last_read_at", Value(progress.completed_at)))
    audit_log(
        action="lesson.refresh",
        actor=progress.enrollment.user,
        target=progress,
        details={"lesson_id": progress.lesson_id, "from_version_id": old, "to_version_id": current},
        context=context,
    )
    return progress
