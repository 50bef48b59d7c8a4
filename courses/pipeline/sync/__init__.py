"""Importing content/ into the database: all of it or, on any error, none of it.

content_validate is sync_content --check (parse, check, render, write nothing); content_sync
writes what changed, renders Markdown once and leaves one audit row.

The package: report.py (SyncReport, ContentInvalid, upsert), lessons.py, modules.py (glossary and
module translations), files.py (images, English snapshots, translated diagrams); this module
imports a course with them."""

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError

from accounts.services import audit_log
from core.git import git_commit
from courses.content_cache import content_changed
from courses.models import ContentFile, Course, Lesson, Module
from courses.pipeline.extensions import content_extensions
from courses.pipeline.media import translated_svg_errors
from courses.pipeline.render import render_content, render_markdown, site_urls
from courses.pipeline.source import MODULE_FILES, ContentError, CourseSource, tree_fingerprint
from courses.pipeline.sync.files import assets_sync, diagram_translations_sync, snapshots_sync
from courses.pipeline.sync.lessons import lesson_sync
from courses.pipeline.sync.modules import glossary_sync, module_translations_sync
from courses.pipeline.sync.report import ContentInvalid, SyncReport, upsert
from courses.pipeline.validate import load_content

__all__ = ["ContentInvalid", "SyncReport", "content_sync", "content_validate"]

logger = logging.getLogger(__name__)


def content_validate(*, root: Path) -> tuple[list[CourseSource], list[ContentError]]:
    """Parse, check and render everything under root without writing (sync_content --check)."""
    courses, errors = load_content(root)
    errors.extend(translated_svg_errors(root))
    # Other apps' files (content/requirements/, say) are checked with the courses they name.
    for extension in content_extensions():
        extension.validate(root=root, courses=courses, errors=errors)
    if not errors:
        errors = render_content(courses, root, site_urls())
    return courses, errors


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
    course, status = upsert(
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
        module, status = upsert(
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
                "glossary_hash": (
                    module_source.glossary_doc.content_hash if module_source.glossary_doc else ""
                ),
            },
        )
        report.add(f"module {source.slug}/{module_source.slug}", status)
        for lesson_source in module_source.lessons:
            lesson_sync(module, lesson_source, git_commit, report)
        _remove_missing(
            Lesson.objects.filter(module=module),
            {lesson.slug for lesson in module_source.lessons},
            f"lesson {source.slug}/{module_source.slug}/",
            report,
        )
        glossary_sync(module, module_source, report)
        module_translations_sync(module, module_source, report)
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
    assets_sync(course, source, report)
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
        if not dry_run:
            # Every release runs sync_content (deploy/README.md), usually with nothing to
            # import: a new content generation all the same retires what pages cached under
            # the last release's templates and translations.
            try:
                content_changed()
            except Exception:
                logger.warning("Content cache unavailable: the content generation stays")
        return SyncReport(unchanged=len(fingerprint), skipped=True)
    courses, errors = _validated(root, fingerprint)
    if errors:
        raise ContentInvalid(errors)
    report = SyncReport(git_commit=git_commit(root))
    with transaction.atomic():
        for source in courses:
            course = _sync_course(source, report.git_commit, report)
            snapshots_sync(course, source, root)
            diagram_translations_sync(course, source, root)
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
        else:
            # Pages cache what depends on the content (courses.content_cache): a new content
            # generation now (a cache that is down stops the import here, before it commits),
            # so this process and the tests see the import at once, and again once it is
            # committed, since a page built in between read the old rows.
            content_changed()
            transaction.on_commit(content_changed, robust=True)
    return report
