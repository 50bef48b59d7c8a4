"""Writes for training records: the signed PDF transcript (a Transcript row with its serial,
the audit chain's head and the SHA-256 of its lines and of the PDF), and the audit row of
every download."""

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from accounts.audit import audit_log
from accounts.models import AuditEvent, User
from core.audit import AuditContext
from core.pdf import render_pdf
from core.qr import qr_png_data_uri
from core.signing import sign_pdf
from reports.models import Transcript
from reports.selectors.transcripts import (
    officer_agency,
    training_record,
    transcript_columns,
    transcript_rows,
)

STYLESHEET = "reports/transcript_pdf.css"
# The visible signature line: top of the first page (PDF points from the bottom left of the
# A4 portrait page, 595 x 842), in the band the stylesheet leaves empty there.
SIGNATURE_BOX = (57, 770, 538, 806)
SIGNATURE_LINE = "Digitally signed by %(issuer)s - transcript %(serial)s"


def _cell_json(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def lines_sha256(rows: list[list]) -> str:
    """SHA-256 of the lines as canonical JSON (sorted, compact, UTF-8; dates in UTC ISO 8601,
    numbers as decimal strings), so a verifier can recompute it from a copy."""
    text = json.dumps(rows, default=_cell_json, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def transcript_verify_url(transcript: Transcript) -> str:
    path = reverse("reports:transcript_verify", kwargs={"token": transcript.verify_token})
    return f"{settings.SITE_URL}{path}"


def _pdf_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


@transaction.atomic
def transcript_create(
    *, officer: User, actor: User, language: str, context: AuditContext | None = None
) -> Transcript:
    """Make, sign and store one officer's PDF transcript in one transaction: read the record,
    then the audit chain's head (each line names its own audit event, all of them at or
    before that head), render and sign the PDF, store it with its SHA-256, audit it."""
    with translation.override(language):
        record = training_record(officer=officer)
        columns = transcript_columns()
        rows = transcript_rows(record)
    # The head is read after the lines: audit rows are written one at a time under the
    # chain's lock, in id order, so every event a line names is at or before this head.
    head = AuditEvent.objects.order_by("-id").values_list("id", "row_hash").first()
    head_id, head_hash = head if head else (None, "")
    transcript = Transcript(
        user=officer,
        created_by=actor,
        language=language,
        audit_head_id=head_id,
        audit_head_hash=head_hash,
        lines=len(rows),
        content_sha256=lines_sha256(rows),
    )
    verify_url = transcript_verify_url(transcript)
    pdf = render_pdf(
        "reports/transcripts/transcript_pdf.html",
        {
            "transcript": transcript,
            "officer": officer,
            "record": record,
            "columns": columns,
            "rows": [[_pdf_cell(cell) for cell in row] for row in rows],
            "verify_url": verify_url,
            "qr": qr_png_data_uri(verify_url),
            "issuer": settings.CERT_ISSUER_NAME,
            "made_at": transcript.created_at.astimezone(UTC),
        },
        language=language,
        stylesheets=(STYLESHEET,),
    )
    signed = sign_pdf(
        pdf,
        stamp_text=SIGNATURE_LINE
        % {"issuer": settings.CERT_ISSUER_NAME, "serial": transcript.serial},
        box=SIGNATURE_BOX,
        reason=f"Training record {transcript.serial}",
        location=settings.SITE_URL,
    )
    transcript.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    transcript.pdf.save(f"{transcript.serial}.pdf", ContentFile(signed), save=False)
    transcript.save(force_insert=True)
    audit_log(
        action="transcript.create",
        actor=actor,
        target=transcript,
        agency=officer_agency(officer),
        details={
            "officer_id": officer.pk,
            "serial": transcript.serial,
            "lines": transcript.lines,
            "language": language,
            "audit_head_id": head_id,
            "content_sha256": transcript.content_sha256,
            "pdf_sha256": transcript.pdf_sha256,
        },
        context=context,
    )
    return transcript


@transaction.atomic
def transcript_download_record(
    *,
    officer: User,
    actor: User,
    file_format: str,
    lines: int,
    transcript: Transcript | None = None,
    context: AuditContext | None = None,
) -> AuditEvent:
    """The audit row of one download of a training record (csv, pdf or xlsx), the officer's
    own included."""
    return audit_log(
        action="transcript.download",
        actor=actor,
        target=transcript if transcript is not None else officer,
        agency=officer_agency(officer),
        details={
            "officer_id": officer.pk,
            "format": file_format,
            "serial": transcript.serial if transcript is not None else "",
            "lines": lines,
            "own": actor.pk == officer.pk,
        },
        context=context,
    )
