"""Reads for courses: catalog, course outline with progress, lesson lookups."""

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Sum

from courses.completion import requirements_met
from courses.models import (
    Course,
    Enrollment,
    GlossaryTerm,
    Lesson,
    LessonProgress,
    LessonTranslation,
    LessonVersion,
    Module,
    ModuleTranslation,
)


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
        .annotate(glossary_count=Count("glossary"))
        .prefetch_related(Prefetch("lessons", queryset=Lesson.objects.order_by("order", "id")))
    )


@dataclass(frozen=True)
class LockedParts:
    """What of a course this learner may not open yet: lessons, quizzes, glossaries."""

    lessons: list[Lesson]
    quizzes: list
    glossaries: list[Module]

    def __bool__(self) -> bool:
        return bool(self.lessons or self.quizzes or self.glossaries)


def locked_parts(*, modules: list[Module], open_levels: frozenset[str]) -> LockedParts:
    """From course_outline's modules, with no further query."""
    lessons, quizzes, glossaries = [], [], []
    for module in modules:
        lessons += [lesson for lesson in module.lessons.all() if lesson.access not in open_levels]
        quiz = getattr(module, "quiz", None)
        if quiz is not None and quiz.access not in open_levels:
            quizzes.append(quiz)
        if module.glossary_count and module.glossary_access not in open_levels:
            glossaries.append(module)
    return LockedParts(lessons=lessons, quizzes=quizzes, glossaries=glossaries)


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


def lesson_translation(*, lesson: Lesson, language: str) -> LessonTranslation | None:
    if language == "en":
        return None
    return LessonTranslation.objects.filter(lesson=lesson, language=language).first()


def lesson_objectives(*, lesson: Lesson, translation: LessonTranslation | None) -> list[dict]:
    """The lesson's objectives as the page shows them: {id, text, english}, in the
    translation's language where it translates them, else in English (marked so the page can
    say which language each is in)."""
    local = (translation.objectives or {}) if translation else {}
    return [
        {
            "id": objective.get("id"),
            "text": local.get(objective.get("id")) or objective.get("text", ""),
            "english": translation is not None and objective.get("id") not in local,
        }
        for objective in lesson.objectives or []
    ]


def lessons_local(*, lessons: list[Lesson], language: str) -> dict[int, LessonTranslation]:
    """{lesson id: its translation in language} for these lessons, in one query, with only
    the title and objectives loaded (empty in English)."""
    if language == "en":
        return {}
    rows = LessonTranslation.objects.filter(lesson__in=lessons, language=language).only(
        "lesson_id", "language", "title", "objectives"
    )
    return {row.lesson_id: row for row in rows}


def module_glossary(*, module: Module) -> QuerySet[GlossaryTerm]:
    return GlossaryTerm.objects.filter(module=module).order_by("term")


def glossary_terms(*, module: Module, language: str) -> list[GlossaryTerm]:
    """The module's terms, each with .local: its entry in language (None in English)."""
    terms = list(module_glossary(module=module))
    for term in terms:
        term.local = term.translations.get(language) if language != "en" else None
    return terms


def content_overview() -> QuerySet[Lesson]:
    return (
        Lesson.objects.select_related("module__course", "current_version")
        .annotate(version_count=Count("versions", distinct=True))
        .order_by("module__course__order", "module__order", "order")
    )


def stale_translations() -> dict[str, list]:
    return {
        "lessons": list(
            LessonTranslation.objects.filter(is_stale=True)
            .select_related("lesson__module__course")
            .order_by("lesson__module__order", "lesson__order", "language")
        ),
        "modules": list(
            ModuleTranslation.objects.filter(is_stale=True)
            .select_related("module__course")
            .order_by("module__order", "language")
        ),
    }


def lesson_versions(*, lesson: Lesson) -> QuerySet[LessonVersion]:
    return LessonVersion.objects.filter(lesson=lesson).order_by("-number")


def lesson_version(*, lesson: Lesson, number: int) -> LessonVersion | None:
    return LessonVersion.objects.filter(lesson=lesson, number=number).first()


def lesson_translations(*, lesson: Lesson) -> list[LessonTranslation]:
    return list(lesson.translations.all())
