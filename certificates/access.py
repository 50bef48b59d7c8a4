"""Access checks for certificates: 404 for missing and forbidden alike."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership
from accounts.permissions import Action, agencies_for
from certificates.models import Certificate, CertificateBatch
from cohorts.access import access_cohort, cohort_actions

# The holder's memberships that make an agency "theirs" for managing the certificate: the
# agency they trained with stays responsible after they leave it. A pending membership does
# not count: an agency the holder has only applied to has not vetted them, and must not be
# able to revoke what they earned elsewhere.
HOLDER_MEMBERSHIP = [
    Membership.Status.APPROVED,
    Membership.Status.LEFT,
]


def access_certificate(*, user, certificate_id: int) -> Certificate:
    """An officer's own certificate (staff may see any)."""
    if not user.is_authenticated:
        raise Http404
    queryset = Certificate.objects.all() if user.is_staff else Certificate.objects.filter(user=user)
    return get_object_or_404(queryset, pk=certificate_id)


def may_manage_certificate(*, user, certificate: Certificate) -> bool:
    """Programme staff, or an agency admin of an agency the holder is (or was) a vetted
    member of; a pending or rejected membership does not count, and nobody but staff manages
    their own certificate. Two queries for an admin."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    if certificate.user_id == user.pk:
        return False
    return (
        agencies_for(user, Action.MANAGE_CERTIFICATES)
        .filter(
            memberships__user_id=certificate.user_id,
            memberships__status__in=HOLDER_MEMBERSHIP,
        )
        .exists()
    )


def manageable_agency_ids(*, user) -> set[int] | None:
    """For pages that list certificates (the cohort report): the agencies whose officers'
    certificates this user may manage, None meaning every agency (programme staff)."""
    if user.is_authenticated and user.is_active and user.is_staff:
        return None
    return set(agencies_for(user, Action.MANAGE_CERTIFICATES).values_list("pk", flat=True))


def access_certificate_manage(*, user, certificate_id: int) -> Certificate:
    """A certificate the user may revoke, suspend, reinstate or correct."""
    if not user.is_authenticated:
        raise Http404
    certificate = get_object_or_404(Certificate, pk=certificate_id)
    if not may_manage_certificate(user=user, certificate=certificate):
        raise Http404
    return certificate


def access_certificate_page(*, user, certificate_id: int) -> tuple[Certificate, bool]:
    """The certificate page: its holder sees their own; those who may manage it see it with
    the forms. Returns the certificate and whether the user may manage it."""
    if not user.is_authenticated:
        raise Http404
    certificate = get_object_or_404(Certificate.objects.select_related("user"), pk=certificate_id)
    manage = may_manage_certificate(user=user, certificate=certificate)
    if not manage and certificate.user_id != user.pk:
        raise Http404
    return certificate, manage


def access_verification(*, token: str) -> Certificate:
    """Anyone holding the token may see the certificate's public facts."""
    return get_object_or_404(
        Certificate.objects.exclude(status=Certificate.Status.FAILED), verify_token=token
    )


def access_certificate_renewal(*, user, certificate_id: int) -> Certificate:
    """Only the holder renews their own certificate (staff do not renew for them)."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Certificate.objects.select_related("course"), pk=certificate_id, user=user
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
