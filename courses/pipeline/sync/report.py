"""What an import reports, the error that stops it, and the one way it writes a row."""

from dataclasses import dataclass, field

from courses.pipeline.source import (
    ContentError,
)


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
    # True when every file's hash matched the last sync and nothing was parsed.
    skipped: bool = False

    def add(self, label: str, status: str) -> None:
        if status == "created":
            self.created.append(label)
        elif status == "updated":
            self.updated.append(label)
        else:
            self.unchanged += 1


def upsert(model, lookup: dict, values: dict):
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
