"""The objects of default storage (certificate PDFs, audit checkpoints, exports) in a backup:
walked, copied and put back through the Storage API only, so the same code serves the local
file system and S3-compatible buckets. A backup keeps each object once, named by its SHA-256
(objects/ab/ab12...), so a manifest key is never a path on the backup's disk."""

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage

from core.backups.errors import BackupError

CHUNK = 1024 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str

    def as_dict(self) -> dict:
        return {"key": self.key, "size": self.size, "sha256": self.sha256}


def storage_keys(storage: Storage, prefix: str = "") -> Iterator[str]:
    """Every key under prefix, depth first, in name order. listdir is the API both storages
    share: folders on disk, "/"-delimited prefixes in a bucket."""
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        # A local storage whose root was never created holds nothing yet.
        return
    # A bucket may hold empty "folder/" marker objects: they list with an empty name.
    for name in sorted(name for name in files if name):
        yield f"{prefix}/{name}" if prefix else name
    for folder in sorted(folders):
        yield from storage_keys(storage, f"{prefix}/{folder}" if prefix else folder)


def object_path(root: Path, sha256: str) -> Path:
    if not SHA256.match(sha256):
        raise BackupError(f"{sha256!r} is not a SHA-256 in hex.")
    return root / "objects" / sha256[:2] / sha256


def file_sha256(handle) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def object_copy(*, storage: Storage, key: str, root: Path) -> StoredObject | None:
    """Copy one object into the backup, hashing as it streams; None when it vanished between
    the listing and the read (deleted meanwhile: there is nothing to keep)."""
    digest, size = hashlib.sha256(), 0
    fd, temporary = tempfile.mkstemp(dir=root, prefix=".object-")
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                source = storage.open(key, "rb")
            except FileNotFoundError:
                return None
            with source:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        sha256 = digest.hexdigest()
        target = object_path(root, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return StoredObject(key, size, sha256)


def objects_copy(*, storage: Storage, root: Path) -> tuple[list[StoredObject], list[str]]:
    """Every object of storage into the backup: what was copied, and the keys that vanished
    while the copy ran."""
    copied, vanished = [], []
    for key in storage_keys(storage):
        stored = object_copy(storage=storage, key=key, root=root)
        if stored is None:
            vanished.append(key)
        else:
            copied.append(stored)
    return copied, vanished


def objects_check(*, root: Path, objects: list[StoredObject]) -> None:
    """Every object's copy in the backup is there and hashes to the manifest's SHA-256."""
    problems = []
    for item in objects:
        path = object_path(root, item.sha256)
        if not path.is_file():
            problems.append(f"{item.key}: its copy {path} is missing")
            continue
        with path.open("rb") as handle:
            sha256, size = file_sha256(handle)
        if sha256 != item.sha256 or size != item.size:
            problems.append(
                f"{item.key}: the backup's copy has SHA-256 {sha256} ({size} bytes), "
                f"the manifest says {item.sha256} ({item.size} bytes)"
            )
    if problems:
        raise BackupError(
            f"{len(problems)} object(s) in the backup do not match its manifest:\n  "
            + "\n  ".join(problems[:20])
        )


def stored_sha256(storage: Storage, key: str) -> str | None:
    """The SHA-256 of the object at key in storage; None when there is none."""
    try:
        handle = storage.open(key, "rb")
    except FileNotFoundError:
        return None
    with handle:
        return file_sha256(handle)[0]


def objects_plan(*, storage: Storage, objects: list[StoredObject]) -> dict[str, list[str]]:
    """What a restore would do with each object: "new" (absent from storage), "same" (already
    there with the same content) or "different" (there with other content)."""
    plan: dict[str, list[str]] = {"new": [], "same": [], "different": []}
    for item in objects:
        if not storage.exists(item.key):
            plan["new"].append(item.key)
            continue
        sha256 = stored_sha256(storage, item.key)
        plan["same" if sha256 == item.sha256 else "different"].append(item.key)
    return plan


def object_restore(*, storage: Storage, root: Path, item: StoredObject, replace: bool) -> bool:
    """Put one object back under its own key and read it back: its SHA-256 must be the
    manifest's. Returns False when the same content was already there."""
    existing = stored_sha256(storage, item.key)
    if existing == item.sha256:
        return False
    if existing is not None:
        if not replace:
            raise BackupError(
                f"{item.key} is already in storage with other content; "
                "--replace-existing overwrites it."
            )
        storage.delete(item.key)
    with object_path(root, item.sha256).open("rb") as handle:
        name = storage.save(item.key, File(handle, name=item.key))
    if name != item.key:
        raise BackupError(f"storage saved {item.key} as {name}: the key must not change.")
    restored = stored_sha256(storage, item.key)
    if restored != item.sha256:
        raise BackupError(
            f"{item.key} reads back from storage with SHA-256 {restored}, "
            f"the manifest says {item.sha256}."
        )
    return True
