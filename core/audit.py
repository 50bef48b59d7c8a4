"""A hook through which core writes audit rows without importing accounts (a higher layer):
accounts registers its audit_log here when the app is ready."""

from collections.abc import Callable
from typing import Any

_writer: Callable[..., Any] | None = None


def audit_writer_register(writer: Callable[..., Any]) -> None:
    global _writer
    _writer = writer


def audit(**fields: Any) -> Any:
    """Write one audit row through the registered writer (accounts.audit.audit_log)."""
    if _writer is None:
        raise RuntimeError("No audit writer registered: is the accounts app installed?")
    return _writer(**fields)
