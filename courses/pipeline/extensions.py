"""Content kept under content/ but owned by a higher app (requirement sets, say), checked and
imported with the courses without the pipeline importing that app.

An app registers once, from its AppConfig.ready():
- validate(root=..., courses=..., errors=...): appends ContentError for its files, given the
  parsed courses (to check references to them); writes nothing (sync_content --check);
- sync(root=..., courses=..., report=...): upserts its rows inside content_sync's transaction, after the
  courses, adding labels to the SyncReport; raises ContentInvalid to refuse the whole import.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ContentExtension:
    name: str
    validate: Callable[..., None]
    sync: Callable[..., None]


_extensions: dict[str, ContentExtension] = {}


def content_extension_register(name: str, *, validate: Callable, sync: Callable) -> None:
    """Register (or, on a second ready(), replace) the extension called `name`."""
    _extensions[name] = ContentExtension(name=name, validate=validate, sync=sync)


def content_extensions() -> list[ContentExtension]:
    return [_extensions[name] for name in sorted(_extensions)]
