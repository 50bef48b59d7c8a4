"""Access checks for certificates: 404 for missing and forbidden alike."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from certificates.models import Certificate


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


def access_certificate_renewal(*, user, certificate_id: int) -> Certificate:
    """Only the holder renews their own certificate (staff do not renew for them)."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Certificate.objects.select_related("course"), pk=certificate_id, user=user
    )
