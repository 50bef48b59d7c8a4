"""A lesson's review date, objectives and sources, and the citations that point at them.

Every English lesson says when its facts were last checked (`reviewed`), what an officer
should be able to do after it (`objectives`, each with an id the module quiz names), and
where each figure, date, case fact and legal statement comes from (`sources`). The body
cites a source as `[^id]`; rendering turns each cited source into a numbered footnote, so the
list of sources and the footnotes cannot drift apart (content/README.md, "Sources").
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from courses.pipeline.source import SLUG_RE, ContentError

LESSON_KEYS = ("reviewed", "objectives", "sources")
OBJECTIVES_MIN, OBJECTIVES_MAX = 2, 4
SOURCE_KINDS = ("primary", "analytics", "news", "standard", "other")
SOURCE_KEYS = {"id", "publisher", "title", "date", "url", "kind", "note"}
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# `[^id]` not followed by `:` (that would be a definition, which lessons may not write).
CITATION_RE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
DEFINITION_RE = re.compile(r"^\s{0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>])")


@dataclass(frozen=True)
class Objective:
    id: str
    text: str


@dataclass(frozen=True)
class Source:
    id: str
    publisher: str
    title: str
    date: str
    url: str = ""
    kind: str = "other"
    note: str = ""

    def footnote(self) -> str:
        """The footnote text, in Markdown: publisher, title in italics, date, URL, note."""
        text = (
            f"{_escape(self.publisher)}, *{_escape(self.title)}*, {self.date}."
            + (f" <{self.url}>" if self.url else "")
            + (f" {_escape(self.note)}" if self.note else "")
        )
        return text


def _escape(text: str) -> str:
    return MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(text.split()))


def reviewed_date(value: Any, error) -> datetime.date | None:
    """The `reviewed` key: a YYYY-MM-DD date, not in the future (required by the editorial
    review, courses.pipeline.editorial, not by the import)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        error("'reviewed' must be a date written YYYY-MM-DD", "reviewed")
        return None
    if value > timezone.localdate() + datetime.timedelta(days=1):  # a day ahead somewhere
        error("'reviewed' is in the future", "reviewed")
        return None
    return value


def objectives_list(value: Any, error) -> list[Objective]:
    """The `objectives` key: 2-4 mappings {id, text}."""
    if value is None:
        return []
    if not isinstance(value, list) or not OBJECTIVES_MIN <= len(value) <= OBJECTIVES_MAX:
        error(
            f"'objectives' must be a list of {OBJECTIVES_MIN} to {OBJECTIVES_MAX} items",
            "objectives",
        )
        return []
    objectives, seen = [], set()
    for index, item in enumerate(value):
        where = ("objectives", index)
        if not isinstance(item, dict) or set(item) - {"id", "text"}:
            error("each objective is a mapping with only 'id' and 'text'", *where)
            continue
        ident, text = item.get("id"), item.get("text")
        if not isinstance(ident, str) or not SLUG_RE.match(ident) or len(ident) > 50:
            error("objective 'id' must be a slug (lower-case letters, digits, hyphens)", *where)
            continue
        if not isinstance(text, str) or not text.strip() or len(text.strip()) > 300:
            error("objective 'text' must be text of at most 300 characters", *where)
            continue
        if ident in seen:
            error(f"objective id '{ident}' is used twice", *where)
            continue
        seen.add(ident)
        objectives.append(Objective(ident, text.strip()))
    return objectives


def sources_list(value: Any, error) -> list[Source]:
    """The `sources` key: a non-empty list of {id, publisher, title, date[, url, kind, note]}."""
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        error("'sources' must be a non-empty list", "sources")
        return []
    sources, seen = [], set()
    for index, item in enumerate(value):
        where = ("sources", index)
        if not isinstance(item, dict):
            error("each source must be a mapping", *where)
            continue
        unknown = sorted(set(item) - SOURCE_KEYS)
        if unknown:
            error(f"unknown key '{unknown[0]}' in a source", *where, unknown[0])
            continue
        fields = {}
        for key in ("id", "publisher", "title"):
            text = item.get(key)
            if not isinstance(text, str) or not text.strip():
                error(f"a source needs '{key}' as text", *where)
                break
            fields[key] = text.strip()
        else:
            date = item.get("date")
            if isinstance(date, datetime.date):
                date = date.isoformat()
            elif isinstance(date, int):
                date = str(date)
            if not isinstance(date, str) or not DATE_RE.match(date):
                error("a source's 'date' must be YYYY, YYYY-MM or YYYY-MM-DD", *where, "date")
                continue
            url = item.get("url", "")
            if url and (not isinstance(url, str) or not re.match(r"^https?://\S+$", url)):
                error("a source's 'url' must be an http(s) address", *where, "url")
                continue
            kind = item.get("kind", "other")
            if kind not in SOURCE_KINDS:
                error(f"a source's 'kind' must be one of {', '.join(SOURCE_KINDS)}", *where, "kind")
                continue
            note = item.get("note", "")
            if not isinstance(note, str):
                error("a source's 'note' must be text", *where, "note")
                continue
            if not SLUG_RE.match(fields["id"]):
                error(
                    "a source's 'id' must be a slug (lower-case letters, digits, hyphens)", *where
                )
                continue
            if fields["id"] in seen:
                error(f"source id '{fields['id']}' is used twice", *where)
                continue
            seen.add(fields["id"])
            sources.append(Source(date=date, url=url or "", kind=kind, note=note.strip(), **fields))
    return sources


def cite_sources(body: str, sources: list[Source], problem) -> tuple[str, list[str]]:
    """The body with a footnote definition appended for each cited source, in citation order,
    and the ids cited. problem(message, needle) reports a definition written by hand and a
    citation of no source."""
    for match in DEFINITION_RE.finditer(body):
        problem(
            f"write sources in the front matter, not footnote definitions ('[^{match.group(1)}]:')",
            match.group(0).strip(),
        )
    by_id = {source.id: source for source in sources}
    cited: list[str] = []
    for match in CITATION_RE.finditer(body):
        ident = match.group(1)
        if ident not in by_id:
            problem(f"citation '[^{ident}]' names no source in the front matter", match.group(0))
        elif ident not in cited:
            cited.append(ident)
    if not cited:
        return body, cited
    definitions = "\n".join(f"[^{ident}]: {by_id[ident].footnote()}" for ident in cited)
    return f"{body.rstrip()}\n\n{definitions}\n", cited


def objective_clashes(lessons: list) -> list[ContentError]:
    """Objective ids are unique within a module: the quiz names them without the lesson."""
    errors, seen = [], {}
    for lesson in lessons:
        for index, objective in enumerate(lesson.objectives):
            if objective.id in seen:
                errors.append(
                    ContentError(
                        lesson.doc.path,
                        lesson.doc.line("objectives", index),
                        f"objective id '{objective.id}' is also used in {seen[objective.id]}",
                    )
                )
            else:
                seen[objective.id] = lesson.doc.path
    return errors


def lesson_body(lesson, doc, language: str, problem) -> tuple[str, list[ContentError]]:
    """The Markdown to render for one file of a lesson (English or a translation): with
    `sources`, each cited source becomes a footnote and, in the English file, a source that
    is never cited is an error. A lesson without `sources` (imported before the key existed,
    or a test's) keeps plain Markdown footnotes. problem(message, needle=...) reports a
    problem in the body."""
    if not lesson.sources:
        return doc.body, []
    body, cited = cite_sources(
        doc.body, lesson.sources, lambda message, needle: problem(message, needle=needle)
    )
    if language != "en":
        return body, []
    return body, [
        ContentError(
            doc.path,
            doc.line("sources", index),
            f"source '{source.id}' is never cited in the text "
            f"(write [^{source.id}] after the fact it supports)",
        )
        for index, source in enumerate(lesson.sources)
        if source.id not in cited
    ]
