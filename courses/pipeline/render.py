"""Markdown to sanitized HTML for lessons, with the course's own syntax.

Besides Python-Markdown (tables, fenced code, footnotes, admonitions) lessons may use
[[glossary links]], ```check knowledge-check blocks, relative links to other lessons' .md
files and relative images under the course folder. Links, images and terms are resolved at
import time, so stored HTML only holds site URLs; everything then passes an allow-list
sanitizer (nh3), so nothing active survives whatever the source holds. render_content does
this for every lesson and translation that validate read.
"""

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import nh3
import yaml
from django.urls import reverse
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from courses.pipeline.lessonmeta import lesson_body
from courses.pipeline.media import IMAGE_SUFFIXES, diagram_translations, svg_problems
from courses.pipeline.source import ACCESS_RANK, ContentError, CourseSource, yaml_load

ADMONITION_TYPES = {"note", "tip", "warning", "important"}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "th": {"align", "scope"},
    "td": {"align"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "span": {"class"},
    "p": {"class"},
    "ol": {"class"},
    "li": {"id", "class"},
    "sup": {"id"},
}
# A code block or table wider than the column scrolls sideways (site.css); a keyboard can only
# scroll what it can focus, so every `pre` and `table` joins the tab order (axe:
# scrollable-region-focusable). Set here, after sanitizing, so a source cannot choose another
# value.
FORCED_ATTRIBUTES = {"pre": {"tabindex": "0"}, "table": {"tabindex": "0"}}


@dataclass
class Problem:
    """A rendering problem, found at a line of the source body (1-based within the body)."""

    line: int
    message: str


@dataclass
class RenderContext:
    """What a lesson needs resolved while rendering; all optional for plain Markdown."""

    file_path: Path | None = None
    course_dir: Path | None = None
    lesson_url: Callable[[Path], str | None] = lambda path: None
    term_url: Callable[[str], str | None] = lambda term: None
    media_url: Callable[[str], str] = lambda rel: rel
    problems: list[Problem] = field(default_factory=list)
    assets: set[str] = field(default_factory=set)
    source: str = ""

    def problem(self, message: str, *, needle: str | None = None, line: int | None = None) -> None:
        if line is None:
            line = 1
            if needle and needle in self.source:
                line = self.source[: self.source.index(needle)].count("\n") + 1
        self.problems.append(Problem(line, message))


def render_check(data: object, labels: tuple[str, str]) -> tuple[str | None, str | None]:
    """A knowledge check's HTML, or an error message. labels: (title, reveal button)."""
    if not isinstance(data, dict):
        return None, "a check block must be a YAML mapping"
    unknown = set(data) - {"question", "choices", "explanation"}
    if unknown:
        return None, f"unknown key '{sorted(unknown)[0]}' in check block"
    question, choices = data.get("question"), data.get("choices")
    if not isinstance(question, str) or not question.strip():
        return None, "a check block needs a 'question'"
    if not isinstance(choices, list) or not 2 <= len(choices) <= 6:
        return None, "a check block needs 2 to 6 'choices'"
    items, correct = [], []
    for choice in choices:
        if not isinstance(choice, dict) or not isinstance(choice.get("text"), str):
            return None, "each check choice needs a 'text'"
        if set(choice) - {"text", "correct"}:
            return None, "a check choice may only have 'text' and 'correct'"
        text = html.escape(choice["text"].strip())
        items.append(f"<li>{text}</li>")
        if choice.get("correct") is True:
            correct.append(text)
    if len(correct) != 1:
        return None, f"a check block needs exactly one correct choice, has {len(correct)}"
    explanation = data.get("explanation") or ""
    if not isinstance(explanation, str):
        return None, "'explanation' must be text"
    return (
        '<div class="check">'
        f'<p class="check-title">{html.escape(labels[0])}</p>'
        f'<p class="check-question">{html.escape(question.strip())}</p>'
        f'<ol class="check-choices">{"".join(items)}</ol>'
        f"<details><summary>{html.escape(labels[1])}</summary>"
        f'<p class="check-answer">{correct[0]}</p>'
        + (f"<p>{html.escape(explanation.strip())}</p>" if explanation.strip() else "")
        + "</details></div>"
    ), None


# The two labels of a knowledge check are stored inside the lesson's HTML, so they are
# rendered in the language of the file (English, or the translation's language).
CHECK_LABELS = {
    "en": ("Check your understanding", "Show the answer"),
    "ko": ("이해도 확인", "정답 보기"),
    "th": ("ทดสอบความเข้าใจ", "ดูคำตอบ"),
    "ro": ("Verificați-vă înțelegerea", "Arată răspunsul"),
}


# Said under a diagram on a translated page when the diagram has no translation yet (HTML is
# rendered at import, outside any request, so not through gettext).
DIAGRAM_IN_ENGLISH = {
    "ko": "이 도식은 아직 번역되지 않아 영어로 표시됩니다.",
    "th": "แผนภาพนี้ยังไม่ได้แปล จึงแสดงเป็นภาษาอังกฤษ",
    "ro": "Această diagramă nu este încă tradusă și este afișată în limba engleză.",
}


def translated_image(target: Path, language: str) -> Path | None:
    """The translation of an image beside it (media/NAME.ko.svg for media/NAME.svg), if any."""
    return diagram_translations(target).get(language)


class CheckBlocks(Preprocessor):
    """```check fenced blocks (YAML) become knowledge checks before other parsing."""

    def __init__(self, md, context: RenderContext, labels: tuple[str, str]):
        super().__init__(md)
        self.context = context
        self.labels = labels

    def run(self, lines: list[str]) -> list[str]:
        out, index = [], 0
        while index < len(lines):
            if lines[index].strip() == "```check":
                start = index
                index += 1
                body = []
                while index < len(lines) and lines[index].strip() != "```":
                    body.append(lines[index])
                    index += 1
                if index >= len(lines):
                    self.context.problem("check block is not closed with ```", line=start + 1)
                    break
                index += 1
                for offset, text in enumerate(body):
                    # YAML silently drops everything after " #" in an unquoted value.
                    if re.match(r"""^\s*(-\s+)?[a-z]+:\s+[^"'\s].*\s#""", text):
                        self.context.problem(
                            "' #' starts a YAML comment here and cuts the text; put the text in quotes",
                            line=start + 2 + offset,
                        )
                try:
                    data = yaml_load("\n".join(body))
                except yaml.YAMLError as exc:
                    mark = getattr(exc, "problem_mark", None)
                    line = start + 2 + (mark.line if mark else 0)
                    self.context.problem(
                        f"invalid YAML in check block: {getattr(exc, 'problem', exc)}", line=line
                    )
                    continue
                rendered, error = render_check(data, self.labels)
                if error:
                    self.context.problem(error, line=start + 1)
                    continue
                out.extend(["", self.md.htmlStash.store(rendered), ""])
                continue
            out.append(lines[index])
            index += 1
        return out


# In a table a plain `|` ends the cell, so a glossary link there is written [[Term\|shown]].
# This preprocessor swaps that escaped bar for a separator the table parser does not see.
LINK_SEPARATOR = "\x1f"
GLOSSARY_LINK_PATTERN = r"\[\[([^\]\|\x1f\n]+?)(?:[\|\x1f]([^\]\n]+?))?\]\]"
_ESCAPED_LINK_BAR = re.compile(r"(\[\[[^\]\|\n]*?)\\\|")
_TABLE_LINK_BAR = re.compile(r"\[\[[^\]\|\n]*?\|[^\]\n]*?\]\]")


class TableSafeGlossaryLinks(Preprocessor):
    def __init__(self, md, context: RenderContext):
        super().__init__(md)
        self.context = context

    def run(self, lines):
        out = []
        for line in lines:
            line = _ESCAPED_LINK_BAR.sub(lambda m: m.group(1) + LINK_SEPARATOR, line)
            broken = _TABLE_LINK_BAR.search(line) if line.lstrip().startswith("|") else None
            if broken:
                self.context.problem(
                    "in a table, '|' ends the cell: write the glossary link as "
                    "[[Term\\|shown text]]",
                    needle=broken.group(0),
                )
            out.append(line)
        return out


class GlossaryLinks(InlineProcessor):
    def __init__(self, pattern: str, md, context: RenderContext):
        super().__init__(pattern, md)
        self.context = context

    def handleMatch(self, m, data):
        term, shown = m.group(1).strip(), (m.group(2) or m.group(1)).strip()
        url = self.context.term_url(term)
        element = ET.Element("a")
        element.text = shown
        if url is None:
            self.context.problem(
                f"glossary term '{term}' is not defined",
                needle=m.group(0).replace(LINK_SEPARATOR, "\\|"),
            )
            element.tag = "span"
        else:
            element.set("href", url)
            element.set("class", "glossary-term")
            element.set("title", term)
        return element, m.start(0), m.end(0)


class ResolveLinks(Treeprocessor):
    """Relative .md links become lesson URLs; relative images become media URLs."""

    def __init__(self, md, context: RenderContext, language: str = "en"):
        super().__init__(md)
        self.context = context
        self.language = language

    def run(self, root):
        ctx = self.context
        for element in root.iter("a"):
            href = element.get("href", "")
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path or ctx.file_path is None:
                continue
            if href.startswith("/"):  # a site URL already resolved (a glossary link)
                continue
            if not parts.path.endswith(".md"):
                ctx.problem(
                    f"link '{href}' is neither a web address nor a lesson .md file", needle=href
                )
                continue
            target = (ctx.file_path.parent / parts.path).resolve()
            url = ctx.lesson_url(target)
            if url is None:
                ctx.problem(f"broken link: no lesson at '{parts.path}'", needle=href)
                continue
            element.set("href", url + (f"#{parts.fragment}" if parts.fragment else ""))
        fallbacks = []
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in root.iter("img"):
            src, alt = element.get("src", ""), (element.get("alt") or "").strip()
            parts = urlsplit(src)
            if parts.scheme or parts.netloc:
                ctx.problem(
                    f"image '{src}' must be a file in content/, not a web address", needle=src
                )
                continue
            if not alt:
                ctx.problem(f"image '{src}' has no alt text", needle=src)
            if ctx.file_path is None or ctx.course_dir is None:
                continue
            target = (ctx.file_path.parent / parts.path).resolve()
            course_dir = ctx.course_dir.resolve()
            if not target.is_relative_to(course_dir) or not target.is_file():
                ctx.problem(f"missing image '{src}'", needle=src)
                continue
            if target.suffix.lower() not in IMAGE_SUFFIXES:
                ctx.problem(
                    f"image '{src}' must be one of {', '.join(sorted(IMAGE_SUFFIXES))}", needle=src
                )
                continue
            local = translated_image(target, self.language)
            rel = (local or target).relative_to(course_dir).as_posix()
            ctx.assets.add(rel)
            element.set("src", ctx.media_url(rel))
            element.set("loading", "lazy")
            if self.language != "en" and local is None:
                fallbacks.append(element)
        for element in fallbacks:  # after the walk: adding elements during iter() is unsafe
            note = ET.Element("span", {"class": "figure-note"})
            note.text = DIAGRAM_IN_ENGLISH.get(self.language, "")
            note.tail, element.tail = element.tail, None
            parent = parents[element]
            parent.insert(list(parent).index(element) + 1, note)


class CourseMarkdown(Extension):
    def __init__(self, context: RenderContext, language: str = "en"):
        super().__init__()
        self.context = context
        self.labels = CHECK_LABELS.get(language, CHECK_LABELS["en"])
        self.language = language

    def extendMarkdown(self, md):
        md.preprocessors.register(CheckBlocks(md, self.context, self.labels), "course_checks", 29)
        md.preprocessors.register(TableSafeGlossaryLinks(md, self.context), "table_links", 28)
        md.inlinePatterns.register(
            GlossaryLinks(GLOSSARY_LINK_PATTERN, md, self.context),
            "glossary_links",
            175,
        )
        md.treeprocessors.register(ResolveLinks(md, self.context, self.language), "course_links", 5)


def render_markdown(text: str, context: RenderContext | None = None, language: str = "en") -> str:
    """Markdown to sanitized HTML; problems are collected on the context."""
    context = context or RenderContext()
    context.source = text
    converter = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "sane_lists",
            "footnotes",
            "admonition",
            CourseMarkdown(context, language),
        ],
        output_format="html",
    )
    raw = converter.convert(text)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values=FORCED_ATTRIBUTES,
    )


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


def site_urls() -> UrlScheme:
    """The URLs stored lesson HTML links to."""
    return UrlScheme(
        lesson=lambda course, module, lesson: reverse(
            "courses:lesson",
            kwargs={"course_slug": course, "module_slug": module, "lesson_slug": lesson},
        ),
        term=lambda course, module, anchor: (
            reverse("courses:glossary", kwargs={"course_slug": course, "module_slug": module})
            + f"#{anchor}"
        ),
        media=lambda course, rel: reverse(
            "courses:media", kwargs={"course_slug": course, "path": rel}
        ),
    )


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
                        source=doc.body,
                    )
                    body, uncited = lesson_body(lesson, doc, language, context.problem)
                    errors.extend(uncited)
                    lesson.html[language] = render_markdown(body, context, language)
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
