"""Reading and validating content/: front matter, YAML with line numbers, Markdown rendering.

Nothing here touches the database; courses.services.content_sync writes what this reads.
Other apps add files that live beside a module (a quiz, say) through register_module_file.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
import nh3
import yaml

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ACCESS_LEVELS = ("public", "le_only", "restricted")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "scope"},
    "td": {"align"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "span": {"class"},
}


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
class LessonSource:
    doc: Document
    slug: str
    title: str
    order: int
    minutes: int
    access: str
    material: bool


@dataclass
class ModuleSource:
    doc: Document
    slug: str
    title: str
    order: int
    objectives: list[str]
    lessons: list[LessonSource] = field(default_factory=list)
    extra_files: dict[str, Document] = field(default_factory=dict)


@dataclass
class CourseSource:
    doc: Document
    slug: str
    title: str
    summary: str
    language: str
    order: int
    modules: list[ModuleSource] = field(default_factory=list)


@dataclass(frozen=True)
class ModuleFileHandler:
    """A file kept beside a module's lessons and owned by another app (a quiz, say).

    validate(doc) returns errors without writing; sync(module=..., doc=...) imports it and
    runs inside content_sync's transaction.
    """

    validate: Callable[[Document], list[ContentError]]
    sync: Callable[..., str]


MODULE_FILES: dict[str, ModuleFileHandler] = {}


def register_module_file(filename: str, handler: ModuleFileHandler) -> None:
    MODULE_FILES[filename] = handler


def render_markdown(text: str) -> str:
    """Markdown to HTML, then an allow-list sanitizer: nothing active survives."""
    html = markdown.markdown(
        text, extensions=["tables", "fenced_code", "sane_lists"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


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
        slug=check.slug(data),
        title=check.text(data, "title"),
        order=check.integer(data, "order", low=0, high=999),
        minutes=check.integer(data, "minutes", low=1, high=600),
        access=access if access in ACCESS_LEVELS else "public",
        material=material,
    )


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
        slug=check.slug(data),
        title=check.text(data, "title"),
        order=check.integer(data, "order", low=0, high=999),
        objectives=[item.strip() for item in objectives],
    )
    for path in sorted(folder.glob("*.md")):
        if path.name == "module.md":
            continue
        lesson = _lesson(path, root, errors)
        if lesson is not None:
            module.lessons.append(lesson)
    if not module.lessons:
        check.error("the module has no lessons")
    _unique(module.lessons, "slug", "lesson slug", errors)
    for filename, handler in MODULE_FILES.items():
        path = folder / filename
        if path.exists():
            extra, _rel = _read(path, root, errors)
            if extra is not None:
                errors.extend(handler.validate(extra))
                module.extra_files[filename] = extra
    module.lessons.sort(key=lambda item: (item.order, item.slug))
    return module


def _course(folder: Path, root: Path, errors: list[ContentError]) -> CourseSource | None:
    doc = _index_file(folder, "course.md", root, errors)
    if doc is None:
        return None
    check = _Checker(doc, errors)
    data = doc.data
    check.allowed({"slug", "title", "summary", "language", "order"}, data)
    course = CourseSource(
        doc=doc,
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
