"""The id of the request (or task) being served, in a context variable, so every log line
written while it runs can carry it without being handed it."""

import logging
from contextvars import ContextVar, Token

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Written into log lines that belong to no request (startup, beat, a management command).
NO_REQUEST_ID = "-"


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_bind(request_id: str | None) -> Token:
    """Set the id for what runs next in this context; hand the token to request_id_reset."""
    return _request_id.set(request_id)


def request_id_reset(token: Token) -> None:
    _request_id.reset(token)


def request_id_clear(**kwargs) -> None:
    """request_finished: the response has been sent, later lines belong to no request."""
    _request_id.set(None)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record a handler writes (records from every
    logger pass through the handler, so one filter there covers them all)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or NO_REQUEST_ID
        return True
