"""Writes for training records: the signed PDF transcript (a Transcript row with its serial,
asked for in a request and made by the worker through the outbox, with the audit chain's
head and the SHA-256 of its lines and of the PDF), and the audit row of every download."""

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import AuditEvent, User
from core.audit import AuditContext
from core.outbox import enqueue_on_commit
from core.pdf import render_pdf
from core.qr import qr_png_data_uri
from core.signing import sign_pdf
from reports.access import may_view_transcript
from reports.models import Transcript
from reports.selectors.transcripts import (
    officer_agency,
    training_record,
    transcript_columns,
    transcript_rows,
)

Status = Transcript.Status

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
def transcript_request(
    *, officer: User, actor: User, language: str, context: AuditContext | None = None
) -> Transcript:
    """Ask for one officer's signed PDF transcript: the row (serial, verify token, who asked,
    in which language) is written now, pending; the worker makes the PDF
    (transcript_render), handed to it through the outbox once this commits."""
    from reports.tasks import transcript_render_task

    transcript = Transcript(user=officer, created_by=actor, language=language)
    transcript.full_clean()
    transcript.save()
    audit_log(
        action="transcript.request",
        actor=actor,
        target=transcript,
        agency=officer_agency(officer),
        details={"officer_id": officer.pk, "serial": transcript.serial, "language": language},
        context=context,
    )
    enqueue_on_commit(transcript_render_task, transcript_id=transcript.pk)
    return transcript


@transaction.atomic
def transcript_render(*, transcript_id: int) -> Transcript:
    """Make, sign and store a pending transcript in one transaction (the worker's part):
    read the record, then the audit chain's head (each line names its own audit event, all
    of them at or before that head), render and sign the PDF, store it with its SHA-256,
    audit it. A ready transcript is left alone; one whose requester may no longer see the
    officer's record fails without a PDF."""
    transcript = (
        Transcript.objects.select_for_update(of=("self",))
        .select_related("user", "created_by")
        .get(pk=transcript_id)
    )
    if transcript.status == Status.READY:
        return transcript
    officer, actor, language = transcript.user, transcript.created_by, transcript.language
    if actor is None or not may_view_transcript(user=actor, officer_id=officer.pk):
        with translation.override(language):
            return _fail(
                transcript,
                _(
                    "You may no longer see this officer's training record (your role or "
                    "agency has changed), so the transcript was not made."
                ),
            )
    with translation.override(language):
        record = training_record(officer=officer)
        columns = transcript_columns()
        rows = transcript_rows(record)
    # The head is read after the lines: audit rows are written one at a time under the
    # chain's lock, in id order, so every event a line names is at or before this head.
    head = AuditEvent.objects.order_by("-id").values_list("id", "row_hash").first()
    head_id, head_hash = head if head else (None, "")
    transcript.audit_head_id = head_id
    transcript.audit_head_hash = head_hash
    transcript.lines = len(rows)
    transcript.content_sha256 = lines_sha256(rows)
    transcript.rendered_at = timezone.now()
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
            "made_at": transcript.rendered_at.astimezone(UTC),
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
    if transcript.pdf:  # a previous attempt's file, if one got this far
        _delete_on_commit(transcript.pdf.name)
    transcript.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    transcript.pdf.save(f"{transcript.serial}.pdf", ContentFile(signed), save=False)
    transcript.status = Status.READY
    transcript.error = ""
    transcript.save(
        update_fields=[
            "audit_head_id",
            "audit_head_hash",
            "lines",
            "content_sha256",
            "rendered_at",
            "pdf",
            "pdf_sha256",
            "status",
            "error",
        ]
    )
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
    )
    return transcript


def _delete_on_commit(name: str) -> None:
    # After the commit: a rollback must not leave a transcript pointing at a deleted file.
    transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def _fail(transcript: Transcript, error: str) -> Transcript:
    transcript.status = Status.FAILED
    transcript.error = error
    transcript.save(update_fields=["status", "error"])
    audit_log(
        action="transcript.fail",
        actor=None,
        target=transcript,
        agency=officer_agency(transcript.user),
        outcome="failure",
        details={"officer_id": transcript.user_id, "serial": transcript.serial},
    )
    return transcript


@transaction.atomic
def transcript_give_up(*, transcript_id: int) -> None:
    """The outbox gave up making this transcript (every attempt raised): show it failed, so
    its page stops waiting. Runs in the outbox's transaction."""
    transcript = Transcript.objects.select_related("user").get(pk=transcript_id)
    if transcript.status == Status.READY:
        return
    with translation.override(transcript.language or settings.LANGUAGE_CODE):
        _fail(transcript, _("The transcript could not be made. Please ask for it again."))


@transaction.atomic
def transcript_reopen(*, transcript_id: int) -> None:
    """Staff sent the outbox row again: the transcript waits for the worker once more."""
    Transcript.objects.filter(pk=transcript_id).exclude(status=Status.READY).update(
        status=Status.PENDING, error=""
    )


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
