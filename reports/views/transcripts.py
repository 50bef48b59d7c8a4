"""Training records: the page (one's own, or an officer's in one's oversight), its CSV
download, the signed PDF transcript (asked for here, made by the worker, followed and
downloaded on its own page by the person who asked), and the public verify page."""

from functools import wraps

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from accounts.models import User
from certificates.views.pages import verify_allowed
from core.audit import AuditContext
from reports.access import (
    access_signed_transcript,
    access_transcript,
    access_transcript_verification,
)
from reports.models import Transcript
from reports.selectors.transcripts import training_record, transcripts_requested
from reports.services.transcripts import (
    transcript_download_record,
    transcript_request,
    transcript_verify_url,
)

Status = Transcript.Status


def _page(request, officer: User):
    context = {
        "officer": officer,
        "record": training_record(officer=officer),
        "own": officer.pk == request.user.pk,
        "transcripts": transcripts_requested(user=request.user, officer=officer),
    }
    return render(request, "reports/transcripts/record.html", context)


@login_required
def my_transcript(request):
    return _page(request, request.user)


@login_required
def transcript(request, user_id: int):
    return _page(request, access_transcript(user=request.user, officer_id=user_id))


def _request(request, officer: User) -> HttpResponse:
    """GET: the page with the button (where the password prompt sends one back to); POST:
    ask the worker for the PDF and follow it on its own page."""
    if request.method == "POST":
        made = transcript_request(
            officer=officer,
            actor=request.user,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            context=AuditContext.from_request(request),
        )
        return redirect("reports:signed_transcript", serial=made.serial)
    return render(
        request,
        "reports/transcripts/request.html",
        {"officer": officer, "own": officer.pk == request.user.pk},
    )


def _download(request, made: Transcript) -> HttpResponse:
    transcript_download_record(
        officer=made.user,
        actor=request.user,
        file_format="pdf",
        lines=made.lines,
        transcript=made,
        context=AuditContext.from_request(request),
    )
    return FileResponse(
        made.pdf.open("rb"),
        as_attachment=True,
        filename=f"{made.serial}.pdf",
        content_type="application/pdf",
    )


# An officer's own download needs no second password; anyone else's (an agency admin,
# programme staff) does, as for any export of personal data. The access check comes first,
# so a stranger gets the same 404 as for a missing officer, not a password prompt.
_request_reauth = reauthentication_required(_request)
_download_reauth = reauthentication_required(_download)


@login_required
@require_http_methods(["GET", "POST"])
def signed_transcript_request(request, user_id: int):
    officer = access_transcript(user=request.user, officer_id=user_id)
    if officer.pk == request.user.pk:
        return _request(request, officer)
    return _request_reauth(request, officer)


def _transcript_state(made: Transcript) -> dict:
    """What the transcript's page and its JSON both show."""
    ready = made.status == Status.READY and bool(made.pdf)
    texts = {
        Status.PENDING: _("Being made: the record is read, then the PDF is signed."),
        Status.READY: _("Ready: the signed PDF can be downloaded."),
        Status.FAILED: _("Failed: the transcript could not be made."),
    }
    return {
        "status": made.status,
        "status_label": str(made.get_status_display()),
        "ready": ready,
        "finished": made.status in (Status.READY, Status.FAILED),
        "text": texts[Status(made.status)],
        "error": made.error,
        "download_url": (
            reverse("reports:signed_transcript_download", args=[made.serial]) if ready else ""
        ),
    }


def _own_transcript(request, serial: str) -> Transcript:
    """The requester's own transcript; 404 for anyone else's, before the method is looked
    at, so a stranger's POST is told nothing either."""
    made = access_signed_transcript(user=request.user, serial=serial)
    if request.method not in ("GET", "HEAD"):
        raise _NotAllowed
    return made


class _NotAllowed(Exception):
    """Answered 405 by the views below."""


def _get_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _NotAllowed:
            return HttpResponseNotAllowed(["GET", "HEAD"])

    return wrapper


@login_required
@_get_only
def signed_transcript(request, serial: str):
    made = _own_transcript(request, serial)
    context = {
        "transcript": made,
        "officer": made.user,
        "own": made.user_id == request.user.pk,
        "state": _transcript_state(made),
        "verify_url": transcript_verify_url(made),
    }
    return render(request, "reports/transcripts/signed.html", context)


@login_required
@_get_only
def signed_transcript_status(request, serial: str):
    return JsonResponse(_transcript_state(_own_transcript(request, serial)))


@login_required
@_get_only
def signed_transcript_download(request, serial: str):
    made = _own_transcript(request, serial)
    if not _transcript_state(made)["ready"]:
        raise Http404
    if made.user_id == request.user.pk:
        return _download(request, made)
    return _download_reauth(request, made)


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
