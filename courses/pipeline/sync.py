"""Importing content/ into the database: all of it or, on any error, none of it.

content_validate is sync_content --check (parse, check, render, write nothing); content_sync
writes what changed, renders Markdown once and leaves one audit row.
"""

import hashlib
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError

from accounts.services import audit_log
from courses.models import (
    ContentAsset,
    ContentFile,
    Course,
    GlossaryTerm,
    Lesson,
    LessonTranslation,
    LessonVersion,
    Module,
    ModuleTranslation,
)
from courses.pipeline.extensions import content_extensions
from courses.pipeline.media import asset_content_type
from courses.pipeline.render import render_content, render_markdown, site_urls
from courses.pipeline.source import (
    MODULE_FILES,
    ContentError,
    CourseSource,
    LessonSource,
    ModuleSource,
    tree_fingerprint,
)
from courses.pipeline.validate import load_content


class ContentInvalid(Exception):
    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    git_commit: str = ""
    # True when every file's hash matched the last sync and nothing was parsed.
    skipped: bool = False

    def add(self, label: str, status: str) -> None:
        if status == "created":
            self.created.append(label)
        elif status == "updated":
            self.updated.append(label)
        else:
            self.unchanged += 1


def _git_commit(root: Path) -> str:
    git = shutil.which("git")
    if git is None:
        return ""
    try:
        result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [git, "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def content_validate(*, root: Path) -> tuple[list[CourseSource], list[ContentError]]:
    """Parse, check and render everything under root without writing (sync_content --check)."""
    courses, errors = load_content(root)
    # Other apps' files (content/requirements/, say) are checked with the courses they name.
    for extension in content_extensions():
        extension.validate(root=root, courses=courses, errors=errors)
    if not errors:
        errors = render_content(courses, root, site_urls())
    return courses, errors


def _upsert(model, lookup: dict, values: dict):
    """Create or update one row by its natural key; returns (row, created|updated|unchanged)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    obj.save(update_fields=changed)
    return obj, "updated"


def _sync_lesson(
    module: Module, source: LessonSource, git_commit: str, report: SyncReport
) -> Lesson:
    label = f"lesson {module.course.slug}/{module.slug}/{source.slug}"
    lesson, status = _upsert(
        Lesson,
        {"module": module, "slug": source.slug},
        {
            "title": source.title,
            "order": source.order,
            "minutes": source.minutes,
            "access": source.access,
            "reviewed_on": source.reviewed,
            "objectives": [{"id": o.id, "text": o.text} for o in source.objectives],
        },
    )
    doc, html = source.doc, source.html["en"]
    current = lesson.current_version
    if current is not None and current.content_hash == doc.content_hash:
        # Same text; the HTML may still differ if a linked lesson or term moved.
        if current.body_html != html:
            current.body_html = html
            current.save(update_fields=["body_html"])
            status = "updated"
    else:
        # A file reverted to an earlier text points back at that version instead of a new one.
        version = LessonVersion.objects.filter(lesson=lesson, content_hash=doc.content_hash).first()
        if version is None:
            last = lesson.versions.order_by("-number").values_list("number", flat=True).first()
            version = LessonVersion.objects.create(
                lesson=lesson,
                number=(last or 0) + 1,
                content_hash=doc.content_hash,
                git_commit=git_commit,
                source_path=doc.path,
                source_text=doc.body,
                body_html=html,
                is_material=source.material and last is not None,
            )
        elif version.body_html != html:
            version.body_html = html
            version.save(update_fields=["body_html"])
        lesson.current_version = version
        lesson.save(update_fields=["current_version"])
        status = "created" if status == "created" else "updated"
    report.add(label, status)
    _sync_lesson_translations(lesson, source, report, label)
    return lesson


def _sync_lesson_translations(
    lesson: Lesson, source: LessonSource, report: SyncReport, label: str
) -> None:
    for language, translation in source.translations.items():
        _obj, status = _upsert(
            LessonTranslation,
            {"lesson": lesson, "language": language},
            {
                "title": translation.doc.data["title"].strip(),
                "objectives": {
                    key: text.strip()
                    for key, text in (translation.doc.data.get("objectives") or {}).items()
                }
                or None,
                "body_html": source.html[language],
                "source_text": translation.doc.body,
                "source_path": translation.doc.path,
                "content_hash": translation.doc.content_hash,
                "source_hash": translation.source_hash,
                "is_stale": translation.is_stale,
            },
        )
        report.add(f"{label} [{language}]", status)
    for gone in lesson.translations.exclude(language__in=list(source.translations)):
        report.removed.append(f"{label} [{gone.language}]")
        gone.delete()


def _sync_glossary(module: Module, source: ModuleSource, report: SyncReport) -> None:
    translated: dict[str, dict[str, dict]] = {}
    for language, translation in source.glossary_translations.items():
        for item in translation.doc.data.get("terms", []):
            translated.setdefault(item["term"], {})[language] = {
                "name": item["name"].strip(),
                "definition_html": render_markdown(item["definition"]),
                "stale": translation.is_stale,
            }
    keep = []
    for order, entry in enumerate(source.glossary, start=1):
        _term, status = _upsert(
            GlossaryTerm,
            {"module": module, "anchor": entry.anchor},
            {
                "term": entry.term,
                "aliases": entry.aliases,
                "definition_html": render_markdown(entry.definition),
                "order": order,
                "translations": translated.get(entry.term, {}),
            },
        )
        if status != "unchanged":
            report.add(f"glossary {module.course.slug}/{module.slug}/{entry.anchor}", status)
        keep.append(entry.anchor)
    GlossaryTerm.objects.filter(module=module).exclude(anchor__in=keep).delete()


def _sync_module_translations(module: Module, source: ModuleSource, report: SyncReport) -> None:
    for language, translation in source.translations.items():
        data = translation.doc.data
        objectives = data.get("objectives") or []
        _obj, status = _upsert(
            ModuleTranslation,
            {"module": module, "language": language},
            {
                "title": data["title"].strip(),
                "objectives": [item.strip() for item in objectives if isinstance(item, str)],
                "intro_html": render_markdown(translation.doc.body),
                "source_path": translation.doc.path,
                "content_hash": translation.doc.content_hash,
                "source_hash": translation.source_hash,
                "is_stale": translation.is_stale,
            },
        )
        report.add(f"module {module.course.slug}/{module.slug} [{language}]", status)
    ModuleTranslation.objects.filter(module=module).exclude(
        language__in=list(source.translations)
    ).delete()


def _sync_assets(course: Course, source: CourseSource, report: SyncReport) -> None:
    for rel, access in sorted(source.assets.items()):
        data = (source.folder / rel).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        existing = (
            ContentAsset.objects.filter(course=course, path=rel)
            .only("content_hash", "access")
            .first()
        )
        if existing and existing.content_hash == digest and existing.access == access:
            report.unchanged += 1
            continue
        ContentAsset.objects.update_or_create(
            course=course,
            path=rel,
            defaults={
                "content_type": asset_content_type(rel),
                "data": data,
                "content_hash": digest,
                "access": access,
            },
        )
        report.add(f"asset {course.slug}/{rel}", "updated" if existing else "created")
    for gone in ContentAsset.objects.filter(course=course).exclude(path__in=list(source.assets)):
        report.removed.append(f"asset {course.slug}/{gone.path}")
        gone.delete()


def _remove_missing(queryset, keep_slugs: set[str], what: str, report: SyncReport) -> None:
    """Delete rows whose files are gone, unless officers' records still point at them."""
    for obj in queryset.exclude(slug__in=keep_slugs):
        label = f"{what}{obj.slug}"
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError as exc:
            raise ContentInvalid(
                [
                    ContentError(
                        getattr(obj, "source_path", label),
                        1,
                        f"{label} was removed from content/ but officers have completed it; "
                        "restore the file (it can be reworded, not deleted)",
                    )
                ]
            ) from exc
        report.removed.append(label)


def _sync_course(source: CourseSource, git_commit: str, report: SyncReport) -> Course:
    course, status = _upsert(
        Course,
        {"slug": source.slug},
        {
            "title": source.title,
            "summary": source.summary,
            "language": source.language,
            "order": source.order,
            "valid_for_months": source.valid_for_months,
            "is_published": True,
            "intro_html": render_markdown(source.doc.body),
            "source_path": source.doc.path,
            "content_hash": source.doc.content_hash,
        },
    )
    report.add(f"course {source.slug}", status)
    for module_source in source.modules:
        module, status = _upsert(
            Module,
            {"course": course, "slug": module_source.slug},
            {
                "title": module_source.title,
                "order": module_source.order,
                "objectives": module_source.objectives,
                "category": module_source.category,
                "intro_html": render_markdown(module_source.doc.body),
                "source_path": module_source.doc.path,
                "content_hash": module_source.doc.content_hash,
                "glossary_access": module_source.glossary_access,
            },
        )
        report.add(f"module {source.slug}/{module_source.slug}", status)
        for lesson_source in module_source.lessons:
            _sync_lesson(module, lesson_source, git_commit, report)
        _remove_missing(
            Lesson.objects.filter(module=module),
            {lesson.slug for lesson in module_source.lessons},
            f"lesson {source.slug}/{module_source.slug}/",
            report,
        )
        _sync_glossary(module, module_source, report)
        _sync_module_translations(module, module_source, report)
        for filename, handler in MODULE_FILES.items():
            doc = module_source.extra_files.get(filename)
            status = handler.sync(
                module=module,
                doc=doc,
                access=module_source.file_access.get(filename, module_source.lesson_access),
            )
            if status != "absent":
                report.add(f"{filename} {source.slug}/{module_source.slug}", status)
            if handler.sync_translations is not None:
                handler.sync_translations(
                    module=module, translations=module_source.extra_translations.get(filename, {})
                )
    _remove_missing(
        Module.objects.filter(course=course),
        {module.slug for module in source.modules},
        f"module {source.slug}/",
        report,
    )
    _sync_assets(course, source, report)
    return course


# The last tree this process validated, by its path and fingerprint. Importing the same files
# again (the test suite imports the real curriculum into many fresh databases; a process may
# sync twice) reuses the parsed, rendered tree instead of rendering some 400 documents again.
# The import only reads the parsed sources.
_last_validated: tuple[tuple, tuple[list[CourseSource], list[ContentError]]] | None = None


def _validated(root: Path, fingerprint: dict[str, str]):
    global _last_validated
    key = (str(root.resolve()), tuple(sorted(fingerprint.items())))
    if _last_validated is None or _last_validated[0] != key:
        _last_validated = (key, content_validate(root=root))
    return _last_validated[1]


def content_sync(
    *, root: Path | None = None, dry_run: bool = False, force: bool = False
) -> SyncReport:
    """Import content/ into the database: all of it or, on any error, none of it.

    When every file's hash matches the last sync, nothing is parsed or rendered (the common
    case at each deploy). Otherwise the whole tree is validated and rendered, since a changed
    file can break links in unchanged ones, and only rows that differ are written. Markdown
    is rendered here, once; requests only read the stored HTML.
    """
    root = root or settings.CONTENT_DIR
    fingerprint = tree_fingerprint(root)
    stored = dict(ContentFile.objects.values_list("path", "content_hash"))
    if not force and stored == fingerprint:
        return SyncReport(unchanged=len(fingerprint), skipped=True)
    courses, errors = _validated(root, fingerprint)
    if errors:
        raise ContentInvalid(errors)
    report = SyncReport(git_commit=_git_commit(root))
    with transaction.atomic():
        for source in courses:
            _sync_course(source, report.git_commit, report)
        Course.objects.exclude(slug__in={source.slug for source in courses}).update(
            is_published=False
        )
        for extension in content_extensions():
            extension.sync(root=root, courses=courses, report=report)
        ContentFile.objects.exclude(path__in=list(fingerprint)).delete()
        for path, digest in fingerprint.items():
            if stored.get(path) != digest:
                ContentFile.objects.update_or_create(path=path, defaults={"content_hash": digest})
        changed = bool(report.created or report.updated or report.removed)
        if changed and not dry_run:
            audit_log(
                action="content.sync",
                details={
                    "git_commit": report.git_commit,
                    "created": len(report.created),
                    "updated": len(report.updated),
                    "removed": len(report.removed),
                },
            )
        if dry_run:
            transaction.set_rollback(True)
    return report
