"""Bulk issue and reissue of a cohort's certificates (for those who run the cohort), and the
batch's progress page with its JSON for the page's script."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from certificates.access import access_batch, access_cohort_certificates
from certificates.forms import ReissueForm
from certificates.models import CertificateBatch
from certificates.rendering import CURRENT_TEMPLATE_VERSION
from certificates.selectors import (
    batch_counts,
    batch_failed_items,
    cohort_batches,
    cohort_certificate_facts,
)
from certificates.services import certificate_batch_retry_failed, certificate_batch_start
from core.audit import AuditContext


def _cohort_page(request, cohort, form=None, status=200):
    return render(
        request,
        "certificates/batch_cohort.html",
        {
            "cohort": cohort,
            "facts": cohort_certificate_facts(cohort=cohort),
            "batches": cohort_batches(cohort=cohort),
            "form": form or ReissueForm(),
        },
        status=status,
    )


@login_required
def cohort_certificates(request, cohort_id: int):
    cohort = access_cohort_certificates(user=request.user, cohort_id=cohort_id)
    return _cohort_page(request, cohort)


@login_required
@require_POST
def batch_issue(request, cohort_id: int):
    cohort = access_cohort_certificates(user=request.user, cohort_id=cohort_id)
    batch = certificate_batch_start(
        cohort=cohort,
        kind=CertificateBatch.Kind.ISSUE,
        actor=request.user,
        context=AuditContext.from_request(request),
    )
    return redirect(batch)


@login_required
@require_POST
def batch_reissue(request, cohort_id: int):
    cohort = access_cohort_certificates(user=request.user, cohort_id=cohort_id)
    form = ReissueForm(request.POST)
    if not form.is_valid():
        return _cohort_page(request, cohort, form=form, status=400)
    batch = certificate_batch_start(
        cohort=cohort,
        kind=CertificateBatch.Kind.REISSUE,
        actor=request.user,
        reason=form.cleaned_data["reason"],
        # Every reissue is drawn with the current template (CURRENT_TEMPLATE_VERSION).
        template_version=CURRENT_TEMPLATE_VERSION,
        context=AuditContext.from_request(request),
    )
    return redirect(batch)


@login_required
def batch_detail(request, batch_id: int):
    batch = access_batch(user=request.user, batch_id=batch_id)
    return render(
        request,
        "certificates/batch_detail.html",
        {
            "batch": batch,
            "cohort": batch.cohort,
            "counts": batch_counts(batch=batch),
            "failed_items": list(batch_failed_items(batch=batch)),
        },
    )


@login_required
@cache_control(no_store=True)
def batch_json(request, batch_id: int):
    batch = access_batch(user=request.user, batch_id=batch_id)
    counts = batch_counts(batch=batch)
    return JsonResponse({**counts, "finished": counts["waiting"] == 0})


@login_required
@require_POST
def batch_retry(request, batch_id: int):
    batch = access_batch(user=request.user, batch_id=batch_id)
    retried = certificate_batch_retry_failed(
        batch=batch, actor=request.user, context=AuditContext.from_request(request)
    )
    if retried:
        messages.success(
            request,
            ngettext(
                "%(count)d failed certificate is queued again.",
                "%(count)d failed certificates are queued again.",
                retried,
            )
            % {"count": retried},
        )
    else:
        messages.info(request, _("No certificate in this batch is failed."))
    return redirect(batch)
