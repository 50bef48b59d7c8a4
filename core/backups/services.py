"""Backup and restore of the whole site: the PostgreSQL database (pg_dump's custom format)
and every object in default storage, each checked against its SHA-256 on the way back."""

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.audit import audit
from core.backups.errors import BackupError
from core.backups.manifest import (
    DUMP,
    Manifest,
    app_version,
    applied_migrations,
    code_migrations,
    manifest_read,
    manifest_write,
)
from core.backups.objects import (
    file_sha256,
    object_restore,
    objects_check,
    objects_copy,
    objects_plan,
    storage_keys,
)
from core.backups.postgres import (
    client_tool,
    database_dump,
    database_name,
    database_relations,
    database_restore,
    server_version,
)

logger = logging.getLogger(__name__)


@dataclass
class BackupReport:
    path: Path
    database: str
    objects: int
    object_bytes: int
    dump_bytes: int = 0
    vanished: list[str] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class RestoreReport:
    path: Path
    database: str
    objects_restored: int = 0
    objects_already_there: int = 0
    pending_migrations: list[str] = field(default_factory=list)
    audit_written: bool = False
    objects_only: bool = False
    dry_run: bool = False


def _new_folder(output: Path, created_at) -> tuple[str, Path]:
    """A name for the backup (its UTC time) and the hidden folder it is written into; renamed
    to the name once complete, so a folder without the leading dot is a whole backup."""
    stamp = created_at.strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(100):
        name = stamp if attempt == 0 else f"{stamp}-{attempt}"
        if (output / name).exists():
            continue
        partial = output / f".{name}.partial"
        try:
            # The backup holds every officer's personal data: readable by its owner only.
            partial.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return name, partial
    raise BackupError(f"no free backup name for {stamp} in {output}")


def backup_create(
    *, output: Path | None = None, dry_run: bool = False, alias: str = "default"
) -> BackupReport:
    """Write one backup folder under output (BACKUP_DIR): database.dump, objects/ and
    manifest.json. The database is dumped first, then storage is copied: an object a row
    refers to was stored before that row committed, so every file the dump names is found."""
    output = Path(output or settings.BACKUP_DIR)
    database = database_name(alias)
    server = server_version(alias)
    tool = client_tool("pg_dump", server=server)
    if dry_run:
        keys = list(storage_keys(default_storage))
        size = sum(default_storage.size(key) for key in keys)
        return BackupReport(output, database, len(keys), size, dry_run=True)

    output.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now()
    name, partial = _new_folder(output, created_at)
    try:
        migrations = applied_migrations(alias)
        dump = partial / DUMP
        database_dump(path=dump, tool=tool, alias=alias)
        with dump.open("rb") as handle:
            dump_sha256, dump_bytes = file_sha256(handle)
        copied, vanished = objects_copy(storage=default_storage, root=partial)
        manifest = Manifest(
            created_at=created_at,
            database={
                "file": DUMP,
                "format": "custom",
                "name": database,
                "server_version": server,
                "pg_dump_version": tool.version,
                "sha256": dump_sha256,
                "size": dump_bytes,
            },
            migrations=migrations,
            objects=copied,
            app=app_version(),
            vanished=vanished,
        )
        manifest_write(partial, manifest)
        os.rename(partial, output / name)
    except Exception as error:
        shutil.rmtree(partial, ignore_errors=True)
        _audit_failure(name, error)
        raise
    audit(
        action="backup.create",
        details={
            "backup": name,
            "database_sha256": dump_sha256,
            "objects": len(copied),
            "object_bytes": manifest.object_bytes,
        },
    )
    return BackupReport(
        output / name, database, len(copied), manifest.object_bytes, dump_bytes, vanished
    )


def _audit_failure(name: str, error: Exception) -> None:
    """The failed backup's audit row; when the database itself is what failed, the log says
    so and the original error goes on up."""
    try:
        audit(
            action="backup.create",
            outcome="failure",
            details={"backup": name, "error": f"{type(error).__name__}: {error}"[:500]},
        )
    except DatabaseError:
        logger.exception("The failed backup %s could not be recorded in the audit trail", name)


def _check_dump(path: Path, manifest: Manifest) -> Path:
    dump = path / DUMP
    if not dump.is_file():
        raise BackupError(f"{dump} is missing.")
    with dump.open("rb") as handle:
        sha256, size = file_sha256(handle)
    if sha256 != manifest.database["sha256"]:
        raise BackupError(
            f"{dump} has SHA-256 {sha256} ({size} bytes), the manifest says "
            f"{manifest.database['sha256']}: the dump was changed or damaged."
        )
    return dump


def _check_migrations(manifest: Manifest) -> None:
    unknown = sorted(manifest.applied() - code_migrations())
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        commit = manifest.app.get("git_commit") or "unknown"
        raise BackupError(
            f"the backup's database has {len(unknown)} migration(s) this code does not know "
            f"({names}): restore it with the code it was made with (git commit {commit})."
        )


def _pending_migrations(alias: str) -> list[str]:
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def backup_restore(
    *,
    path: Path,
    replace: bool = False,
    objects_only: bool = False,
    dry_run: bool = False,
    alias: str = "default",
) -> RestoreReport:
    """Restore the backup at path into the configured database and default storage.

    Everything is checked before anything is written: the dump's and every object's SHA-256
    against the manifest, the migrations against this code, no key in storage holding other
    content, and the database empty (`replace` allows both). Then the objects go back,
    each read back and hashed, and last the database, in one transaction. A failed run can
    be run again: objects already back are skipped, and the database is still empty.

    `objects_only` puts back the objects alone and leaves the database as it is: after a
    point-in-time recovery of the database from the WAL archive (deploy/README.md)."""
    path = Path(path)
    manifest = manifest_read(path)
    if not objects_only:
        _check_dump(path, manifest)
    objects_check(root=path, objects=manifest.objects)
    if not objects_only:
        _check_migrations(manifest)
    plan = objects_plan(storage=default_storage, objects=manifest.objects)
    if plan["different"] and not replace:
        raise BackupError(
            f"{len(plan['different'])} key(s) in storage hold other content than the backup "
            f"({', '.join(plan['different'][:5])}). Restore into an empty storage location, "
            "or pass --replace-existing to overwrite them."
        )
    database = database_name(alias)
    count, names = (0, []) if objects_only else database_relations(alias)
    if count and not replace:
        raise BackupError(
            f"the database {database} is not empty ({count} tables, views or sequences: "
            f"{', '.join(names)}...). Restore into a new, empty database, or pass "
            "--replace-existing to drop the backup's tables first."
        )
    tool = client_tool("pg_restore", server=server_version(alias))
    report = RestoreReport(path, database, objects_only=objects_only, dry_run=dry_run)
    if dry_run:
        report.objects_restored = len(plan["new"]) + len(plan["different"])
        report.objects_already_there = len(plan["same"])
        return report

    for item in manifest.objects:
        if object_restore(storage=default_storage, root=path, item=item, replace=replace):
            report.objects_restored += 1
        else:
            report.objects_already_there += 1
    if not objects_only:
        database_restore(path=path / DUMP, tool=tool, replace=replace, alias=alias)
    report.pending_migrations = _pending_migrations(alias)
    report.audit_written = _audit_restore(path, manifest, report, objects_only=objects_only)
    return report


def _audit_restore(
    path: Path, manifest: Manifest, report: RestoreReport, *, objects_only: bool
) -> bool:
    """The restore's audit row, in the restored database, chained onto its last row. A
    backup older than the audit table's current columns cannot take it until `migrate` runs:
    then the report says so."""
    try:
        with transaction.atomic():
            audit(
                action="backup.restore",
                details={
                    "backup": path.name,
                    "backup_created_at": manifest.created_at.isoformat(),
                    "database_sha256": manifest.database["sha256"],
                    "objects_restored": report.objects_restored,
                    "objects_already_there": report.objects_already_there,
                    "objects_only": objects_only,
                },
            )
    except DatabaseError:
        if not report.pending_migrations:
            raise
        return False
    return True
