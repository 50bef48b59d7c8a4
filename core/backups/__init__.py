"""Backup and restore of the database and default storage (manage.py backup / restore)."""

from core.backups.errors import BackupError
from core.backups.services import BackupReport, RestoreReport, backup_create, backup_restore

__all__ = ["BackupError", "BackupReport", "RestoreReport", "backup_create", "backup_restore"]
