"""Writes for courses: importing content/, enrolling, completing lessons and courses."""

import logging
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_log
from courses.completion import requirements_met
from courses.content import MODULE_FILES, ContentError, CourseSource, load_content, render_markdown
from courses.models import Course, Enrollment, Lesson, LessonProgress, LessonVersion, Module
from courses.signals import course_completed

logger = logging.getLogger(__name__)


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


def _sync_lesson(module: Module, source, git_commit: str, report: SyncReport) -> Lesson:
    lesson, status = _upsert(
        Lesson,
        {"module": module, "slug": source.slug},
        {
            "title": source.title,
            "order": source.order,
            "minutes": source.minutes,
            "access": source.access,
        },
    )
    doc = source.doc
    current = lesson.current_version
    if current is not None and current.content_hash == doc.content_hash:
        report.add(f"lesson {module.course.slug}/{module.slug}/{source.slug}", status)
        return lesson
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
            body_html=render_markdown(doc.body),
            is_material=source.material,
        )
    lesson.current_version = version
    lesson.save(update_fields=["current_version"])
    report.add(
        f"lesson {module.course.slug}/{module.slug}/{source.slug}",
        "created" if status == "created" else "updated",
    )
    return lesson


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
                        obj.source_path if hasattr(obj, "source_path") else label,
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
                "intro_html": render_markdown(module_source.doc.body),
                "source_path": module_source.doc.path,
                "content_hash": module_source.doc.content_hash,
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
        for filename, handler in MODULE_FILES.items():
            doc = module_source.extra_files.get(filename)
            status = handler.sync(module=module, doc=doc)
            if status != "absent":
                report.add(f"{filename} {source.slug}/{module_source.slug}", status)
    _remove_missing(
        Module.objects.filter(course=course),
        {module.slug for module in source.modules},
        f"module {source.slug}/",
        report,
    )
    return course


def content_sync(*, root: Path | None = None, dry_run: bool = False) -> SyncReport:
    """Import content/ into the database: all of it or, on any error, none of it.

    Markdown is rendered here, once; requests only read the stored HTML. Lesson and module
    removals fail (ProtectedError) while officers' progress still points at them.
    """
    root = root or settings.CONTENT_DIR
    courses, errors = load_content(root)
    if errors:
        raise ContentInvalid(errors)
    report = SyncReport(git_commit=_git_commit(root))
    with transaction.atomic():
        for source in courses:
            _sync_course(source, report.git_commit, report)
        Course.objects.exclude(slug__in={source.slug for source in courses}).update(
            is_published=False
        )
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


@transaction.atomic
def enrollment_create(*, user: User, course: Course, request=None) -> Enrollment:
    """Enroll an officer; enrolling twice returns the existing enrollment."""
    enrollment, created = Enrollment.objects.get_or_create(user=user, course=course)
    if created:
        audit_log(action="enrollment.create", actor=user, target=enrollment, request=request)
    return enrollment


@transaction.atomic
def lesson_complete(*, enrollment: Enrollment, lesson: Lesson, request=None) -> LessonProgress:
    """Mark a lesson read at its current version; idempotent. May complete the course."""
    if lesson.module.course_id != enrollment.course_id:
        raise ValueError("The lesson does not belong to the enrolled course.")
    if lesson.current_version_id is None:
        raise ValueError("The lesson has no imported text yet.")
    progress, created = LessonProgress.objects.get_or_create(
        enrollment=enrollment,
        lesson=lesson,
        defaults={"version_id": lesson.current_version_id},
    )
    if created:
        audit_log(
            action="lesson.complete",
            actor=enrollment.user,
            target=progress,
            details={"lesson_id": lesson.pk, "version_id": lesson.current_version_id},
            request=request,
        )
        enrollment_evaluate_completion(enrollment=enrollment, request=request)
    return progress


@transaction.atomic
def enrollment_evaluate_completion(*, enrollment: Enrollment, request=None) -> bool:
    """Complete the course when every lesson is read and every requirement is met.

    The row lock makes two concurrent evaluations complete (and certify) only once.
    """
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.completed_at is not None:
        return False
    lesson_total = Lesson.objects.filter(module__course_id=enrollment.course_id).count()
    done = LessonProgress.objects.filter(enrollment=enrollment).count()
    if lesson_total == 0 or done < lesson_total or not requirements_met(enrollment):
        return False
    enrollment.completed_at = timezone.now()
    enrollment.save(update_fields=["completed_at"])
    audit_log(action="course.complete", actor=enrollment.user, target=enrollment, request=request)
    course_completed.send(sender=Enrollment, enrollment=enrollment)
    return True
