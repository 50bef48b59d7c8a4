"""A course's files beside its rows: images, the English texts translations are compared
with, and translated diagrams."""

import hashlib
from pathlib import Path

from courses.models import (
    ContentAsset,
    Course,
    DiagramTranslation,
    Module,
    SourceSnapshot,
)
from courses.pipeline.media import (
    asset_content_type,
    diagram_is_stale,
    diagram_translations,
    english_diagrams,
    svg_source_hash,
)
from courses.pipeline.source import (
    CourseSource,
)
from courses.pipeline.sync.report import SyncReport, upsert


def assets_sync(course: Course, source: CourseSource, report: SyncReport) -> None:
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


def snapshots_sync(course: Course, source: CourseSource, root: Path) -> None:
    """Keep the text of every English file that can be translated, once per sha256: what a
    translation's source_hash names (courses.selectors.translation_changes). Old texts stay,
    so a translation made months ago can still be compared with today's English."""
    docs = []
    for module in source.modules:
        docs += [module.doc, *(lesson.doc for lesson in module.lessons)]
        docs += [module.glossary_doc] if module.glossary_doc is not None else []
        docs += list(module.extra_files.values())
    texts = {(doc.path, doc.content_hash): root.parent / doc.path for doc in docs}
    for path in english_diagrams(source.assets, source.folder):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        texts[(str(path.relative_to(root.parent)), digest)] = path
    known = set(
        SourceSnapshot.objects.filter(path__in=[path for path, _hash in texts]).values_list(
            "path", "sha256"
        )
    )
    SourceSnapshot.objects.bulk_create(
        SourceSnapshot(
            course=course, path=path, sha256=digest, text=file.read_text(encoding="utf-8")
        )
        for (path, digest), file in texts.items()
        if (path, digest) not in known
    )


def diagram_translations_sync(course: Course, source: CourseSource, root: Path) -> None:
    """A row per translated diagram (media/NAME.LANG.svg) of a module's media folder, with
    its staleness, for the trainers' list; the SVG itself is an asset like any image."""
    by_slug = {module.slug: module for module in Module.objects.filter(course=course)}
    modules = {
        module_source.folder.resolve(): by_slug[module_source.slug]
        for module_source in source.modules
    }
    keep = []
    for english in english_diagrams(source.assets, source.folder):
        module = modules.get(english.parent.parent.resolve())
        if module is None or english.parent.name != "media":
            continue  # a diagram outside a module's media folder is counted, not listed
        digest = hashlib.sha256(english.read_bytes()).hexdigest()
        for language, translated in diagram_translations(english).items():
            data = translated.read_bytes()
            rel = str(translated.relative_to(root.parent))
            upsert(
                DiagramTranslation,
                {"source_path": rel},
                {
                    "module": module,
                    "language": language,
                    "content_hash": hashlib.sha256(data).hexdigest(),
                    "source_hash": svg_source_hash(data) or "",
                    "is_stale": diagram_is_stale(data, digest),
                    "english_hash": digest,
                },
            )
            keep.append(rel)
    DiagramTranslation.objects.filter(module__course=course).exclude(source_path__in=keep).delete()
