"""A hook through which core writes audit rows without importing accounts (a higher layer):
accounts registers its audit_log here when the app is ready. AuditContext carries the few
facts of a request an audit row needs, so services never take the request itself."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.clientip import client_ip

USER_AGENT_MAX = 256

_writer: Callable[..., Any] | None = None


@dataclass(frozen=True)
class AuditContext:
    """Where an action came from: the client's address (as the trusted proxy saw it), its
    user agent (truncated) and the request id that also appears in the access logs."""

    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""

    @classmethod
    def from_request(cls, request: Any) -> "AuditContext | None":
        """The context of one request; None without a request (a signal sent outside one)."""
        if request is None:
            return None
        return cls(
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
            request_id=getattr(request, "request_id", ""),
        )


def audit_writer_register(writer: Callable[..., Any]) -> None:
    global _writer
    _writer = writer


def audit(**fields: Any) -> Any:
    """Write one audit row through the registered writer (accounts.audit.audit_log)."""
    if _writer is None:
        raise RuntimeError("No audit writer registered: is the accounts app installed?")
    return _writer(**fields)
