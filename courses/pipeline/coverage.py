"""Translation coverage: how much of the English curriculum each language has translated.

sync_content --check --translations prints it. The English files to translate are every
lesson, module.md, glossary.yaml and module file (quiz.yaml) of every module, and every
diagram (media/NAME.svg) a lesson shows; course.md has no translation. Words are the English
file's words, counted as covered when a translation exists, stale or not.
"""

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from courses.pipeline.media import diagram_is_stale, diagram_translations, english_diagrams
from courses.pipeline.source import TRANSLATION_LANGUAGES, CourseSource, TranslationSource

WORD_RE = re.compile(r"\w+")
# The YAML values a translator translates, by file: the words counted for it.
GLOSSARY_TEXT_KEYS = frozenset({"term", "definition"})
QUIZ_TEXT_KEYS = frozenset({"title", "prompt", "text", "left", "right", "explanation"})
MODULE_FILE_TEXT_KEYS = {"quiz.yaml": QUIZ_TEXT_KEYS}
SVG_TEXT_TAGS = frozenset({"text", "title"})


@dataclass(frozen=True)
class EnglishFile:
    """One English file to translate: its path, its words, and per language whether the
    translation is stale (a language that is absent has no translation)."""

    path: str
    words: int
    stale: dict[str, bool]


@dataclass
class LanguageCoverage:
    language: str
    files: int = 0
    total_files: int = 0
    words: int = 0
    total_words: int = 0
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.language}: {self.files}/{self.total_files} files, "
            f"{self.words:,}/{self.total_words:,} words, "
            f"{len(self.stale)} stale, {len(self.missing)} missing"
        )


def count_words(text: str) -> int:
    return len(WORD_RE.findall(text))


def yaml_words(data: Any, keys: frozenset[str]) -> int:
    """The words of every text value under one of keys, at any depth of the YAML."""
    if isinstance(data, dict):
        return sum(
            count_words(value)
            if key in keys and isinstance(value, str)
            else yaml_words(value, keys)
            for key, value in data.items()
        )
    if isinstance(data, list):
        return sum(yaml_words(item, keys) for item in data)
    return 0


def svg_words(data: bytes) -> int:
    """The words a reader sees in a diagram: its <text> (with <tspan>s) and <title>."""
    try:
        root = ET.fromstring(data)  # noqa: S314 (checked by svg_problems before import)
    except ET.ParseError:
        return 0
    return sum(
        count_words("".join(element.itertext()))
        for element in root.iter()
        if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] in SVG_TEXT_TAGS
    )


def _stale(translations: dict[str, TranslationSource]) -> dict[str, bool]:
    return {language: t.is_stale for language, t in translations.items()}


def _diagrams(course: CourseSource, root: Path) -> Iterator[EnglishFile]:
    """The English SVGs the course's lessons show (render_content filled course.assets)."""
    for path in english_diagrams(course.assets, course.folder):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        stale = {
            language: diagram_is_stale(translated.read_bytes(), digest)
            for language, translated in diagram_translations(path).items()
        }
        yield EnglishFile(str(path.relative_to(root.parent)), svg_words(data), stale)


def english_files(courses: list[CourseSource], root: Path) -> Iterator[EnglishFile]:
    """Every English file to translate, in the order of the tree, with its translations."""
    for course in courses:
        for module in course.modules:
            yield EnglishFile(
                module.doc.path, count_words(module.doc.body), _stale(module.translations)
            )
            for lesson in module.lessons:
                yield EnglishFile(
                    lesson.doc.path, count_words(lesson.doc.body), _stale(lesson.translations)
                )
            if module.glossary_doc is not None:
                yield EnglishFile(
                    module.glossary_doc.path,
                    yaml_words(module.glossary_doc.data, GLOSSARY_TEXT_KEYS),
                    _stale(module.glossary_translations),
                )
            for filename, doc in module.extra_files.items():
                yield EnglishFile(
                    doc.path,
                    yaml_words(doc.data, MODULE_FILE_TEXT_KEYS.get(filename, QUIZ_TEXT_KEYS)),
                    _stale(module.extra_translations.get(filename, {})),
                )
        yield from _diagrams(course, root)


def translation_coverage(courses: list[CourseSource], root: Path) -> list[LanguageCoverage]:
    """Files, words, stale and missing translations per language, from a validated and
    rendered tree (courses.pipeline.sync.content_validate)."""
    coverage = {language: LanguageCoverage(language) for language in TRANSLATION_LANGUAGES}
    for english in english_files(courses, root):
        for language, result in coverage.items():
            result.total_files += 1
            result.total_words += english.words
            if language not in english.stale:
                result.missing.append(english.path)
                continue
            result.files += 1
            result.words += english.words
            if english.stale[language]:
                result.stale.append(english.path)
    return list(coverage.values())
