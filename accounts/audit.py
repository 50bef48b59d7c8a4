"""The append-only audit trail, each row chained to the one before by an HMAC-SHA256 keyed
from the environment (AUDIT_HMAC_KEY): writing a row and verifying the chain."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from accounts.models import Agency, AuditEvent, User
from core.audit import AuditContext

# Any constant: serialises audit writers so each row chains onto the one before it.
_CHAIN_LOCK = 727_274_001


def _row_payload(event: AuditEvent, prev_hash: str) -> bytes:
    """One row's facts and the previous row's hash, as the bytes that are hashed."""
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
    # Hashed only when present, so rows written before these fields existed (and rows written
    # outside a request) hash exactly as they always did.
    if event.user_agent:
        payload["user_agent"] = event.user_agent
    if event.request_id:
        payload["request_id"] = event.request_id
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def row_digest(event: AuditEvent, prev_hash: str) -> str:
    """The legacy, unkeyed link: plain SHA-256 of the row. Rows written before the chain was
    keyed carry it; anyone can recompute it, so it is accepted only at the start of the chain
    (see audit_chain_verify)."""
    return hashlib.sha256(_row_payload(event, prev_hash)).hexdigest()


def audit_hmac_key() -> bytes:
    """The chain's key, from the environment, never from the database."""
    key = settings.AUDIT_HMAC_KEY
    if not key:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY must be set to write or verify audit rows.")
    return key.encode()


def row_hmac(event: AuditEvent, prev_hash: str, *, key: bytes) -> str:
    """The keyed link: HMAC-SHA256 of the row's facts and the previous row's hash."""
    return hmac.new(key, _row_payload(event, prev_hash), hashlib.sha256).hexdigest()


def audit_log(
    *,
    action: str,
    actor: User | None = None,
    target: models.Model | None = None,
    agency: Agency | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    context: AuditContext | None = None,
) -> AuditEvent:
    """Append one audit row, chained to the previous one. Callers pass ids and facts,
    never secrets. The context (a request's address, user agent and id) says where it came
    from."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None
    context = context or AuditContext()
    event = AuditEvent(
        action=action,
        actor=actor,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        agency=agency,
        outcome=outcome,
        details=details or {},
        ip_address=context.ip,
        user_agent=context.user_agent,
        request_id=context.request_id,
    )
    key = audit_hmac_key()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        previous = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
        event.prev_hash = previous or ""
        # Round-trip details through JSON so the stored value hashes the same when read back.
        event.details = json.loads(json.dumps(event.details, default=str))
        event.row_hash = row_hmac(event, event.prev_hash, key=key)
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the chain found. `legacy` rows (ids `legacy_first_id` to
    `legacy_last_id`) are plain SHA-256 links from before the chain was keyed; `last_id` and
    `last_hash` are the head the walk reached."""

    checked: int
    broken_at: int | None = None
    reason: str = ""
    keyed: int = 0
    legacy: int = 0
    legacy_first_id: int | None = None
    legacy_last_id: int | None = None
    last_id: int | None = None
    last_hash: str = ""


def audit_chain_verify(*, batch: int = 2000, legacy_last_id: int | None = None) -> ChainReport:
    """Walk the chain in id order; report the first row whose link or hash does not match.

    Each row must carry the HMAC of its facts and the previous row's hash under
    AUDIT_HMAC_KEY. Plain SHA-256 links (written before the chain was keyed) are accepted only
    as an unbroken run at the start of the chain, and, when `legacy_last_id` is given (the
    AUDIT_LEGACY_LAST_ID setting), only up to that id: a chain recomputed without the key
    can otherwise only pass as all-legacy, which the report shows."""
    if legacy_last_id is None:
        legacy_last_id = settings.AUDIT_LEGACY_LAST_ID
    key = audit_hmac_key()
    previous = ""
    checked = keyed = legacy = 0
    legacy_first = legacy_last = None
    last_id = 0

    def broken(event: AuditEvent, reason: str) -> ChainReport:
        return ChainReport(
            checked, event.pk, reason, keyed, legacy, legacy_first, legacy_last, last_id or None
        )

    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return ChainReport(
                checked,
                keyed=keyed,
                legacy=legacy,
                legacy_first_id=legacy_first,
                legacy_last_id=legacy_last,
                last_id=last_id or None,
                last_hash=previous,
            )
        for event in rows:
            if event.prev_hash != previous:
                return broken(event, "its previous-hash does not match the row before it")
            if hmac.compare_digest(row_hmac(event, event.prev_hash, key=key), event.row_hash):
                keyed += 1
            elif row_digest(event, event.prev_hash) != event.row_hash:
                return broken(event, "its contents do not match its keyed hash")
            elif keyed:
                return broken(
                    event,
                    "it is an unkeyed (plain SHA-256) link after keyed ones: it was "
                    "written without AUDIT_HMAC_KEY",
                )
            elif legacy_last_id is not None and event.pk > legacy_last_id:
                return broken(
                    event,
                    "it is an unkeyed (plain SHA-256) link after AUDIT_LEGACY_LAST_ID: "
                    "it was written without AUDIT_HMAC_KEY",
                )
            else:
                legacy += 1
                legacy_first = legacy_first or event.pk
                legacy_last = event.pk
            previous = event.row_hash
            checked += 1
            last_id = event.pk


# Reads for the audit search page and its CSV export.


@dataclass(frozen=True)
class AuditScope:
    """Which audit rows a viewer may read: every row, or the rows of some agencies."""

    all_rows: bool
    agencies: tuple[Agency, ...] = ()

    @property
    def agency_ids(self) -> list[int]:
        return [agency.pk for agency in self.agencies]

    def agency_choices(self) -> QuerySet[Agency]:
        """The agencies the viewer may filter by."""
        if self.all_rows:
            return Agency.objects.order_by("name")
        return Agency.objects.filter(pk__in=self.agency_ids).order_by("name")

    def only_agency(self) -> Agency | None:
        """The one agency of a viewer limited to a single agency, else None."""
        return self.agencies[0] if len(self.agencies) == 1 else None


def audit_events_search(
    *,
    scope: AuditScope,
    action: str = "",
    action_prefix: bool = False,
    actor_email: str = "",
    outcome: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    agency: Agency | None = None,
) -> QuerySet[AuditEvent]:
    """Audit rows within the scope, newest first, filtered; `until` is exclusive."""
    events = (
        AuditEvent.objects.select_related("actor", "agency")
        # The details as JSON text, rendered by the database, for the page and the CSV.
        .annotate(details_json=Cast("details", output_field=TextField()))
        .order_by("-created_at", "-id")
    )
    if not scope.all_rows:
        events = events.filter(agency_id__in=scope.agency_ids)
    if action and action_prefix:
        events = events.filter(action__startswith=action)
    elif action:
        events = events.filter(action=action)
    if actor_email:
        events = events.filter(actor__email__iexact=actor_email)
    if outcome:
        events = events.filter(outcome=outcome)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    if agency is not None:
        events = events.filter(agency=agency)
    return events
