"""Reads for courses: catalog, course outline with progress, lesson lookups."""

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet, Sum

from courses.models import Course, Enrollment, Lesson, LessonProgress, Module


def course_catalog() -> QuerySet[Course]:
    return (
        Course.objects.filter(is_published=True)
        .annotate(
            lesson_count=Count("modules__lessons", distinct=True),
            total_minutes=Sum("modules__lessons__minutes"),
        )
        .order_by("order", "title")
    )


def course_outline(*, course: Course) -> QuerySet[Module]:
    # "quiz" is the reverse one-to-one that assessments adds; joined by name, not imported.
    return (
        Module.objects.filter(course=course)
        .select_related("quiz")
        .prefetch_related(Prefetch("lessons", queryset=Lesson.objects.order_by("order", "id")))
    )


def course_lessons(*, course: Course) -> list[Lesson]:
    return list(
        Lesson.objects.filter(module__course=course)
        .select_related("module", "current_version")
        .order_by("module__order", "module__id", "order", "id")
    )


def course_minutes(*, course: Course) -> int:
    return (
        Lesson.objects.filter(module__course=course).aggregate(total=Sum("minutes"))["total"] or 0
    )


def enrollment_for(*, user, course: Course) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course=course).first()


def completed_lesson_ids(*, enrollment: Enrollment | None) -> set[int]:
    if enrollment is None:
        return set()
    return set(
        LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True)
    )


def user_enrollments(*, user) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(user=user)
        .select_related("course")
        .annotate(
            lesson_count=Count("course__modules__lessons", distinct=True),
            done_count=Count("progress", distinct=True),
        )
        .order_by("-enrolled_at")
    )


@dataclass(frozen=True)
class CourseProgress:
    """An officer's place in a course: lessons in order and which of them are done."""

    lessons: list[Lesson]
    done_ids: set[int]

    @property
    def next_lesson(self) -> Lesson | None:
        """Where to resume: the first lesson not yet completed, in course order."""
        return next((lesson for lesson in self.lessons if lesson.pk not in self.done_ids), None)

    @property
    def done(self) -> int:
        return len(self.done_ids)

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def course_progress(*, course: Course, enrollment: Enrollment | None) -> CourseProgress:
    return CourseProgress(
        lessons=course_lessons(course=course),
        done_ids=completed_lesson_ids(enrollment=enrollment),
    )


def enrollment_content_version(*, enrollment: Enrollment) -> str:
    """A fingerprint of the exact lesson versions this officer completed."""
    hashes = (
        LessonProgress.objects.filter(enrollment=enrollment)
        .order_by("lesson_id")
        .values_list("lesson_id", "version__content_hash")
    )
    digest = hashlib.sha256()
    for lesson_id, content_hash in hashes:
        digest.update(f"{lesson_id}:{content_hash};".encode())
    return digest.hexdigest()[:32]
