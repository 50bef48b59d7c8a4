"""Reads of lessons for reading and for trainers: translations, objectives, glossaries,
versions."""

from django.db.models import Count, QuerySet

from core.joins import join_one, joined
from core.prepared import prepared
from courses.models import GlossaryTerm, Lesson, LessonTranslation, LessonVersion, Module

# The name under which lessons_to_read joins a lesson's translation.
_TRANSLATION = "translation_in_language"


def lessons_to_read(*, language: str) -> QuerySet[Lesson]:
    """Lessons as the lesson page reads them, each with its module, course and current version
    and, outside English, its translation in language, all in one query (read it with
    lesson_translation). The Markdown sources are left behind: the page shows the HTML."""
    lessons = Lesson.objects.select_related("module__course", "current_version").defer(
        "current_version__source_text"
    )
    if language == "en":
        return lessons
    # One translation at most: a lesson has one per language (a unique constraint).
    return join_one(lessons, name=_TRANSLATION, relation="translations", language=language).defer(
        f"{_TRANSLATION}__source_text"
    )


@prepared
def _lesson_in_english(*, course_id: int, module_slug: str, lesson_slug: str):
    return lessons_to_read(language="en").filter(
        module__course_id=course_id, module__slug=module_slug, slug=lesson_slug
    )


@prepared
def _lesson_translated(*, course_id: int, module_slug: str, lesson_slug: str, language: str):
    # lessons_to_read's other branch: no stand-in is "en", and English goes to the read above.
    return lessons_to_read(language=language).filter(
        module__course_id=course_id, module__slug=module_slug, slug=lesson_slug
    )


def lesson_to_read(
    *, course_id: int, module_slug: str, lesson_slug: str, language: str
) -> Lesson | None:
    """One lesson of a course as lessons_to_read(language) reads it, or None: prepared reads
    (core.prepared), one for English and one with the translation joined."""
    where = {"course_id": course_id, "module_slug": module_slug, "lesson_slug": lesson_slug}
    if language == "en":
        found = _lesson_in_english(**where)
    else:
        found = _lesson_translated(**where, language=language)
    return found[0] if found else None


def lesson_translation(*, lesson: Lesson) -> LessonTranslation | None:
    """The translation lessons_to_read joined to this lesson; None in English or when the
    lesson has none in that language."""
    return joined(lesson, _TRANSLATION)


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


def lesson_versions(*, lesson: Lesson) -> QuerySet[LessonVersion]:
    return LessonVersion.objects.filter(lesson=lesson).order_by("-number")


def lesson_version(*, lesson: Lesson, number: int) -> LessonVersion | None:
    return LessonVersion.objects.filter(lesson=lesson, number=number).first()


def lesson_translations(*, lesson: Lesson) -> list[LessonTranslation]:
    return list(lesson.translations.all())
