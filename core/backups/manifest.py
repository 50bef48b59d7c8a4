"""A backup's manifest.json: what it holds (the database dump and every storage object, each
with its size and SHA-256), the migrations the database had, and where it came from."""

import json
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from core.backups.errors import BackupError
from core.backups.objects import SHA256, StoredObject
from core.git import git_commit

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"


@dataclass
class Manifest:
    created_at: datetime
    database: dict
    migrations: dict[str, list[str]]
    objects: list[StoredObject]
    app: dict = field(default_factory=dict)
    vanished: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "format": FORMAT,
            "created_at": self.created_at.isoformat(),
            "app": self.app,
            "database": self.database,
            "migrations": self.migrations,
            "objects": [item.as_dict() for item in self.objects],
            "objects_vanished": self.vanished,
            "totals": {"objects": len(self.objects), "bytes": self.object_bytes},
        }

    @property
    def object_bytes(self) -> int:
        return sum(item.size for item in self.objects)

    def applied(self) -> set[tuple[str, str]]:
        return {(app, name) for app, names in self.migrations.items() for name in names}


def app_version() -> dict:
    """The project's version (pyproject.toml) and git commit, when they can be read."""
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            version = tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = ""
    return {"version": version, "git_commit": git_commit(Path(settings.BASE_DIR))}


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    """The database's django_migrations, by app: which code its schema belongs to."""
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def code_migrations() -> set[tuple[str, str]]:
    """Every migration this code has on disk (squashed ones and those they replace)."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def manifest_write(root: Path, manifest: Manifest) -> None:
    (root / MANIFEST).write_text(
        json.dumps(manifest.as_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def _object(entry: dict) -> StoredObject:
    key, size, sha256 = entry.get("key"), entry.get("size"), entry.get("sha256")
    if not isinstance(key, str) or not key or key.startswith("/") or ".." in key.split("/"):
        raise BackupError(f"manifest.json: {key!r} is not a storage key.")
    if not isinstance(size, int) or size < 0 or not isinstance(sha256, str):
        raise BackupError(f"manifest.json: the entry of {key} lacks its size or SHA-256.")
    if not SHA256.match(sha256):
        raise BackupError(f"manifest.json: the SHA-256 of {key} is not 64 hex digits.")
    return StoredObject(key, size, sha256)


def manifest_read(root: Path) -> Manifest:
    """The manifest of the backup at root, checked for shape (not yet against the files)."""
    path = root / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{path} not found: not a backup, or one that did not finish.") from error
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} cannot be read: {error}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown manifest format {data.get('format')!r}.")
    database = data.get("database") or {}
    if not SHA256.match(str(database.get("sha256", ""))):
        raise BackupError(f"{path}: the database dump has no SHA-256.")
    try:
        created_at = datetime.fromisoformat(data["created_at"])
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(f"{path}: created_at is missing or not a date.") from error
    return Manifest(
        created_at=created_at,
        database=database,
        migrations={app: list(names) for app, names in (data.get("migrations") or {}).items()},
        objects=[_object(entry) for entry in data.get("objects") or []],
        app=data.get("app") or {},
        vanished=list(data.get("objects_vanished") or []),
    )
