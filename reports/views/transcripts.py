"""Training records: the page (one's own, or an officer's in one's oversight), its CSV and
signed PDF downloads, and the public verify page of a PDF transcript."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from accounts.models import User
from certificates.views.pages import verify_allowed
from core.audit import AuditContext
from core.csv import csv_attachment, csv_text
from reports.access import access_transcript, access_transcript_verification
from reports.selectors.transcripts import training_record, transcript_columns, transcript_rows
from reports.services.transcripts import transcript_create, transcript_download_record


def _page(request, officer: User):
    record = training_record(officer=officer)
    return render(
        request,
        "reports/transcripts/record.html",
        {"officer": officer, "record": record, "own": officer.pk == request.user.pk},
    )


@login_required
def my_transcript(request):
    return _page(request, request.user)


@login_required
def transcript(request, user_id: int):
    return _page(request, access_transcript(user=request.user, officer_id=user_id))


def _csv_cell(value):
    """Times in the viewer's time zone, numbers as numbers, text escaped (core.csv)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, int | Decimal | date):
        return value
    return csv_text(value)


def _csv(request, officer: User) -> HttpResponse:
    record = training_record(officer=officer)
    rows = transcript_rows(record)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(transcript_columns())
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    transcript_download_record(
        officer=officer,
        actor=request.user,
        file_format="csv",
        lines=len(rows),
        context=AuditContext.from_request(request),
    )
    stamp = timezone.localdate().isoformat()
    return csv_attachment(buffer.getvalue(), f"training-record-{officer.pk}-{stamp}.csv")


def _pdf(request, officer: User) -> HttpResponse:
    context = AuditContext.from_request(request)
    made = transcript_create(
        officer=officer,
        actor=request.user,
        language=translation.get_language() or "en",
        context=context,
    )
    transcript_download_record(
        officer=officer,
        actor=request.user,
        file_format="pdf",
        lines=made.lines,
        transcript=made,
        context=context,
    )
    with made.pdf.open("rb") as stored:
        body = stored.read()
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{made.serial}.pdf"'
    return response


# An officer's own download needs no second password; anyone else's (an agency admin,
# programme staff) does, as for any export of personal data. The access check comes first,
# so a stranger gets the same 404 as for a missing officer, not a password prompt.
_csv_reauth = reauthentication_required(_csv)
_pdf_reauth = reauthentication_required(_pdf)


@login_required
def transcript_csv(request, user_id: int):
    officer = access_transcript(user=request.user, officer_id=user_id)
    if officer.pk == request.user.pk:
        return _csv(request, officer)
    return _csv_reauth(request, officer)


@login_required
def transcript_pdf(request, user_id: int):
    officer = access_transcript(user=request.user, officer_id=user_id)
    if officer.pk == request.user.pk:
        return _pdf(request, officer)
    return _pdf_reauth(request, officer)


@cache_control(no_store=True)
def transcript_verify(request, token: str):
    if not verify_allowed(request):
        return render(request, "429.html", status=429)
    made = access_transcript_verification(token=token)
    return render(
        request,
        "reports/transcripts/verify.html",
        {"transcript": made, "made_by": made_by_role(made)},
    )


def made_by_role(made) -> str:
    """Who made the transcript, as a role, never as a person."""
    if made.created_by_id is None:
        return _("Unknown")
    if made.created_by_id == made.user_id:
        return _("The officer")
    if made.created_by.is_staff:
        return _("Programme staff")
    return _("Agency admin")
