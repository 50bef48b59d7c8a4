"""Reads of learners' progress: enrollments, the lessons read and where to resume, what a
certificate pins, and the lessons to read again after a material change."""

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.prepared import prepared
from courses.completion import requirements_met
from courses.models import Course, Enrollment, Lesson, LessonProgress, LessonVersion
from courses.selectors.outline import CourseOutline, OutlineLesson, course_outline


def enrolled_course_ids(*, user) -> set[int]:
    return set(Enrollment.objects.filter(user=user).values_list("course_id", flat=True))


def enrollment_for(*, user, course: Course) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course=course).first()


def lessons_read(*, enrollment: Enrollment | None) -> dict[int, int]:
    """{lesson id: the version number read} of the lessons an enrollment has read: one query,
    whatever their number."""
    if enrollment is None:
        return {}
    return dict(_lessons_read(enrollment_id=enrollment.pk))


@prepared
def _lessons_read(*, enrollment_id: int) -> QuerySet:
    return LessonProgress.objects.filter(enrollment_id=enrollment_id).values_list(
        "lesson_id", "version__number"
    )


def _count(queryset, field: str):
    """A correlated COUNT(*) of queryset, grouped by field (the outer row's key)."""
    counted = queryset.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def user_enrollments(*, user) -> QuerySet[Enrollment]:
    """With lesson_count and done_count: counted per enrollment by subqueries, rather than by
    joining every lesson of the course to every lesson read (rows ~ lessons x lessons read)."""
    return (
        Enrollment.objects.filter(user=user)
        .select_related("course")
        .annotate(
            lesson_count=_count(
                Lesson.objects.filter(module__course=OuterRef("course_id")), "module__course"
            ),
            done_count=_count(
                LessonProgress.objects.filter(enrollment=OuterRef("pk")), "enrollment"
            ),
        )
        .order_by("-enrolled_at")
    )


@prepared
def enrollments_of(*, user_id: int) -> QuerySet[Enrollment]:
    """user_enrollments as a list, its SQL compiled once per process (the dashboard's read)."""
    return user_enrollments(user=user_id)


@dataclass(frozen=True)
class CourseProgress:
    """An officer's place in a course: its outline, which lessons are done and which of those
    are due a refresher, and which access levels the officer may open (every level when not
    given). Lessons are the outline's; a Lesson row works wherever one is looked up by pk."""

    outline: CourseOutline
    done_ids: frozenset[int]
    open_levels: frozenset[str] | None = None
    refresher_ids: frozenset[int] = frozenset()

    @property
    def lessons(self) -> tuple[OutlineLesson, ...]:
        return self.outline.lessons

    def is_open(self, lesson: OutlineLesson) -> bool:
        return self.open_levels is None or lesson.access in self.open_levels

    def is_done(self, lesson: Lesson | OutlineLesson) -> bool:
        return lesson.pk in self.done_ids

    def needs_refresher(self, lesson: Lesson | OutlineLesson) -> bool:
        """Read, and changed materially since."""
        return lesson.pk in self.refresher_ids

    @property
    def open_lessons(self) -> list[OutlineLesson]:
        return [lesson for lesson in self.lessons if self.is_open(lesson)]

    @property
    def next_lesson(self) -> OutlineLesson | None:
        """Where to resume: the first lesson not yet completed that the officer may open."""
        return next(
            (lesson for lesson in self.open_lessons if lesson.pk not in self.done_ids), None
        )

    def position(self, lesson: Lesson | OutlineLesson) -> int:
        """Where the lesson stands among all the course's lessons, from 1."""
        return next(i for i, item in enumerate(self.lessons) if item.pk == lesson.pk) + 1

    def open_neighbours(
        self, lesson: Lesson | OutlineLesson
    ) -> tuple[OutlineLesson | None, OutlineLesson | None]:
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

    def outline_key(self, *, enrolled: bool) -> str:
        """All the course page's outline shows that is not in the outline itself: the content
        generation, the access levels open, whether enrolled (links or not), the lessons done.
        With the course and the language, the key its rendered fragment is cached under: the
        fragment is the same HTML for every officer at the same place, and names nobody."""
        levels = "*" if self.open_levels is None else ",".join(sorted(self.open_levels))
        done = ",".join(str(pk) for pk in sorted(self.done_ids))
        return f"{self.outline.generation}|{levels}|{int(enrolled)}|{done}"

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
    """The outline from the cache and the lessons read in one query: showing where an officer
    stands costs one query however long the course or the record. A lesson read is due a
    refresher when the outline knows a material version after the one read."""
    outline = course_outline(course=course)
    read = lessons_read(enrollment=enrollment)
    return CourseProgress(
        outline=outline,
        done_ids=frozenset(read),
        open_levels=open_levels,
        refresher_ids=frozenset(
            lesson.pk
            for lesson in outline.lessons
            if lesson.pk in read and lesson.material_version > read[lesson.pk]
        ),
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


@prepared
def refreshers_of(*, user_id: int) -> QuerySet[LessonProgress]:
    """refreshers_for_user as a list, its SQL compiled once per process (the dashboard's)."""
    return refreshers_for_user(user=user_id)


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
