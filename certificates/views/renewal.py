"""The holder's renewal page: what changed since their certificate, the final assessment,
and the buttons that start the renewal and issue the new certificate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certificates.access import access_certificate_renewal
from certificates.selectors import renewal_opens_at, renewal_state
from certificates.services import (
    RenewalRefused,
    certificate_renewal_complete,
    certificate_renewal_start,
)
from core.audit import AuditContext


def _page(request, certificate, *, error: str = "", status: int = 200):
    state = renewal_state(certificate=certificate)
    return render(
        request,
        "certificates/renew.html",
        {
            "certificate": certificate,
            "state": state,
            "opens_at": renewal_opens_at(certificate),
            "error": error,
        },
        status=status,
    )


@login_required
def renew(request, certificate_id: int):
    certificate = access_certificate_renewal(user=request.user, certificate_id=certificate_id)
    if request.method != "POST":
        return _page(request, certificate)
    try:
        certificate_renewal_start(
            certificate=certificate, actor=request.user, context=AuditContext.from_request(request)
        )
    except RenewalRefused as exc:
        return _page(request, certificate, error=str(exc), status=409)
    messages.success(request, _("Renewal started."))
    return redirect("certificates:renew", certificate_id=certificate.pk)


@login_required
@require_POST
def renew_finish(request, certificate_id: int):
    certificate = access_certificate_renewal(user=request.user, certificate_id=certificate_id)
    renewal = renewal_state(certificate=certificate).renewal
    if renewal is None:
        return _page(request, certificate, error=_("Start the renewal first."), status=409)
    try:
        new = certificate_renewal_complete(
            renewal=renewal, actor=request.user, context=AuditContext.from_request(request)
        )
    except RenewalRefused as exc:
        return _page(request, certificate, error=str(exc), status=409)
    if new is None:
        return _page(
            request,
            certificate,
            error=_("Read the changed lessons and pass the final assessment first."),
            status=409,
        )
    messages.success(request, _("Renewed. Your new certificate is being prepared."))
    return redirect("certificates:renew", certificate_id=certificate.pk)
