"""Restore a backup made by `manage.py backup` into an empty database and storage.

    manage.py restore BACKUP                      BACKUP: the backup's folder, or its name
                                                  under BACKUP_DIR
    manage.py restore BACKUP --dry-run            check everything, write nothing
    manage.py restore BACKUP --replace-existing   also into a database that has tables (the
                                                  backup's are dropped first) and over
                                                  storage keys that hold other content
    manage.py restore BACKUP --objects-only       the storage objects alone, the database
                                                  left as it is (after a point-in-time
                                                  recovery from the WAL archive)

Before writing anything it checks the dump's and every object's SHA-256 against the
manifest, that this code knows every migration the backup's database had, that the
database (DATABASE_URL) is empty and that no storage key holds other content. Then it puts
every object back through the Storage API, reading each back to check its SHA-256, and
restores the database with pg_restore in one transaction (owners and grants are not
restored: give the runtime role its grants again with `manage.py audit_db_roles`). Last it
writes a `backup.restore` audit row into the restored database. Any mismatch stops it with
a non-zero exit. Then run `manage.py audit_verify` and `manage.py certificates_verify`
(deploy/README.md, "Restore").
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup into an empty database and storage, checking every SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup folder, or its name under BACKUP_DIR.")
        parser.add_argument(
            "--replace-existing",
            action="store_true",
            help="Restore into a database with tables and over storage keys with other content.",
        )
        parser.add_argument(
            "--objects-only",
            action="store_true",
            help="Restore the storage objects only; leave the database as it is.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(
        self,
        *args,
        backup: str,
        replace_existing: bool,
        objects_only: bool,
        dry_run: bool,
        **options,
    ):
        path = Path(backup)
        if not path.is_dir() and (Path(settings.BACKUP_DIR) / backup).is_dir():
            path = Path(settings.BACKUP_DIR) / backup
        if not path.is_dir():
            raise CommandError(f"{backup}: no such backup folder.")
        try:
            report = backup_restore(
                path=path, replace=replace_existing, objects_only=objects_only, dry_run=dry_run
            )
        except BackupError as error:
            raise CommandError(f"restore failed: {error}") from error
        what = "" if report.objects_only else f"the database {report.database} and "
        if report.dry_run:
            self.stdout.write(
                f"Checked {path}: it would restore {what}{report.objects_restored} storage "
                f"objects ({report.objects_already_there} already there with the same content)"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {what}{report.objects_restored} storage objects from {path} "
                f"({report.objects_already_there} were already there with the same content)"
            )
        )
        if report.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"The restored database lacks {len(report.pending_migrations)} migration(s) "
                    "of this code: run `manage.py migrate`."
                )
            )
        if not report.audit_written:
            self.stdout.write(
                self.style.WARNING("No audit row written: migrate first, then record it.")
            )
