"""Lessons: their versions (a new one per changed file) and their translations."""

from courses.models import (
    Lesson,
    LessonTranslation,
    LessonVersion,
    Module,
)
from courses.pipeline.source import (
    LessonSource,
)
from courses.pipeline.sync.report import SyncReport, upsert


def lesson_sync(
    module: Module, source: LessonSource, git_commit: str, report: SyncReport
) -> Lesson:
    label = f"lesson {module.course.slug}/{module.slug}/{source.slug}"
    lesson, status = upsert(
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
    lesson_translations_sync(lesson, source, report, label)
    return lesson


def lesson_translations_sync(
    lesson: Lesson, source: LessonSource, report: SyncReport, label: str
) -> None:
    for language, translation in source.translations.items():
        _obj, status = upsert(
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
