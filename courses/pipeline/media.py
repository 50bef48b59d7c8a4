"""Images a course may hold: their types, and the check that an SVG is static and
self-contained before it is stored and served."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

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
