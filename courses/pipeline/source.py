"""Reading content/: front matter, YAML with the line of every key, the parsed sources.

Nothing here touches the database; courses.pipeline.sync writes what the pipeline reads.
Other apps add files that live beside a module (a quiz, say) through register_module_file.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Access levels, from open to strict (courses.models.ContentAccess). `restricted` is gone:
# it meant the same as le_only and nothing used it (content/README.md, "Access levels").
ACCESS_LEVELS = ("public", "le_only")
ACCESS_RANK = {level: rank for rank, level in enumerate(ACCESS_LEVELS)}
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
    # reviewed / objectives / sources (courses.pipeline.lessonmeta): when the facts were last
    # checked, what the lesson teaches (ids the quiz names) and where its facts come from.
    reviewed: Any = None
    objectives: list = field(default_factory=list)
    sources: list = field(default_factory=list)
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
    category: str = ""
    lessons: list[LessonSource] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    glossary_doc: Document | None = None
    translations: dict[str, TranslationSource] = field(default_factory=dict)
    glossary_translations: dict[str, TranslationSource] = field(default_factory=dict)
    extra_files: dict[str, Document] = field(default_factory=dict)
    extra_translations: dict[str, dict[str, TranslationSource]] = field(default_factory=dict)
    # Access of the glossary and of each module file (quiz.yaml): declared, or the strictest
    # lesson's level. Filled by validate._module once the lessons are read.
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
    valid_for_months: int | None = None
    modules: list[ModuleSource] = field(default_factory=list)
    assets: dict[str, str] = field(default_factory=dict)  # rel path -> most open access


@dataclass(frozen=True)
class ModuleFileHandler:
    """A file kept beside a module's lessons and owned by another app (a quiz, say).

    validate(doc) returns errors without writing; sync(module=..., doc=..., access=...)
    imports it and runs inside content_sync's transaction. Every module file may carry an
    `access` key: validate._module checks it (never less strict than the module's lessons)
    and passes the level to sync, the strictest lesson's level when the key is absent. Translations
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


# libyaml's parser when PyYAML was built with it (the wheels are): the pure-Python one took
# most of an import's time. Same safe constructor, same node marks for path:line messages.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_load(text: str) -> Any:
    """yaml.safe_load, with libyaml's parser."""
    return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 (a safe loader)


def _compose_and_construct(text: str) -> tuple[Any, Any]:
    """The node tree (for each key's line) and the data, from one parse."""
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def parse_yaml(text: str, *, path: str, first_line: int = 1) -> tuple[Document | None, list]:
    try:
        node, data = _compose_and_construct(text)
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


def read_document(
    path: Path, root: Path, errors: list[ContentError]
) -> tuple[Document | None, str]:
    """One .md (front matter and body) or .yaml file, parsed and hashed, with its path
    relative to content/'s parent; problems go to errors and the document is then None."""
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


def language_of(path: Path, errors: list[ContentError], root: Path) -> str | None:
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


def index_file(folder: Path, filename: str, root: Path, errors: list) -> Document | None:
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
    doc, _rel = read_document(path, root, errors)
    return doc


def tree_fingerprint(root: Path) -> dict[str, str]:
    """Every file under root with its sha256: what a no-change sync compares, nothing more."""
    return {
        str(path.relative_to(root)): _hash(path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }
