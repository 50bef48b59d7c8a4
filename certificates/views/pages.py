"""Certificate pages: the officer's dashboard, PDF download, and public verification."""

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
from certificates.selectors import RENEWAL_WINDOW_DAYS, user_certificates
from cohorts.selectors.cohorts import upcoming_seats
from core import ratelimit
from courses.selectors import refreshers_for_user, user_enrollments


@login_required
def dashboard(request):
    # The dashboard reads courses, cohorts and certificates, so it lives in the highest.
    enrollments = list(user_enrollments(user=request.user))
    for enrollment in enrollments:
        total = enrollment.lesson_count or 0
        enrollment.percent = round(100 * enrollment.done_count / total) if total else 0
    return render(
        request,
        "certificates/dashboard.html",
        {
            "enrollments": enrollments,
            "certificates": list(user_certificates(user=request.user)),
            # Certificates expiring before this get a "Renew" link.
            "renew_from": timezone.now() + timedelta(days=RENEWAL_WINDOW_DAYS),
            "refreshers": list(refreshers_for_user(user=request.user)),
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


def _public_facts(certificate: Certificate) -> dict:
    return {
        "name": certificate.holder_name,
        "course": certificate.course_title,
        "issue_date": certificate.issued_at.date().isoformat() if certificate.issued_at else None,
        "status": certificate.status,
    }


def _verify_allowed(request) -> bool:
    """Per client address (core.clientip), found and unknown tokens alike, so the public
    check cannot be used to walk the token space."""
    return ratelimit.allow(request, scope="verify", limit=settings.VERIFY_RATE_PER_MINUTE)


@cache_control(no_store=True)
def verify(request, token: str):
    if not _verify_allowed(request):
        return render(request, "429.html", status=429)
    certificate = access_verification(token=token)
    return render(
        request,
        "certificates/verify.html",
        {"certificate": certificate, "facts": _public_facts(certificate)},
    )


@cache_control(no_store=True)
def verify_json(request, token: str):
    if not _verify_allowed(request):
        return JsonResponse(
            {"error": _("Too many checks from your address. Try again in a minute.")}, status=429
        )
    certificate = access_verification(token=token)
    return JsonResponse(_public_facts(certificate))
