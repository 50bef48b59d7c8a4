"""Back up the database and default storage into one timestamped folder.

    manage.py backup                  write BACKUP_DIR/<UTC time>/ (default var/backups/)
    manage.py backup --output DIR     write DIR/<UTC time>/ instead
    manage.py backup --dry-run        say what would be backed up; write nothing

The folder holds database.dump (pg_dump --format=custom of DATABASE_URL's database, by the
pg_dump of the server's major version), objects/ (every object of default storage, read
through the Storage API, named by its SHA-256) and manifest.json (each storage key with its
size and SHA-256, the dump's SHA-256, the applied migrations, the time, the version and git
commit). It holds personal data: the folder is readable by its owner only. Restore it with
`manage.py restore`; deploy/README.md has the schedule and the runbook.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and every object in default storage."

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="DIR", help="Folder for backups (BACKUP_DIR).")
        parser.add_argument("--dry-run", action="store_true", help="Write nothing.")

    def handle(self, *args, output: str | None, dry_run: bool, **options):
        try:
            report = backup_create(output=Path(output) if output else None, dry_run=dry_run)
        except BackupError as error:
            raise CommandError(f"backup failed: {error}") from error
        if report.dry_run:
            self.stdout.write(
                f"Would back up the database {report.database} and {report.objects} storage "
                f"objects ({report.object_bytes} bytes) into a new folder in {report.path}"
            )
            return
        for key in report.vanished:
            self.stdout.write(self.style.WARNING(f"{key} was deleted during the backup"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the database {report.database} ({report.dump_bytes} bytes) and "
                f"{report.objects} storage objects ({report.object_bytes} bytes) to {report.path}"
            )
        )
