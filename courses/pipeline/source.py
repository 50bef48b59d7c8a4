"""Reading and validating content/: front matter, YAML with line numbers, translations.

Nothing here touches the database; courses.services.content_sync writes what this reads.
Other apps add files that live beside a module (a quiz, say) through register_module_file.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.text import slugify

from courses.pipeline.render import IMAGE_SUFFIXES, RenderContext, render_markdown, svg_problems

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HASH_RE = re.compile(r"^[0-9a-f]{8,64}$")
# Access levels, from open to strict (courses.models.ContentAccess). `restricted` is gone:
# it meant the same as le_only and nothing used it (content/README.md, "Access levels").
ACCESS_LEVELS = ("public", "le_only")
ACCESS_RANK = {level: rank for rank, level in enumerate(ACCESS_LEVELS)}
RESERVED_COURSE_SLUGS = {"trainer", "agency"}  # used by pages under /courses/
# Languages content may be translated into (the site's languages other than English).
TRANSLATION_LANGUAGES = ("ko", "th", "ro")


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Document:
    """A parsed YAML mapping with the line of every key, for path:line messages."""

    path: str
    data: dict[str, Any]
    lines: dict[tuple, int]
    body: str = ""
    body_line: int = 1
    content_hash: str = ""

    def line(self, *keys: Any) -> int:
        while keys and keys not in self.lines:
            keys = keys[:-1]
        return self.lines.get(keys, 1)


@dataclass
class TranslationSource:
    """A file translating an English file, e.g. 01-keys.ko.md or glossary.th.yaml."""

    doc: Document
    language: str
    source_hash: str
    english_hash: str

    @property
    def is_stale(self) -> bool:
        return not self.english_hash.startswith(self.source_hash)


@dataclass
class LessonSource:
    doc: Document
    file: Path
    slug: str
    title: str
    order: int
    minutes: int
    access: str
    material: bool
    translations: dict[str, TranslationSource] = field(default_factory=dict)
    # Filled by render_content: the sanitized HTML per language ("en" and translations).
    html: dict[str, str] = field(default_factory=dict)
    assets: set[str] = field(default_factory=set)


@dataclass
class GlossaryEntry:
    term: str
    anchor: str
    aliases: list[str]
    definition: str


@dataclass
class ModuleSource:
    doc: Document
    folder: Path
    slug: str
    title: str
    order: int
    objectives: list[str]
    lessons: list[LessonSource] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    glossary_doc: Document | None = None
    translations: dict[str, TranslationSource] = field(default_factory=dict)
    glossary_translations: dict[str, TranslationSource] = field(default_factory=dict)
    extra_files: dict[str, Document] = field(default_factory=dict)
    extra_translations: dict[str, dict[str, TranslationSource]] = field(default_factory=dict)
    # Access of the glossary and of each module file (quiz.yaml): declared, or the strictest
    # lesson's level. Filled by _module once the lessons are read.
    glossary_access: str = "public"
    file_access: dict[str, str] = field(default_factory=dict)

    @property
    def lesson_access(self) -> str:
        """The strictest access level among the module's lessons."""
        return max(
            (lesson.access for lesson in self.lessons),
            key=ACCESS_RANK.__getitem__,
            default=ACCESS_LEVELS[0],
        )

    def term_anchor(self, term: str) -> str | None:
        wanted = term.strip().lower()
        for entry in self.glossary:
            if wanted == entry.term.lower() or wanted in (a.lower() for a in entry.aliases):
                return entry.anchor
        return None


@dataclass
class CourseSource:
    doc: Document
    folder: Path
    slug: str
    title: str
    summary: str
    language: str
    order: int
    modules: list[ModuleSource] = field(default_factory=list)
    assets: dict[str, str] = field(default_factory=dict)  # rel path -> most open access


@dataclass(frozen=True)
class ModuleFileHandler:
    """A file kept beside a module's lessons and owned by another app (a quiz, say).

    validate(doc) returns errors without writing; sync(module=..., doc=..., access=...)
    imports it and runs inside content_sync's transaction. Every module file may carry an
    `access` key: _module checks it (never less strict than the module's lessons) and passes
    the level to sync, the strictest lesson's level when the key is absent. Translations
    (quiz.ko.yaml) are checked by validate_translation(doc, english_doc) and imported by
    sync_translations(module=..., translations={language: TranslationSource}).
    """

    validate: Callable[[Document], list[ContentError]]
    sync: Callable[..., str]
    validate_translation: Callable[[Document, Document], list[ContentError]] | None = None
    sync_translations: Callable[..., None] | None = None


MODULE_FILES: dict[str, ModuleFileHandler] = {}


def register_module_file(filename: str, handler: ModuleFileHandler) -> None:
    MODULE_FILES[filename] = handler


def _line_map(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_path = (*path, key_node.value)
            lines[key_path] = key_node.start_mark.line + 1
            _line_map(value_node, key_path, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_path = (*path, index)
            lines[item_path] = item.start_mark.line + 1
            _line_map(item, item_path, lines)


def parse_yaml(text: str, *, path: str, first_line: int = 1) -> tuple[Document | None, list]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + first_line) if mark else first_line
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [ContentError(path, line, f"invalid YAML: {problem}")]
    if not isinstance(data, dict):
        return None, [ContentError(path, first_line, "expected a mapping of keys to values")]
    lines: dict[tuple, int] = {}
    _line_map(node, (), lines)
    lines = {key: value + first_line - 1 for key, value in lines.items()}
    return Document(path=path, data=data, lines=lines), []


def parse_front_matter(text: str, *, path: str) -> tuple[Document | None, list]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, [ContentError(path, 1, "missing front matter: the file must start with ---")]
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            doc, errors = parse_yaml("\n".join(lines[1:index]), path=path, first_line=2)
            if doc is not None:
                doc.body = "\n".join(lines[index + 1 :])
                doc.body_line = index + 2
            return doc, errors
    return None, [ContentError(path, 1, "front matter is not closed with ---")]


def _hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


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


def _read(path: Path, root: Path, errors: list[ContentError]) -> tuple[Document | None, str]:
    rel = str(path.relative_to(root.parent))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        errors.append(ContentError(rel, 1, "file is not valid UTF-8"))
        return None, rel
    if path.suffix == ".md":
        doc, found = parse_front_matter(text, path=rel)
    else:
        doc, found = parse_yaml(text, path=rel)
    errors.extend(found)
    if doc is not None:
        doc.content_hash = _hash(raw)
    return doc, rel


def _translation(
    path: Path, root: Path, errors: list[ContentError], *, english: Document, keys: set[str]
) -> TranslationSource | None:
    doc, _rel = _read(path, root, errors)
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


def _lesson(path: Path, root: Path, errors: list[ContentError]) -> LessonSource | None:
    doc, _rel = _read(path, root, errors)
    if doc is None:
        return None
    check = _Checker(doc, errors)
    data = doc.data
    check.allowed({"slug", "title", "order", "minutes", "access", "material"}, data)
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


def _language_of(path: Path, errors: list[ContentError], root: Path) -> str | None:
    """'ko' for 01-keys.ko.md; None for an English file; errors for unknown languages."""
    parts = path.name.split(".")
    if len(parts) == 2:
        return None
    if len(parts) == 3 and parts[1] in TRANSLATION_LANGUAGES:
        return parts[1]
    errors.append(
        ContentError(
            str(path.relative_to(root.parent)),
            1,
            f"file name must be NAME.md or NAME.LANG.md with LANG one of {', '.join(TRANSLATION_LANGUAGES)}",
        )
    )
    return None


def _index_file(folder: Path, filename: str, root: Path, errors: list) -> Document | None:
    """The course.md or module.md that describes a folder, parsed."""
    path = folder / filename
    if not path.exists():
        what = filename.removesuffix(".md")
        errors.append(
            ContentError(
                str(folder.relative_to(root.parent)), 1, f"{what} folder has no {filename}"
            )
        )
        return None
    doc, _rel = _read(path, root, errors)
    return doc


def _module(folder: Path, root: Path, errors: list[ContentError]) -> ModuleSource | None:
    doc = _index_file(folder, "module.md", root, errors)
    if doc is None:
        return None
    check = _Checker(doc, errors)
    data = doc.data
    check.allowed({"slug", "title", "order", "objectives"}, data)
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
    )
    glossary_path = folder / "glossary.yaml"
    if glossary_path.exists():
        module.glossary_doc, _rel = _read(glossary_path, root, errors)
        if module.glossary_doc is not None:
            module.glossary = _glossary(module.glossary_doc, errors)
    for filename, handler in MODULE_FILES.items():
        path = folder / filename
        if path.exists():
            extra, _rel = _read(path, root, errors)
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
        language = _language_of(path, errors, root)
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
            translation = _translation(
                path, root, errors, english=lessons_by_file[english_name].doc, keys={"title"}
            )
            if translation is not None:
                lessons_by_file[english_name].translations[language] = translation
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
    doc = _index_file(folder, "course.md", root, errors)
    if doc is None:
        return None
    check = _Checker(doc, errors)
    data = doc.data
    check.allowed({"slug", "title", "summary", "language", "order"}, data)
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


@dataclass(frozen=True)
class UrlScheme:
    """How stored HTML links to the site; content_sync passes the real URL patterns."""

    lesson: Callable[[str, str, str], str] = lambda course, module, lesson: (
        f"/{course}/{module}/{lesson}/"
    )
    term: Callable[[str, str, str], str] = lambda course, module, anchor: (
        f"/{course}/glossary/{module}/#{anchor}"
    )
    media: Callable[[str, str], str] = lambda course, rel: f"/{course}/media/{rel}"


def render_content(
    courses: list[CourseSource], root: Path, urls: UrlScheme | None = None
) -> list[ContentError]:
    """Render every lesson and translation to sanitized HTML, resolving links, glossary terms
    and images; returns path:line errors for anything that does not resolve."""
    urls = urls or UrlScheme()
    errors: list[ContentError] = []
    for course in courses:
        lesson_urls = {
            lesson.file.resolve(): urls.lesson(course.slug, module.slug, lesson.slug)
            for module in course.modules
            for lesson in module.lessons
        }
        for module in course.modules:

            def term_url(term: str, module=module, course_slug=course.slug) -> str | None:
                anchor = module.term_anchor(term)
                return urls.term(course_slug, module.slug, anchor) if anchor else None

            for lesson in module.lessons:
                documents = [("en", lesson.doc)] + [
                    (language, t.doc) for language, t in sorted(lesson.translations.items())
                ]
                for language, doc in documents:
                    context = RenderContext(
                        file_path=lesson.file,
                        course_dir=course.folder,
                        lesson_url=lesson_urls.get,
                        term_url=term_url,
                        media_url=lambda rel, slug=course.slug: urls.media(slug, rel),
                    )
                    lesson.html[language] = render_markdown(doc.body, context, language)
                    lesson.assets |= context.assets
                    errors.extend(
                        ContentError(doc.path, doc.body_line + problem.line - 1, problem.message)
                        for problem in context.problems
                    )
                for rel in lesson.assets:
                    current = course.assets.get(rel)
                    if current is None or ACCESS_RANK[lesson.access] < ACCESS_RANK[current]:
                        course.assets[rel] = lesson.access
        for rel in sorted(course.assets):
            path = course.folder / rel
            if path.suffix.lower() == ".svg":
                rel_path = str(path.relative_to(root.parent))
                errors.extend(
                    ContentError(rel_path, 1, msg) for msg in svg_problems(path.read_bytes())
                )
    return errors


def asset_content_type(path: str) -> str:
    return IMAGE_SUFFIXES[Path(path).suffix.lower()]


def tree_fingerprint(root: Path) -> dict[str, str]:
    """Every file under root with its sha256: what a no-change sync compares, nothing more."""
    return {
        str(path.relative_to(root)): _hash(path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }
