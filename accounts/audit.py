"""The append-only, hash-chained audit trail: writing a row and verifying the chain."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest

from accounts.models import Agency, AuditEvent, User

# Any constant: serialises audit writers so each row chains onto the one before it.
_CHAIN_LOCK = 727_274_001


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def row_digest(event: AuditEvent, prev_hash: str) -> str:
    """The hash of one row's facts and the previous row's hash."""
    payload = {
        "created_at": event.created_at.isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "agency": event.agency_id,
        "ip": event.ip_address,
        "outcome": event.outcome,
        "details": event.details,
        "prev": prev_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def audit_log(
    *,
    action: str,
    actor: User | None = None,
    target: models.Model | None = None,
    agency: Agency | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one audit row, chained to the previous one. Callers pass ids and facts,
    never secrets."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None
    event = AuditEvent(
        action=action,
        actor=actor,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        agency=agency,
        outcome=outcome,
        details=details or {},
        ip_address=client_ip(request),
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        previous = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
        event.prev_hash = previous or ""
        # Round-trip details through JSON so the stored value hashes the same when read back.
        event.details = json.loads(json.dumps(event.details, default=str))
        event.row_hash = row_digest(event, event.prev_hash)
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""


def audit_chain_verify(*, batch: int = 2000) -> ChainReport:
    """Walk the chain in id order; report the first row whose hash or link does not match."""
    previous = ""
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return ChainReport(checked=checked)
        for event in rows:
            if event.prev_hash != previous:
                return ChainReport(
                    checked, event.pk, "its previous-hash does not match the row before it"
                )
            if row_digest(event, event.prev_hash) != event.row_hash:
                return ChainReport(checked, event.pk, "its contents do not match its hash")
            previous = event.row_hash
            checked += 1
            last_id = event.pk
