"""Reads of learners' progress: enrollments, the lessons read and where to resume, what a
certificate pins, and the lessons to read again after a material change."""

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet

from courses.completion import requirements_met
from courses.models import Course, Enrollment, Lesson, LessonProgress, LessonVersion
from courses.selectors.outline import course_lessons


def enrolled_course_ids(*, user) -> set[int]:
    return set(Enrollment.objects.filter(user=user).values_list("course_id", flat=True))


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
    """An officer's place in a course: lessons in order, which of them are done, and which
    access levels the officer may open (every level when not given)."""

    lessons: list[Lesson]
    done_ids: set[int]
    open_levels: frozenset[str] | None = None

    def is_open(self, lesson: Lesson) -> bool:
        return self.open_levels is None or lesson.access in self.open_levels

    @property
    def open_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if self.is_open(lesson)]

    @property
    def next_lesson(self) -> Lesson | None:
        """Where to resume: the first lesson not yet completed that the officer may open."""
        return next(
            (lesson for lesson in self.open_lessons if lesson.pk not in self.done_ids), None
        )

    def position(self, lesson: Lesson) -> int:
        """Where the lesson stands among all the course's lessons, from 1."""
        return next(i for i, item in enumerate(self.lessons) if item.pk == lesson.pk) + 1

    def open_neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after this one for the pager, which moves between lessons
        this officer may open; locked ones are listed on the course page."""
        lessons = self.open_lessons
        index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
        previous = lessons[index - 1] if index > 0 else None
        following = lessons[index + 1] if index + 1 < len(lessons) else None
        return previous, following

    @property
    def minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)

    @property
    def done(self) -> int:
        return len(self.done_ids)

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def course_progress(
    *, course: Course, enrollment: Enrollment | None, open_levels: frozenset[str] | None = None
) -> CourseProgress:
    return CourseProgress(
        lessons=course_lessons(course=course),
        done_ids=completed_lesson_ids(enrollment=enrollment),
        open_levels=open_levels,
    )


def completion_blocker(*, enrollment: Enrollment, progress: CourseProgress) -> str | None:
    """Why a course whose open lessons are all read is not complete yet: "vetting" while some
    lessons stay locked to this officer, "requirements" while a higher layer's condition (a
    module quiz) is unmet; None when nothing blocks it."""
    if len(progress.open_lessons) < len(progress.lessons):
        return "vetting"
    if not requirements_met(enrollment):
        return "requirements"
    return None


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


def enrollment_lesson_versions(*, enrollment: Enrollment) -> dict[str, int]:
    """{"<lesson id>": <version number read>}: what a certificate pins, so a renewal can tell
    which lessons changed materially since (progress moves on with each refresher)."""
    rows = LessonProgress.objects.filter(enrollment=enrollment).values_list(
        "lesson_id", "version__number"
    )
    return {str(lesson_id): number for lesson_id, number in rows}


def _needs_refresher():
    """LessonProgress rows whose lesson had a material change after the version read."""
    return Exists(
        LessonVersion.objects.filter(
            lesson=OuterRef("lesson"), is_material=True, number__gt=OuterRef("version__number")
        )
    )


def refreshers_for_user(*, user) -> QuerySet[LessonProgress]:
    return (
        LessonProgress.objects.filter(enrollment__user=user)
        .filter(_needs_refresher())
        .select_related("lesson__module__course", "version", "lesson__current_version")
        .order_by("lesson__module__order", "lesson__order")
    )


def refreshers_for_agencies(*, agency_ids: list[int]) -> QuerySet[LessonProgress]:
    return (
        LessonProgress.objects.filter(
            enrollment__user__memberships__agency_id__in=agency_ids,
            enrollment__user__memberships__role="officer",
        )
        .filter(_needs_refresher())
        .select_related(
            "enrollment__user", "lesson__module__course", "version", "lesson__current_version"
        )
        .distinct()
        .order_by("enrollment__user__full_name", "lesson__module__order", "lesson__order")
    )


def lesson_progress(*, enrollment: Enrollment, lesson: Lesson) -> LessonProgress | None:
    return (
        LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson)
        .select_related("version")
        .first()
    )


def needs_refresher(*, progress: LessonProgress | None) -> bool:
    if progress is None:
        return False
    return LessonVersion.objects.filter(
        lesson_id=progress.lesson_id, is_material=True, number__gt=progress.version.number
    ).exists()
