"""Requirement sets from content/requirements/<slug>.yaml: checked with the courses
(sync_content --check) and imported into RequirementSet rows by sync_content.

Registered with the content pipeline (courses.pipeline.extensions) in ReportsConfig.ready(),
so the pipeline, a lower layer, never imports reports. The format is in content/README.md.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from courses.models import TrainingCategory
from courses.pipeline.source import SLUG_RE, ContentError, Document, read_document
from courses.pipeline.sync import ContentInvalid, SyncReport
from reports.models import RequirementSet
from reports.selectors.hours import TOTAL

FOLDER = "requirements"
KEYS = {
    "slug",
    "name",
    "country",
    "demo",
    "description",
    "cycle",
    "minimum_hours",
    "required",
    "certificate_current",
}
CYCLE_KEYS = {"months", "anchor", "date"}
DEMO_MARKER = "(demo)"


@dataclass
class RequirementSource:
    doc: Document
    slug: str
    values: dict[str, Any]


def _error(doc: Document, errors: list[ContentError], message: str, *keys: Any) -> None:
    errors.append(ContentError(doc.path, doc.line(*keys), message))


def _boolean(doc, errors, data: dict, key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        _error(doc, errors, f"'{key}' must be true or false", key)
        return default
    return value


def _text(doc, errors, data: dict, key: str, *, required: bool, max_length: int) -> str:
    value = data.get(key)
    if value is None:
        if required:
            _error(doc, errors, f"'{key}' is required")
        return ""
    if not isinstance(value, str) or not value.strip():
        _error(doc, errors, f"'{key}' must be non-empty text", key)
        return ""
    if len(value.strip()) > max_length:
        _error(doc, errors, f"'{key}' must be at most {max_length} characters", key)
    return value.strip()


def _cycle(doc, errors, data: dict) -> dict[str, Any]:
    cycle = data.get("cycle")
    if not isinstance(cycle, dict):
        _error(
            doc, errors, "'cycle' is required: {months: N, anchor: fixed|start, date: ...}", "cycle"
        )
        return {}
    for key in cycle:
        if key not in CYCLE_KEYS:
            _error(doc, errors, f"unknown key '{key}' in cycle", "cycle", key)
    months = cycle.get("months")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
        _error(doc, errors, "cycle 'months' must be a whole number from 1 to 120", "cycle")
        months = None
    anchor = cycle.get("anchor")
    if anchor not in RequirementSet.Anchor.values:
        _error(doc, errors, "cycle 'anchor' must be 'fixed' or 'start'", "cycle")
        anchor = None
    anchor_date = cycle.get("date")
    if anchor == RequirementSet.Anchor.FIXED:
        if isinstance(anchor_date, str):
            try:
                anchor_date = date.fromisoformat(anchor_date)
            except ValueError:
                anchor_date = None
        if not isinstance(anchor_date, date):
            _error(doc, errors, "a fixed cycle needs a 'date' (YYYY-MM-DD)", "cycle")
            anchor_date = None
    elif anchor_date is not None:
        _error(doc, errors, "a cycle from each officer's start takes no 'date'", "cycle", "date")
        anchor_date = None
    return {"cycle_months": months, "anchor": anchor, "anchor_date": anchor_date}


def _minimum_hours(doc, errors, data: dict) -> dict[str, str]:
    value = data.get("minimum_hours", {})
    if not isinstance(value, dict):
        _error(doc, errors, "'minimum_hours' must map categories to hours", "minimum_hours")
        return {}
    allowed = [*TrainingCategory.values, TOTAL]
    result = {}
    for category, hours in value.items():
        if category not in allowed:
            _error(
                doc,
                errors,
                f"unknown category '{category}' in minimum_hours: use one of {', '.join(allowed)}",
                "minimum_hours",
                category,
            )
            continue
        try:
            if isinstance(hours, bool) or not isinstance(hours, int | float | str):
                raise InvalidOperation
            number = Decimal(str(hours))
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            _error(
                doc, errors, f"hours of '{category}' must be a number", "minimum_hours", category
            )
            continue
        if number < 0:
            _error(
                doc, errors, f"hours of '{category}' cannot be negative", "minimum_hours", category
            )
            continue
        result[category] = format(number.normalize(), "f")
    return result


def _required(doc, errors, data: dict, known: set[str]) -> list[str]:
    value = data.get("required", [])
    if not isinstance(value, list):
        _error(
            doc, errors, "'required' must be a list of course or course/module slugs", "required"
        )
        return []
    result = []
    for index, entry in enumerate(value):
        if not isinstance(entry, str) or entry not in known:
            _error(
                doc,
                errors,
                f"required '{entry}' is not a course or course/module slug in content/",
                "required",
                index,
            )
            continue
        result.append(entry)
    return result


def _parse(path: Path, root: Path, known: set[str], errors: list[ContentError]):
    doc, _rel = read_document(path, root, errors)
    if doc is None:
        return None
    data = doc.data
    for key in data:
        if key not in KEYS:
            _error(doc, errors, f"unknown key '{key}'", key)
    slug = data.get("slug", path.stem)
    if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > 50:
        _error(doc, errors, f"slug '{slug}' must be lower-case letters, digits and hyphens", "slug")
    name = _text(doc, errors, data, "name", required=True, max_length=200)
    demo = _boolean(doc, errors, data, "demo", False)
    if demo and name and not name.endswith(DEMO_MARKER):
        _error(doc, errors, f"the name of a demo set must end with '{DEMO_MARKER}'", "name")
    country = data.get("country", "")
    if country and (not isinstance(country, str) or len(country) != 2 or not country.isupper()):
        _error(doc, errors, "'country' must be a two-letter code such as KR", "country")
        country = ""
    values = {
        "name": name,
        "country": country,
        "is_demo": demo,
        "description": _text(doc, errors, data, "description", required=False, max_length=2000),
        **_cycle(doc, errors, data),
        "minimum_hours": _minimum_hours(doc, errors, data),
        "required": _required(doc, errors, data, known),
        "certificate_current": _boolean(doc, errors, data, "certificate_current", False),
        "source_path": doc.path,
        "content_hash": doc.content_hash,
    }
    return RequirementSource(doc=doc, slug=slug, values=values)


def requirement_sources(*, root: Path, courses, errors: list[ContentError]):
    """Every content/requirements/*.yaml, parsed and checked against the courses."""
    folder = root / FOLDER
    if not folder.is_dir():
        return []
    known = set()
    for course in courses:
        known.add(course.slug)
        known.update(f"{course.slug}/{module.slug}" for module in course.modules)
    sources, seen = [], {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix != ".yaml":
            rel = str(path.relative_to(root.parent))
            errors.append(ContentError(rel, 1, "requirement sets are .yaml files"))
            continue
        source = _parse(path, root, known, errors)
        if source is None:
            continue
        if source.slug in seen:
            _error(
                source.doc,
                errors,
                f"duplicate requirement set slug '{source.slug}' (also in {seen[source.slug]})",
                "slug",
            )
            continue
        seen[source.slug] = source.doc.path
        sources.append(source)
    return sources


def requirement_sets_validate(*, root: Path, courses, errors: list[ContentError]) -> None:
    """sync_content --check: the requirement sets' errors, nothing written."""
    requirement_sources(root=root, courses=courses, errors=errors)


@transaction.atomic
def requirement_sets_sync(*, root: Path, courses, report: SyncReport) -> None:
    """Upsert RequirementSet rows by slug; delete those gone from content/, unless an agency
    follows one (then the whole import is refused). Runs inside content_sync's transaction,
    whose audit row ("content.sync") counts these changes."""
    errors: list[ContentError] = []
    sources = requirement_sources(root=root, courses=courses, errors=errors)
    if errors:
        raise ContentInvalid(errors)
    for source in sources:
        existing = RequirementSet.objects.filter(slug=source.slug).first()
        label = f"requirements {source.slug}"
        if existing is None:
            row = RequirementSet(slug=source.slug, **source.values)
            row.full_clean()
            row.save()
            report.add(label, "created")
            continue
        changed = [k for k, v in source.values.items() if getattr(existing, k) != v]
        if not changed:
            report.add(label, "unchanged")
            continue
        for key in changed:
            setattr(existing, key, source.values[key])
        existing.full_clean()
        existing.save(update_fields=changed)
        report.add(label, "updated")
    gone = RequirementSet.objects.exclude(slug__in=[source.slug for source in sources])
    in_use = [row for row in gone if row.agencies.exists()]
    if in_use:
        raise ContentInvalid(
            [
                ContentError(
                    row.source_path or f"content/{FOLDER}/{row.slug}.yaml",
                    1,
                    f"requirement set '{row.slug}' was removed from content/ but an agency "
                    "follows it; restore the file, or have the agency choose another set first",
                )
                for row in in_use
            ]
        )
    for row in gone:
        report.removed.append(f"requirements {row.slug}")
        row.delete()
