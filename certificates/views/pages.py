"""Certificate pages: the officer's dashboard, PDF download, and public verification (the
HTML page and its JSON)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from certificates.access import access_certificate, access_verification
from certificates.models import Certificate
from certificates.selectors import RENEWAL_WINDOW_DAYS, certificates_of, newest_revision
from cohorts.selectors.cohorts import upcoming_seats
from core import ratelimit
from courses.selectors import enrollments_of, refreshers_of


@login_required
def dashboard(request):
    # The dashboard reads courses, cohorts and certificates, so it lives in the highest.
    enrollments = enrollments_of(user_id=request.user.pk)
    for enrollment in enrollments:
        total = enrollment.lesson_count or 0
        enrollment.percent = round(100 * enrollment.done_count / total) if total else 0
    return render(
        request,
        "certificates/dashboard.html",
        {
            "enrollments": enrollments,
            "certificates": certificates_of(user_id=request.user.pk),
            # Certificates expiring before this get a "Renew" link.
            "renew_from": timezone.now() + timedelta(days=RENEWAL_WINDOW_DAYS),
            "refreshers": refreshers_of(user_id=request.user.pk),
            "seats": upcoming_seats(user=request.user),
        },
    )


@login_required
def certificate_download(request, certificate_id: int):
    certificate = access_certificate(user=request.user, certificate_id=certificate_id)
    if certificate.status != Certificate.Status.ISSUED or not certificate.pdf:
        raise Http404
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.serial}.pdf",
        content_type="application/pdf",
    )


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _public_facts(certificate: Certificate, newest: Certificate | None) -> dict:
    """What anyone holding the link may know: the verify JSON (see verify_json)."""
    return {
        "name": certificate.holder_name,
        "course": certificate.course_title,
        "issue_date": certificate.issued_at.date().isoformat() if certificate.issued_at else None,
        "status": certificate.public_status(),
        "revision": certificate.revision,
        "valid_until": _iso(certificate.valid_until),
        "revoked_at": _iso(certificate.revoked_at),
        "revocation_reason": certificate.revocation_reason or None,
        "suspended_at": _iso(certificate.suspended_at),
        "superseded_at": _iso(certificate.superseded_at),
        "newest_verify_url": newest.verify_url if newest else None,
        "pdf_sha256": certificate.pdf_sha256 or None,
    }


def _newest(certificate: Certificate) -> Certificate | None:
    """For a superseded certificate, the newest revision (or renewal) that replaced it."""
    if certificate.status != Certificate.Status.SUPERSEDED:
        return None
    newest = newest_revision(certificate)
    return newest if newest.pk != certificate.pk else None


def verify_allowed(request) -> bool:
    """Per client address (core.clientip), found and unknown tokens alike, so the public
    check cannot be used to walk the token space. Shared by every verify URL (page, JSON,
    credential)."""
    return ratelimit.allow(request, scope="verify", limit=settings.VERIFY_RATE_PER_MINUTE)


def verify_refused_json() -> JsonResponse:
    return JsonResponse(
        {"error": _("Too many checks from your address. Try again in a minute.")}, status=429
    )


@cache_control(no_store=True)
def verify(request, token: str):
    if not verify_allowed(request):
        return render(request, "429.html", status=429)
    certificate = access_verification(token=token)
    newest = _newest(certificate)
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "public_status": certificate.public_status(),
            "newest": newest,
        },
    )


@cache_control(no_store=True)
def verify_json(request, token: str):
    """The verify page as JSON, for other systems. Its keys are stable:

    - name, course: as printed on the certificate;
    - issue_date: YYYY-MM-DD, or null while it is being prepared;
    - status: valid, expired, revoked, suspended, superseded or pending;
    - revision: 1 for the first issue, counting up with each correction;
    - valid_until, revoked_at, suspended_at, superseded_at: ISO 8601 date-times in UTC, or
      null when they do not apply;
    - revocation_reason: the category (issued_in_error, identity, misconduct,
      holder_request, agency_request, other), never the free text; null unless revoked;
    - newest_verify_url: the verify page of the newer version, for a superseded one;
    - pdf_sha256: the SHA-256 (hex) of the current PDF, to compare with a file you were
      given (`sha256sum file.pdf`); null while it is being prepared.
    """
    if not verify_allowed(request):
        return verify_refused_json()
    certificate = access_verification(token=token)
    return JsonResponse(_public_facts(certificate, _newest(certificate)))
