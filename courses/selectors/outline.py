"""Reads of a course's structure: the catalog, the outline of modules and lessons (cached per
content generation), what of it a learner may not open yet, and its reading time."""

import hashlib
from dataclasses import dataclass, fields

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import reverse

from courses.content_cache import cached_for_content
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


@dataclass(frozen=True)
class OutlineLesson:
    """A lesson as the outline, the pager and the progress bar show it: no text."""

    pk: int
    module_id: int
    slug: str
    title: str
    minutes: int
    access: str
    url: str
    # The number of its latest material version (0: none): whoever read an earlier version
    # is due a refresher.
    material_version: int

    def get_absolute_url(self) -> str:
        return self.url


@dataclass(frozen=True)
class OutlineQuiz:
    """A module's quiz as the course page shows it (assessments' Quiz, read by name)."""

    title: str
    access: str
    pass_mark: int


@dataclass(frozen=True)
class OutlineModule:
    pk: int
    slug: str
    title: str
    intro_html: str
    objectives: list
    glossary_count: int
    glossary_access: str
    quiz: OutlineQuiz | None
    lessons: tuple[OutlineLesson, ...]


@dataclass(frozen=True)
class CourseOutline:
    """A course's modules and lessons in order, with what the course page and the lesson
    pager show of them. It depends only on the imported content, so it is built once per
    content generation (courses.content_cache) and shared by every learner. Titles are the
    English ones: the outline and the pager are not translated (the lesson page shows the
    lesson's own translated title)."""

    course_id: int
    generation: str
    modules: tuple[OutlineModule, ...]
    # Every module's lessons in course order (the same objects: pickled once).
    lessons: tuple[OutlineLesson, ...]


def _outline_build(course: Course, generation: str) -> CourseOutline:
    """Two queries: the modules with their quiz and glossary size, then the lessons with
    their latest material version."""
    # "quiz" is the reverse one-to-one that assessments adds; joined by name, not imported.
    modules = list(
        Module.objects.filter(course=course)
        .select_related("quiz")
        .annotate(glossary_count=Count("glossary"))
        .order_by("order", "id")
    )
    lessons: dict[int, list[OutlineLesson]] = {module.pk: [] for module in modules}
    slugs = {module.pk: module.slug for module in modules}
    rows = (
        Lesson.objects.filter(module__course=course)
        .annotate(material=Max("versions__number", filter=Q(versions__is_material=True)))
        .order_by("order", "id")
        .values_list("pk", "module_id", "slug", "title", "minutes", "access", "material")
    )
    for pk, module_id, slug, title, minutes, access, material in rows:
        url = reverse(
            "courses:lesson",
            kwargs={
                "course_slug": course.slug,
                "module_slug": slugs[module_id],
                "lesson_slug": slug,
            },
        )
        lessons[module_id].append(
            OutlineLesson(pk, module_id, slug, title, minutes, access, url, material or 0)
        )
    outline_modules = tuple(
        OutlineModule(
            pk=module.pk,
            slug=module.slug,
            title=module.title,
            intro_html=module.intro_html,
            objectives=module.objectives,
            glossary_count=module.glossary_count,
            glossary_access=module.glossary_access,
            quiz=_outline_quiz(getattr(module, "quiz", None)),
            lessons=tuple(lessons[module.pk]),
        )
        for module in modules
    )
    return CourseOutline(
        course_id=course.pk,
        generation=generation,
        modules=outline_modules,
        lessons=tuple(lesson for module in outline_modules for lesson in module.lessons),
    )


def _outline_quiz(quiz) -> OutlineQuiz | None:
    if quiz is None:
        return None
    return OutlineQuiz(title=quiz.title, access=quiz.access, pass_mark=quiz.pass_mark)


# The outline is cached pickled: a release that changes these classes (processes of two
# releases share the cache while it rolls out) must not read the other's entries.
_OUTLINE_SHAPE = hashlib.sha256(
    repr(
        [
            (cls.__name__, [field.name for field in fields(cls)])
            for cls in (CourseOutline, OutlineModule, OutlineLesson, OutlineQuiz)
        ]
    ).encode()
).hexdigest()[:8]


def course_outline(*, course: Course) -> CourseOutline:
    """The course's outline from the cache, built (two queries) when the content changed
    since it was cached."""
    return cached_for_content(
        f"courses:outline:{_OUTLINE_SHAPE}:{course.pk}",
        lambda generation: _outline_build(course, generation),
    )


@dataclass(frozen=True)
class LockedParts:
    """What of a course this learner may not open yet: lessons, quizzes, glossaries."""

    lessons: list[OutlineLesson]
    quizzes: list[OutlineQuiz]
    glossaries: list[OutlineModule]

    def __bool__(self) -> bool:
        return bool(self.lessons or self.quizzes or self.glossaries)


def locked_parts(*, outline: CourseOutline, open_levels: frozenset[str]) -> LockedParts:
    """From the course's outline, with no query."""
    lessons, quizzes, glossaries = [], [], []
    for module in outline.modules:
        lessons += [lesson for lesson in module.lessons if lesson.access not in open_levels]
        if module.quiz is not None and module.quiz.access not in open_levels:
            quizzes.append(module.quiz)
        if module.glossary_count and module.glossary_access not in open_levels:
            glossaries.append(module)
    return LockedParts(lessons=lessons, quizzes=quizzes, glossaries=glossaries)


def course_minutes(*, course: Course) -> int:
    return (
        Lesson.objects.filter(module__course=course).aggregate(total=Sum("minutes"))["total"] or 0
    )
