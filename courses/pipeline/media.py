"""Images a course may hold: their types, and the check that an SVG is static and
self-contained before it is stored and served."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from courses.pipeline.source import TRANSLATION_LANGUAGES, ContentError

IMAGE_SUFFIXES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


SVG_NS = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_SVG_TAGS = {
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "image",
    "use",
    "animate",
    "set",
}


def svg_problems(data: bytes) -> list[str]:
    """Why an SVG may not be served (it must be static and self-contained), or nothing."""
    text = data.decode("utf-8", errors="replace")
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        return ["SVG must not declare a DOCTYPE or entities"]
    try:
        root = ET.fromstring(data)  # noqa: S314 (DOCTYPE/ENTITY refused above)
    except ET.ParseError as exc:
        return [f"SVG is not well-formed XML: {exc}"]
    problems = []
    if root.tag != f"{SVG_NS}svg":
        problems.append("the root element must be <svg> in the SVG namespace")
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in _FORBIDDEN_SVG_TAGS:
            problems.append(f"SVG must not contain <{tag}>")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                problems.append(f"SVG must not have event attributes ({local})")
            if local == "href" and not value.startswith("#"):
                problems.append("SVG may only link to its own elements (href='#...')")
            if "url(" in value and "url(#" not in value.replace(" ", ""):
                problems.append("SVG must not reference outside resources with url()")
        if (
            tag == "style"
            and element.text
            and re.search(r"@import|url\(\s*['\"]?[a-z]+:", element.text, re.I)
        ):
            problems.append("SVG styles must not import or fetch outside resources")
    return sorted(set(problems))


def asset_content_type(path: str) -> str:
    return IMAGE_SUFFIXES[Path(path).suffix.lower()]


# A translated diagram (media/NAME.ko.svg) names the English SVG it was made from in a
# comment on its first or second line (after an XML declaration), as Markdown translations
# do in their front matter: <!-- source_hash: "3fa2b1c09d4e" -->
_SVG_SOURCE_HASH_RE = re.compile(r'^\s*<!--\s*source_hash:\s*"([0-9a-f]{8,64})"\s*-->\s*$')


def svg_source_hash(data: bytes) -> str | None:
    """The source_hash of a translated SVG, or None when the comment is absent or malformed."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    for line in text.lstrip("\ufeff").splitlines()[:2]:
        match = _SVG_SOURCE_HASH_RE.match(line)
        if match:
            return match.group(1)
    return None


def svg_language(path: Path) -> str | None:
    """'ko' for NAME.ko.svg, a translated diagram; None for an English one."""
    parts = path.name.split(".")
    if len(parts) == 3 and parts[2].lower() == "svg" and parts[1] in TRANSLATION_LANGUAGES:
        return parts[1]
    return None


def english_diagrams(assets, course_folder: Path) -> list[Path]:
    """The English SVGs among a course's images (CourseSource.assets once rendered: paths
    relative to the course folder), translated ones left out."""
    return [
        course_folder / rel
        for rel in sorted(assets)
        if Path(rel).suffix.lower() == ".svg" and svg_language(Path(rel)) is None
    ]


def diagram_translations(english: Path) -> dict[str, Path]:
    """The translations beside an English diagram, by language: media/NAME.LANG.svg."""
    found = {}
    for language in TRANSLATION_LANGUAGES:
        path = english.with_name(f"{english.stem}.{language}{english.suffix}")
        if path.is_file():
            found[language] = path
    return found


def diagram_is_stale(translated: bytes, english_hash: str) -> bool:
    """A translated diagram is stale unless its source_hash is a prefix of the English sha256
    (no comment at all counts as stale; --check reports it)."""
    source_hash = svg_source_hash(translated)
    return source_hash is None or not english_hash.startswith(source_hash)


def translated_svg_errors(root: Path) -> list[ContentError]:
    """Every translated diagram under root/courses must name an English SVG that exists, carry
    its source_hash comment and be as static and self-contained as any served SVG."""
    errors = []
    for path in sorted((root / "courses").rglob("*.svg")):
        language = svg_language(path)
        if language is None:
            continue
        rel = str(path.relative_to(root.parent))
        english = path.with_name(path.name.replace(f".{language}.", "."))
        if not english.is_file():
            errors.append(
                ContentError(rel, 1, f"translates '{english.name}', which does not exist")
            )
            continue
        data = path.read_bytes()
        if svg_source_hash(data) is None:
            errors.append(
                ContentError(
                    rel,
                    1,
                    "the first or second line must be the comment <!-- source_hash: "
                    '"3fa2b1c09d4e" --> with 8 to 64 hex characters of the English SVG\'s sha256',
                )
            )
        errors.extend(ContentError(rel, 1, problem) for problem in svg_problems(data))
    return errors
