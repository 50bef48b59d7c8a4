"""Import content/ (courses, modules, lessons, quizzes) into the database.

    manage.py sync_content            import; when no file changed, only hashes are read
    manage.py sync_content --check    validate and render only, then the editorial review
                                      (courses.pipeline.editorial); path:line: message per error,
                                      and path:line: warning: ... for terms to look at
    manage.py sync_content --dry-run  import inside a transaction, report, roll back
    manage.py sync_content --force    re-import even if no file changed

Exits non-zero on any validation error; nothing is written unless everything is valid.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courses.pipeline.editorial import content_review
from courses.pipeline.sync import ContentInvalid, content_sync, content_validate
from courses.pipeline.translation_review import terminology_warnings


class Command(BaseCommand):
    help = "Validate and import the course content from content/."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Validate only; write nothing.")
        parser.add_argument("--dry-run", action="store_true", help="Import, report, roll back.")
        parser.add_argument("--force", action="store_true", help="Import even if nothing changed.")
        parser.add_argument("--path", type=Path, default=None, help="Content folder.")

    def handle(self, *args, check: bool, dry_run: bool, force: bool, path: Path | None, **options):
        root = path or settings.CONTENT_DIR
        if check:
            courses, errors = content_validate(root=root)
            self._fail_on(errors)
            self._fail_on(content_review(courses))
            for warning in terminology_warnings(courses):
                self.stderr.write(str(warning))
            lessons = sum(len(m.lessons) for c in courses for m in c.modules)
            self.stdout.write(
                self.style.SUCCESS(f"content OK: {len(courses)} course(s), {lessons} lesson(s)")
            )
            return
        try:
            report = content_sync(root=root, dry_run=dry_run, force=force)
        except ContentInvalid as exc:
            self._fail_on(exc.errors)
        if report.skipped:
            self.stdout.write(
                self.style.SUCCESS(f"no file changed ({report.unchanged} files checked by hash)")
            )
            return
        for label in report.created:
            self.stdout.write(f"created {label}")
        for label in report.updated:
            self.stdout.write(f"updated {label}")
        for label in report.removed:
            self.stdout.write(f"removed {label}")
        prefix = "dry run, rolled back: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{len(report.created)} created, {len(report.updated)} updated, "
                f"{report.unchanged} unchanged, {len(report.removed)} removed "
                f"(commit {report.git_commit[:12] or 'unknown'})"
            )
        )

    def _fail_on(self, errors) -> None:
        if not errors:
            return
        for error in errors:
            self.stderr.write(str(error))
        raise CommandError(f"{len(errors)} content error(s)")
