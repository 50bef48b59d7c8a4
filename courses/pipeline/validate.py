"""Checking content/ as it is read: keys, slugs, access levels, translations, module files.

load_content parses and checks the whole tree and returns path:line errors; it writes nothing.
"""

import re
from pathlib import Path
from typing import Any

from django.utils.text import slugify

from courses.models import TrainingCategory
from courses.pipeline import lessonmeta
from courses.pipeline.source import (
    ACCESS_LEVELS,
    ACCESS_RANK,
    MODULE_FILES,
    SLUG_RE,
    ContentError,
    CourseSource,
    Document,
    GlossaryEntry,
    LessonSource,
    ModuleSource,
    TranslationSource,
    index_file,
    language_of,
    read_document,
)

HASH_RE = re.compile(r"^[0-9a-f]{8,64}$")
RESERVED_COURSE_SLUGS = {"trainer", "agency"}  # used by pages under /courses/


class _Checker:
    """Checks a document's keys against a schema and collects path:line errors."""

    def __init__(self, doc: Document, errors: list[ContentError]):
        self.doc = doc
        self.errors = errors

    def error(self, message: str, *keys: Any) -> None:
        self.errors.append(ContentError(self.doc.path, self.doc.line(*keys), message))

    def allowed(self, keys: set[str], data: dict, *prefix: Any) -> None:
        for key in data:
            if key not in keys:
                self.error(f"unknown key '{key}'", *prefix, key)

    def text(
        self, data: dict, key: str, *prefix: Any, required: bool = True, max_length: int = 200
    ) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(f"'{key}' is required", *prefix)
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(f"'{key}' must be non-empty text", *prefix, key)
            return ""
        if len(value.strip()) > max_length:
            self.error(f"'{key}' must be at most {max_length} characters", *prefix, key)
        return value.strip()

    def slug(self, data: dict, *prefix: Any) -> str:
        value = self.text(data, "slug", *prefix, max_length=50)
        if value and not SLUG_RE.match(value):
            self.error(
                f"slug '{value}' must be lower-case letters, digits and hyphens", *prefix, "slug"
            )
        return value

    def integer(self, data: dict, key: str, *prefix: Any, low: int, high: int) -> int:
        value = data.get(key)
        if value is None:
            self.error(f"'{key}' is required", *prefix)
            return low
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(f"'{key}' must be a whole number from {low} to {high}", *prefix, key)
            return low
        return value


def _unique(items: list, attr: str, what: str, errors: list[ContentError]) -> None:
    seen: dict[str, str] = {}
    for item in items:
        value = getattr(item, attr)
        if value in seen:
            errors.append(
                ContentError(
                    item.doc.path,
                    item.doc.line(attr),
                    f"duplicate {what} '{value}' (also in {seen[value]})",
                )
            )
        else:
            seen[value] = item.doc.path


def _translation(
    path: Path, root: Path, errors: list[ContentError], *, english: Document, keys: set[str]
) -> TranslationSource | None:
    doc, _rel = read_document(path, root, errors)
    if doc is None:
        return None
    check = _Checker(doc, errors)
    check.allowed(keys | {"source_hash"}, doc.data)
    source_hash = doc.data.get("source_hash")
    if not isinstance(source_hash, str) or not HASH_RE.match(source_hash):
        check.error(
            "'source_hash' must be the first 8 or more hex characters of the English file's "
            'sha256, in quotes (source_hash: "3fa2b1c09d4e")',
            "source_hash",
        )
        source_hash = ""
    if "title" in keys:
        check.text(doc.data, "title")
    if path.suffix == ".md" and not doc.body.strip():
        check.error("the translation has no text after its front matter")
    return TranslationSource(
        doc=doc,
        language=path.name.split(".")[-2],
        source_hash=source_hash,
        english_hash=english.content_hash,
    )


def _lesson_objectives_translation(
    translation: TranslationSource, lesson: LessonSource, errors: list[ContentError]
) -> None:
    """A lesson translation's `objectives`: a mapping from every English objective id to its
    text (optional, but when present exactly the English ids)."""
    value = translation.doc.data.get("objectives")
    if value is None:
        return
    english = [objective.id for objective in lesson.objectives]
    ok = isinstance(value, dict) and set(value) == set(english)
    ok = ok and all(isinstance(text, str) and text.strip() for text in value.values())
    if not ok:
        errors.append(
            ContentError(
                translation.doc.path,
                translation.doc.line("objectives"),
                "'objectives' must map each objective id of the English lesson to its "
                f"translated text: {', '.join(english) or '(the English lesson has none)'}",
            )
        )


def _lesson(path: Path, root: Path, errors: list[ContentError]) -> LessonSource | None:
    doc, _rel = read_document(path, root, errors)
    if doc is None:
        return None
    check = _Checker(doc, errors)
    data = doc.data
    check.allowed(
        {"slug", "title", "order", "minutes", "access", "material", *lessonmeta.LESSON_KEYS}, data
    )
    access = data.get("access", "public")
    if access not in ACCESS_LEVELS:
        check.error(f"'access' must be one of {', '.join(ACCESS_LEVELS)}", "access")
    material = data.get("material", False)
    if not isinstance(material, bool):
        check.error("'material' must be true or false", "material")
        material = False
    if not doc.body.strip():
        check.error("the lesson has no text after its front matter")
    return LessonSource(
        doc=doc,
        file=path,
        slug=check.slug(data),
        title=check.text(data, "title"),
        order=check.integer(data, "order", low=0, high=999),
        minutes=check.integer(data, "minutes", low=1, high=600),
        access=access if access in ACCESS_LEVELS else "public",
        material=material,
        reviewed=lessonmeta.reviewed_date(data.get("reviewed"), check.error),
        objectives=lessonmeta.objectives_list(data.get("objectives"), check.error),
        sources=lessonmeta.sources_list(data.get("sources"), check.error),
    )


def _glossary(doc: Document, errors: list[ContentError]) -> list[GlossaryEntry]:
    check = _Checker(doc, errors)
    check.allowed({"terms", "access"}, doc.data)
    terms = doc.data.get("terms")
    if not isinstance(terms, list) or not terms:
        check.error("'terms' must be a non-empty list", "terms")
        return []
    entries, seen = [], set()
    for index, item in enumerate(terms):
        where = ("terms", index)
        if not isinstance(item, dict):
            check.error("each glossary entry must be a mapping", *where)
            continue
        check.allowed({"term", "aliases", "definition"}, item, *where)
        term = check.text(item, "term", *where)
        definition = check.text(item, "definition", *where, max_length=2000)
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(
            isinstance(a, str) and a.strip() for a in aliases
        ):
            check.error("'aliases' must be a list of text items", *where, "aliases")
            aliases = []
        for name in [term, *aliases]:
            if name and name.lower() in seen:
                check.error(f"glossary term or alias '{name}' is defined twice", *where)
            seen.add(name.lower())
        if term:
            entries.append(
                GlossaryEntry(term, slugify(term), [a.strip() for a in aliases], definition)
            )
    return entries


def _glossary_translation(
    translation: TranslationSource, module: ModuleSource, errors: list[ContentError]
) -> None:
    doc = translation.doc
    check = _Checker(doc, errors)
    terms = doc.data.get("terms")
    if not isinstance(terms, list):
        check.error("'terms' must be a list", "terms")
        return
    known = {entry.term for entry in module.glossary}
    for index, item in enumerate(terms):
        where = ("terms", index)
        if not isinstance(item, dict):
            check.error("each glossary entry must be a mapping", *where)
            continue
        check.allowed({"term", "name", "definition"}, item, *where)
        term = check.text(item, "term", *where)
        check.text(item, "name", *where)
        check.text(item, "definition", *where, max_length=2000)
        if term and term not in known:
            check.error(f"'{term}' is not a term of the English glossary", *where, "term")


def _module(folder: Path, root: Path, errors: list[ContentError]) -> ModuleSource | None:
    doc = index_file(folder, "module.md", root, errors)
    if doc is None:
        return None
    check = _Checker(doc, errors)
    data = doc.data
    check.allowed({"slug", "title", "order", "objectives", "category"}, data)
    category = data.get("category", "")
    if category not in ("", *TrainingCategory.values):
        check.error(f"'category' must be one of {', '.join(TrainingCategory.values)}", "category")
        category = ""
    objectives = data.get("objectives", [])
    if not isinstance(objectives, list) or not all(
        isinstance(item, str) and item.strip() for item in objectives
    ):
        check.error("'objectives' must be a list of text items", "objectives")
        objectives = []
    module = ModuleSource(
        doc=doc,
        folder=folder,
        slug=check.slug(data),
        title=check.text(data, "title"),
        order=check.integer(data, "order", low=0, high=999),
        objectives=[item.strip() for item in objectives],
        category=category,
    )
    glossary_path = folder / "glossary.yaml"
    if glossary_path.exists():
        module.glossary_doc, _rel = read_document(glossary_path, root, errors)
        if module.glossary_doc is not None:
            module.glossary = _glossary(module.glossary_doc, errors)
    for filename, handler in MODULE_FILES.items():
        path = folder / filename
        if path.exists():
            extra, _rel = read_document(path, root, errors)
            if extra is not None:
                errors.extend(handler.validate(extra))
                module.extra_files[filename] = extra

    translation_files = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.suffix not in {".md", ".yaml", ".yml"}:
            continue
        rel = str(path.relative_to(root.parent))
        if path.suffix == ".yml":
            errors.append(ContentError(rel, 1, "use the .yaml extension"))
            continue
        language = language_of(path, errors, root)
        if language is not None:
            translation_files.append((path, language))
        elif path.suffix == ".md" and path.name != "module.md":
            lesson = _lesson(path, root, errors)
            if lesson is not None:
                module.lessons.append(lesson)
        elif (
            path.suffix == ".yaml"
            and path.name != "glossary.yaml"
            and path.name not in MODULE_FILES
        ):
            errors.append(ContentError(rel, 1, f"unexpected file '{path.name}'"))
    if not module.lessons:
        check.error("the module has no lessons")
    _unique(module.lessons, "slug", "lesson slug", errors)
    module.lessons.sort(key=lambda item: (item.order, item.slug))
    errors.extend(lessonmeta.objective_clashes(module.lessons))
    if module.glossary_doc is not None:
        # A glossary holds definitions, not tradecraft: it may be opened deliberately.
        module.glossary_access = _declared_access(
            module.glossary_doc, module, errors, may_be_opener=True
        )
    else:
        module.glossary_access = module.lesson_access
    for filename, extra in module.extra_files.items():
        module.file_access[filename] = _declared_access(extra, module, errors)

    lessons_by_file = {lesson.file.name: lesson for lesson in module.lessons}
    for path, language in translation_files:
        rel = str(path.relative_to(root.parent))
        english_name = path.name.replace(f".{language}.", ".")
        if english_name == "module.md":
            translation = _translation(
                path, root, errors, english=doc, keys={"title", "objectives"}
            )
            if translation is not None:
                module.translations[language] = translation
        elif english_name == "glossary.yaml":
            if module.glossary_doc is None:
                errors.append(
                    ContentError(rel, 1, "translates glossary.yaml, which does not exist")
                )
                continue
            translation = _translation(
                path, root, errors, english=module.glossary_doc, keys={"terms"}
            )
            if translation is not None:
                _glossary_translation(translation, module, errors)
                module.glossary_translations[language] = translation
        elif english_name in module.extra_files:
            handler = MODULE_FILES[english_name]
            english = module.extra_files[english_name]
            translation = _translation(
                path, root, errors, english=english, keys={"title", "questions"}
            )
            if translation is not None and handler.validate_translation is not None:
                errors.extend(handler.validate_translation(translation.doc, english))
                module.extra_translations.setdefault(english_name, {})[language] = translation
        elif english_name in lessons_by_file:
            lesson = lessons_by_file[english_name]
            translation = _translation(
                path, root, errors, english=lesson.doc, keys={"title", "objectives"}
            )
            if translation is not None:
                _lesson_objectives_translation(translation, lesson, errors)
                lesson.translations[language] = translation
        else:
            errors.append(
                ContentError(rel, 1, f"translates '{english_name}', which does not exist")
            )
    return module


def _declared_access(
    doc: Document, module: ModuleSource, errors: list[ContentError], *, may_be_opener=False
) -> str:
    """The access level a glossary.yaml or quiz.yaml declares, or by default the strictest
    level among the module's lessons. A quiz tests its lessons, so it may not be declared
    less strict than them: that would open their material through its questions."""
    strictest = module.lesson_access
    if "access" not in doc.data:
        return strictest
    declared = doc.data["access"]
    if declared not in ACCESS_LEVELS:
        errors.append(
            ContentError(
                doc.path, doc.line("access"), f"'access' must be one of {', '.join(ACCESS_LEVELS)}"
            )
        )
        return strictest
    if not may_be_opener and ACCESS_RANK[declared] < ACCESS_RANK[strictest]:
        errors.append(
            ContentError(
                doc.path,
                doc.line("access"),
                f"'access: {declared}' is less strict than the lessons it tests "
                f"({strictest}); use access: {strictest} or remove the key",
            )
        )
        return strictest
    return declared


def _course(folder: Path, root: Path, errors: list[ContentError]) -> CourseSource | None:
    doc = index_file(folder, "course.md", root, errors)
    if doc is None:
        return None
    check = _Checker(doc, errors)
    data = doc.data
    check.allowed({"slug", "title", "summary", "language", "order", "valid_for_months"}, data)
    if data.get("slug") in RESERVED_COURSE_SLUGS:
        check.error(f"course slug '{data['slug']}' is reserved for site pages", "slug")
    course = CourseSource(
        doc=doc,
        folder=folder,
        slug=check.slug(data),
        title=check.text(data, "title"),
        summary=check.text(data, "summary", required=False, max_length=1000),
        language=check.text(data, "language"),
        order=check.integer(data, "order", low=0, high=999),
        # Absent: certificates of this course never expire.
        valid_for_months=(
            check.integer(data, "valid_for_months", low=1, high=240)
            if data.get("valid_for_months") is not None
            else None
        ),
    )
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        module = _module(sub, root, errors)
        if module is not None:
            course.modules.append(module)
    if not course.modules:
        check.error("the course has no modules")
    _unique(course.modules, "slug", "module slug", errors)
    course.modules.sort(key=lambda item: (item.order, item.slug))
    return course


def load_content(root: Path) -> tuple[list[CourseSource], list[ContentError]]:
    """Parse and validate every course under root/courses; errors are path:line messages."""
    errors: list[ContentError] = []
    courses_dir = root / "courses"
    if not courses_dir.is_dir():
        return [], [ContentError(root.name, 1, "no courses/ folder")]
    courses = []
    for folder in sorted(p for p in courses_dir.iterdir() if p.is_dir()):
        course = _course(folder, root, errors)
        if course is not None:
            courses.append(course)
    _unique(courses, "slug", "course slug", errors)
    courses.sort(key=lambda item: (item.order, item.slug))
    return courses, errors
