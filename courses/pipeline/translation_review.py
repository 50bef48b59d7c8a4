"""The editorial review of translations: approved terms and the language's number format.

**Terminology base.** `content/terminology/<lang>.yaml` lists, per language, the approved
translation of each English term (every glossary term, and the legal and procedural terms
the course uses), with a note and, where there is one, the official source. `sync_content
--check` then verifies:

- every translated glossary entry's `name` uses the approved translation, or one of the
  `variants` listed with it (inflected forms: an error otherwise);
- where a translated lesson links a glossary term, the shown text uses the approved
  translation or one of its listed `variants` (a warning, as inflected forms vary);
- where an English lesson links a glossary term, its translation uses an approved form
  somewhere (a warning).

**Numbers.** Romanian writes `2.500 USDT` and `3,6 miliarde`. In Romanian prose (outside code)
an English thousands separator (`2,500`) or an English decimal point before a unit or an
amount word (`3.6 miliarde`, `0.05 BTC`) is an error.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from courses.pipeline.source import (
    TRANSLATION_LANGUAGES,
    ContentError,
    CourseSource,
    Document,
    read_document,
)

TERMINOLOGY_DIR = "terminology"
TERM_KEYS = {"en", "approved", "variants", "note", "source"}
_GLOSSARY_LINK = re.compile(r"\[\[([^\]\|\n]+?)(?:\\?\|([^\]\n]+?))?\]\]")


@dataclass
class TermEntry:
    en: str
    approved: str
    variants: list[str] = field(default_factory=list)
    line: int = 1

    @property
    def forms(self) -> list[str]:
        return [self.approved, *self.variants]

    def used_in(self, text: str) -> bool:
        folded = text.casefold()
        return any(form.casefold() in folded for form in self.forms)


@dataclass
class Terminology:
    language: str
    doc: Document
    terms: dict[str, TermEntry]  # casefolded English term -> entry

    def get(self, term: str) -> TermEntry | None:
        return self.terms.get(term.strip().casefold())


def _content_root(courses: list[CourseSource]) -> Path | None:
    """content/, two levels above each course folder (content/courses/<course>)."""
    return courses[0].folder.parent.parent if courses else None


def terminology_load(root: Path) -> tuple[dict[str, Terminology], list[ContentError]]:
    """Each content/terminology/<lang>.yaml, checked: {language: Terminology}."""
    folder = root / TERMINOLOGY_DIR
    bases: dict[str, Terminology] = {}
    errors: list[ContentError] = []
    if not folder.is_dir():
        return bases, errors
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name == "README.md":
            continue
        rel = str(path.relative_to(root.parent))
        if path.suffix != ".yaml" or path.stem not in TRANSLATION_LANGUAGES:
            errors.append(
                ContentError(
                    rel,
                    1,
                    f"a terminology file is LANG.yaml with LANG one of "
                    f"{', '.join(TRANSLATION_LANGUAGES)}",
                )
            )
            continue
        doc, _rel = read_document(path, root, errors)
        if doc is None:
            continue
        base = _terminology(doc, path.stem, errors)
        if base is not None:
            bases[path.stem] = base
    return bases, errors


def _terminology(doc: Document, language: str, errors: list[ContentError]) -> Terminology | None:
    def error(message: str, *keys) -> None:
        errors.append(ContentError(doc.path, doc.line(*keys), message))

    data = doc.data
    unknown = sorted(set(data) - {"language", "terms"})
    if unknown:
        error(f"unknown key '{unknown[0]}'", unknown[0])
    if data.get("language") != language:
        error(f"'language' must be '{language}', as the file name says", "language")
    items = data.get("terms")
    if not isinstance(items, list) or not items:
        error("'terms' must be a non-empty list", "terms")
        return None
    terms: dict[str, TermEntry] = {}
    for index, item in enumerate(items):
        where = ("terms", index)
        if not isinstance(item, dict):
            error("each term must be a mapping", *where)
            continue
        for key in sorted(set(item) - TERM_KEYS):
            error(f"unknown key '{key}'", *where, key)
        en, approved = item.get("en"), item.get("approved")
        variants = item.get("variants", [])
        if not isinstance(en, str) or not en.strip():
            error("'en' (the English term) is required text", *where)
            continue
        if not isinstance(approved, str) or not approved.strip():
            error("'approved' (the approved translation) is required text", *where)
            continue
        if not isinstance(variants, list) or not all(
            isinstance(v, str) and v.strip() for v in variants
        ):
            error("'variants' must be a list of text", *where, "variants")
            variants = []
        for key in ("note", "source"):
            if key in item and not isinstance(item[key], str):
                error(f"'{key}' must be text", *where, key)
        folded = en.strip().casefold()
        if folded in terms:
            error(f"'{en}' is listed twice (also line {terms[folded].line})", *where, "en")
            continue
        terms[folded] = TermEntry(
            en.strip(),
            approved.strip(),
            [v.strip() for v in variants],
            doc.line(*where),
        )
    return Terminology(language, doc, terms)


def _term_of(module, linked: str) -> str | None:
    """The glossary term a [[link]] names (a term or one of its aliases), or None."""
    wanted = linked.strip().casefold()
    for entry in module.glossary:
        if wanted == entry.term.casefold() or wanted in (a.casefold() for a in entry.aliases):
            return entry.term
    return None


def terminology_problems(
    courses: list[CourseSource],
) -> tuple[list[ContentError], list[ContentError]]:
    """(errors, warnings) of every translation against its language's terminology base."""
    root = _content_root(courses)
    if root is None:
        return [], []
    bases, errors = terminology_load(root)
    warnings: list[ContentError] = []
    for course in courses:
        for module in course.modules:
            for language, translation in sorted(module.glossary_translations.items()):
                errors.extend(_glossary_problems(translation.doc, language, bases))
            for lesson in module.lessons:
                english_terms = {
                    term
                    for linked, _shown in _GLOSSARY_LINK.findall(lesson.doc.body)
                    if (term := _term_of(module, linked))
                }
                for language, translation in sorted(lesson.translations.items()):
                    base = bases.get(language)
                    if base is not None:
                        warnings.extend(
                            _lesson_warnings(translation.doc, module, english_terms, base)
                        )
    return errors, warnings


def _glossary_problems(doc: Document, language: str, bases: dict) -> list[ContentError]:
    base = bases.get(language)
    rel_base = f"content/{TERMINOLOGY_DIR}/{language}.yaml"
    problems = []
    for index, item in enumerate(doc.data.get("terms") or []):
        if not isinstance(item, dict) or not isinstance(item.get("term"), str):
            continue
        line = doc.line("terms", index, "name")
        entry = base.get(item["term"]) if base else None
        if entry is None:
            problems.append(
                ContentError(
                    doc.path,
                    line,
                    f"the glossary term '{item['term']}' has no approved translation in {rel_base}",
                )
            )
        elif not entry.used_in(str(item.get("name", ""))):
            problems.append(
                ContentError(
                    doc.path,
                    line,
                    f"'name' must use the approved translation of '{entry.en}': "
                    f"'{entry.approved}' ({rel_base})",
                )
            )
    return problems


def _lesson_warnings(doc: Document, module, english_terms: set[str], base) -> list[ContentError]:
    warnings = []
    for match in _GLOSSARY_LINK.finditer(doc.body):
        term = _term_of(module, match.group(1))
        entry = base.get(term) if term else None
        shown = match.group(2) or match.group(1)
        if entry is not None and not entry.used_in(shown):
            line = doc.body_line + doc.body[: match.start()].count("\n")
            warnings.append(
                ContentError(
                    doc.path,
                    line,
                    f"warning: the link to '{term}' shows '{shown}', not the approved "
                    f"'{entry.approved}' (or a listed variant)",
                )
            )
    for term in sorted(english_terms):
        entry = base.get(term)
        if entry is not None and not entry.used_in(doc.body):
            warnings.append(
                ContentError(
                    doc.path,
                    doc.body_line,
                    f"warning: the English uses the glossary term '{term}'; the translation "
                    f"never uses its approved '{entry.approved}' (or a listed variant)",
                )
            )
    return warnings


# -- numbers -------------------------------------------------------------------------------

_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_URL = re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+|\[\^[^\]]*\]")
_ENGLISH_THOUSANDS = re.compile(r"(?<![\d.,])[1-9]\d{0,2}(?:,\d{3})+(?![\d,])")
_UNITS = (
    r"%|BTC|ETH|USDT|USDC|USD|EUR|TRX|XMR|LTC|BNB|SOL|sats?\b|miliard|milioan|mii\b|dolari|"
    r"euro|lei\b|ore\b|minute|secunde|zile"
)
_ENGLISH_DECIMAL = re.compile(rf"(?<![\d.,])\d+\.(?:\d{{1,2}}|\d{{4,}})(?![\d.])\s?(?:{_UNITS})")

NUMBER_STYLE = {
    "ro": "Romanian writes 2.500 and 3,6 (thousands with '.', decimals with ',')",
}


def number_problems(text: str) -> list[tuple[int, str]]:
    """(line within text, number) for each English-style number in Romanian prose."""
    # Blank out code and link targets, keeping line breaks so line numbers hold.
    prose = _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    prose = _URL.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), prose)
    found = []
    for pattern in (_ENGLISH_THOUSANDS, _ENGLISH_DECIMAL):
        for match in pattern.finditer(prose):
            found.append((prose[: match.start()].count("\n") + 1, match.group(0).strip()))
    return sorted(found)


def _yaml_texts(value, keys: tuple = ()):
    """(key path, text) for every string in a YAML document's data."""
    if isinstance(value, str):
        yield keys, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "source_hash":
                yield from _yaml_texts(item, (*keys, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _yaml_texts(item, (*keys, index))


def _document_number_problems(doc: Document, language: str) -> list[ContentError]:
    problems = []
    for keys, text in _yaml_texts(doc.data):
        problems.extend(
            ContentError(doc.path, doc.line(*keys), f"'{number}': {NUMBER_STYLE[language]}")
            for _line, number in number_problems(text)
        )
    problems.extend(
        ContentError(doc.path, doc.body_line + line - 1, f"'{number}': {NUMBER_STYLE[language]}")
        for line, number in number_problems(doc.body)
    )
    return problems


def translation_documents(courses: list[CourseSource]):
    """(language, Document) of every translation in the tree."""
    for course in courses:
        for module in course.modules:
            for language, translation in module.translations.items():
                yield language, translation.doc
            for language, translation in module.glossary_translations.items():
                yield language, translation.doc
            for by_language in module.extra_translations.values():
                for language, translation in by_language.items():
                    yield language, translation.doc
            for lesson in module.lessons:
                for language, translation in lesson.translations.items():
                    yield language, translation.doc


def number_format_problems(courses: list[CourseSource]) -> list[ContentError]:
    """English-style numbers in the prose of languages that write them otherwise."""
    return [
        problem
        for language, doc in translation_documents(courses)
        if language in NUMBER_STYLE
        for problem in _document_number_problems(doc, language)
    ]


# -- parts a translation must not leave in English -------------------------------------------

QUIZ_PARTS = {"ordering": "items", "matching": "pairs"}


def untranslated_parts(courses: list[CourseSource]) -> list[ContentError]:
    """Translations that leave part of their English file untranslated: a lesson's
    objectives, a module's objectives, a quiz's ordering items and matching pairs. (The import
    accepts them, so an older translation still loads; the page then shows that part in
    English, marked.)"""
    problems = []
    for course in courses:
        for module in course.modules:
            for translation in module.translations.values():
                if module.objectives and not translation.doc.data.get("objectives"):
                    problems.append(
                        ContentError(
                            translation.doc.path, 1, "'objectives' of the module are not translated"
                        )
                    )
            for lesson in module.lessons:
                for translation in lesson.translations.values():
                    if lesson.objectives and "objectives" not in translation.doc.data:
                        problems.append(
                            ContentError(
                                translation.doc.path,
                                1,
                                "'objectives' is required: the lesson's objectives by id ("
                                + ", ".join(o.id for o in lesson.objectives)
                                + ")",
                            )
                        )
            quiz = module.extra_files.get("quiz.yaml")
            for translation in module.extra_translations.get("quiz.yaml", {}).values():
                problems.extend(_quiz_parts_missing(quiz, translation.doc))
    return problems


def _quiz_parts_missing(english: Document | None, doc: Document) -> list[ContentError]:
    if english is None:
        return []
    kinds = {
        q.get("key"): q.get("type")
        for q in english.data.get("questions", [])
        if isinstance(q, dict)
    }
    problems = []
    for index, item in enumerate(doc.data.get("questions") or []):
        part = QUIZ_PARTS.get(kinds.get(item.get("key")))
        if part and part not in item:
            problems.append(
                ContentError(
                    doc.path,
                    doc.line("questions", index),
                    f"question '{item.get('key')}' needs '{part}': its texts are not translated",
                )
            )
    return problems


def terminology_errors(courses: list[CourseSource]) -> list[ContentError]:
    return terminology_problems(courses)[0]


def terminology_warnings(courses: list[CourseSource]) -> list[ContentError]:
    return terminology_problems(courses)[1]
