"""One JSON object per log line (production: LOG_FORMAT=json, the default when DEBUG is off),
for log shippers that should not have to parse prose. Standard library only: gunicorn's
master process formats its own lines with it too (deploy/gunicorn.conf.py)."""

import json
import logging
from datetime import UTC, datetime

from core.observability.context import NO_REQUEST_ID, current_request_id

# Attributes every LogRecord has; anything else on a record came from `extra=` and is kept.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "request_id", "taskName"}
)

# gunicorn's access log hands its fields over as a dict of "atoms" (deploy/gunicorn.conf.py
# names the ones it writes); these become fields of their own.
_GUNICORN_ATOMS = {
    "m": "method",
    "U": "path",
    "s": "status",
    "M": "duration_ms",
    "{x-forwarded-for}i": "client",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None)
            or current_request_id()
            or NO_REQUEST_ID,
            "process": record.process,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            for atom, field in _GUNICORN_ATOMS.items():
                if atom in atoms:
                    entry[field] = atoms[atom]
            # The id the site answered with: nginx's, or one the site made up.
            if atoms.get("{x-request-id}o", "-") != "-":
                entry["request_id"] = atoms["{x-request-id}o"]
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


# Libraries that say too much at INFO.
QUIET_LOGGERS = {"weasyprint": "ERROR", "fontTools": "ERROR", "axes": "WARNING"}


def logging_config(log_format: str, level: str) -> dict:
    """The LOGGING setting: one console handler whose lines carry the request id, as JSON
    objects (log_format "json") or readable text ("text")."""
    if log_format not in {"json", "text"}:
        raise ValueError(f"LOG_FORMAT must be json or text, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "core.observability.context.RequestIdFilter"}},
        "formatters": {
            "json": {"()": "core.observability.logs.JsonFormatter"},
            "text": {
                "format": "%(asctime)s %(levelname)s %(name)s [rid=%(request_id)s] %(message)s",
                "defaults": {"request_id": NO_REQUEST_ID},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {name: {"level": value} for name, value in QUIET_LOGGERS.items()},
    }
