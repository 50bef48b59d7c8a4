"""Signed checkpoints of the audit chain's head (last id, its hash, the time), kept outside the
database in default storage and emailed to staff, and checking the table against one: a cut
tail, a truncated table or a chain recomputed without the key all show."""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_hmac_key, row_hmac
from accounts.models import AuditEvent

logger = logging.getLogger(__name__)

CHECKPOINT_DIR = "audit-checkpoints"
CHECKPOINT_FORMAT = "cryptocops-audit-checkpoint/1"


class CheckpointError(Exception):
    """The checkpoint cannot be read, or its signature does not match."""


@dataclass(frozen=True)
class Checkpoint:
    last_id: int
    row_hash: str
    created_at: datetime

    def body(self) -> dict:
        return {
            "format": CHECKPOINT_FORMAT,
            "last_id": self.last_id,
            "row_hash": self.row_hash,
            "created_at": self.created_at.astimezone(UTC).isoformat(),
        }


def checkpoint_key() -> bytes:
    """AUDIT_CHECKPOINT_KEY when set (it can then stay off the web nodes), else the chain's
    own key."""
    key = settings.AUDIT_CHECKPOINT_KEY
    return key.encode() if key else audit_hmac_key()


def _signature(body: dict, key: bytes) -> str:
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, encoded, hashlib.sha256).hexdigest()


def checkpoint_dumps(checkpoint: Checkpoint) -> bytes:
    """The checkpoint as a signed JSON document (HMAC-SHA256 of its canonical body)."""
    body = checkpoint.body()
    document = {"checkpoint": body, "signature": _signature(body, checkpoint_key())}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def checkpoint_loads(data: bytes) -> Checkpoint:
    """Read a signed checkpoint; CheckpointError if it is malformed or its signature does not
    match the checkpoint key."""
    try:
        document = json.loads(data)
        body, signature = document["checkpoint"], document["signature"]
        if body["format"] != CHECKPOINT_FORMAT:
            raise CheckpointError(f"unknown checkpoint format {body['format']!r}")
        checkpoint = Checkpoint(
            last_id=int(body["last_id"]),
            row_hash=str(body["row_hash"]),
            created_at=datetime.fromisoformat(body["created_at"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"not a checkpoint file ({exc.__class__.__name__})") from exc
    if not hmac.compare_digest(str(signature), _signature(body, checkpoint_key())):
        raise CheckpointError(
            "its signature does not match: the file was altered, or signed with another key"
        )
    return checkpoint


def checkpoint_read(source: str) -> Checkpoint:
    """A checkpoint from a local file (a copy kept offline or emailed) or, failing that, from
    default storage by its name there."""
    path = Path(source)
    if path.is_file():
        return checkpoint_loads(path.read_bytes())
    if default_storage.exists(source):
        with default_storage.open(source, "rb") as stored:
            return checkpoint_loads(stored.read())
    raise CheckpointError(f"no file or stored checkpoint named {source!r}")


def _storage_name(checkpoint: Checkpoint) -> tuple[str, bool]:
    """Where this checkpoint goes (one folder per UTC day), and whether a checkpoint of the
    same head is already stored that day."""
    when = checkpoint.created_at.astimezone(UTC)
    folder = f"{CHECKPOINT_DIR}/{when:%Y-%m-%d}"
    name = f"{folder}/{when:%Y%m%dT%H%M%SZ}-{checkpoint.last_id}.json"
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        files = []
    return name, any(file.endswith(f"-{checkpoint.last_id}.json") for file in files)


def audit_checkpoint_write() -> str | None:
    """Sign the chain's head and store it; email it to AUDIT_CHECKPOINT_EMAILS. Returns the
    stored name, or None when there is nothing new: an empty table, a head already
    checkpointed today (so a second run writes nothing), or a head that is not keyed.

    The checkpoint is no database write, so it leaves no audit row (one would move the head,
    and every run would then find a new head to checkpoint)."""
    head = AuditEvent.objects.order_by("-id").first()
    if head is None:
        return None
    if not hmac.compare_digest(row_hmac(head, head.prev_hash, key=audit_hmac_key()), head.row_hash):
        # Only a keyed head is worth anchoring: right after the upgrade the head may still be
        # a legacy link (the next keyed row fixes that); otherwise the head was forged.
        logger.error("Audit event %s is not keyed with AUDIT_HMAC_KEY: no checkpoint", head.pk)
        return None
    checkpoint = Checkpoint(last_id=head.pk, row_hash=head.row_hash, created_at=timezone.now())
    name, already_stored = _storage_name(checkpoint)
    if already_stored:
        return None
    data = checkpoint_dumps(checkpoint)
    name = default_storage.save(name, ContentFile(data))
    if settings.AUDIT_CHECKPOINT_EMAILS:
        _email(checkpoint, name, data)
    return name


def _email(checkpoint: Checkpoint, name: str, data: bytes) -> None:
    facts = {
        "last_id": checkpoint.last_id,
        "row_hash": checkpoint.row_hash,
        "created_at": checkpoint.body()["created_at"],
        "name": name,
    }
    message = EmailMessage(
        subject=_("Audit checkpoint: event %(last_id)s") % facts,
        body=_(
            "The audit trail's head at %(created_at)s: event %(last_id)s, hash %(row_hash)s.\n"
            "Stored as %(name)s. Keep the attached signed file: to check that the trail was "
            "not cut, truncated or rewritten since, run\n"
            "manage.py audit_verify --checkpoint FILE\n"
        )
        % facts,
        to=settings.AUDIT_CHECKPOINT_EMAILS,
    )
    message.attach(name.rsplit("/", 1)[-1], data, "application/json")
    message.send()


def checkpoint_problem(*, checkpoint: Checkpoint) -> str:
    """Why the table no longer holds the checkpoint's head; "" when it does. The rest of the
    chain (every link and keyed hash up to and past that row) is audit_chain_verify's job.
    For the operator running audit_verify, like its other messages: not translated."""
    last_id = checkpoint.last_id
    row = AuditEvent.objects.filter(pk=last_id).values_list("row_hash", flat=True).first()
    if row is None:
        newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        if newest is None:
            return "the audit table is empty: it was truncated"
        if newest < last_id:
            return (
                f"the newest row is event {newest}: the rows from event {last_id} on were "
                "deleted (the tail was cut)"
            )
        return f"event {last_id} is missing: it was deleted"
    if not hmac.compare_digest(row, checkpoint.row_hash):
        return (
            f"event {last_id} no longer carries the checkpoint's hash: the chain up to it was "
            "rewritten (recomputed without AUDIT_HMAC_KEY, or with another key)"
        )
    return ""
