"""Reads of a course's structure: the catalog, the outline of modules and lessons, what of it
a learner may not open yet, and its reading time."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet, Sum

from courses.models import Course, Lesson, Module


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
