"""Access checks for certificates: 404 for missing and forbidden alike."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.permissions import Action
from certificates.models import Certificate, CertificateBatch
from cohorts.access import access_cohort, cohort_actions


def access_certificate(*, user, certificate_id: int) -> Certificate:
    """An officer's own certificate (staff may see any)."""
    if not user.is_authenticated:
        raise Http404
    queryset = Certificate.objects.all() if user.is_staff else Certificate.objects.filter(user=user)
    return get_object_or_404(queryset, pk=certificate_id)


def access_verification(*, token: str) -> Certificate:
    """Anyone holding the token may see the certificate's public facts."""
    return get_object_or_404(
        Certificate.objects.exclude(status=Certificate.Status.FAILED), verify_token=token
    )


def access_cohort_certificates(*, user, cohort_id: int):
    """A cohort whose certificates the user may (re)issue: those who run it (its trainers,
    programme staff)."""
    return access_cohort(user=user, cohort_id=cohort_id, action=Action.RUN_COHORT)


def access_batch(*, user, batch_id: int) -> CertificateBatch:
    """A batch of a cohort the user runs."""
    batch = get_object_or_404(
        CertificateBatch.objects.select_related("cohort", "created_by"), pk=batch_id
    )
    if Action.RUN_COHORT not in cohort_actions(user=user, cohort=batch.cohort):
        raise Http404
    return batch
