"""Reads for certificates."""

from django.db.models import QuerySet

from certificates.models import Certificate, StatusList


def user_certificates(*, user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user=user).order_by("-created_at")


def newest_revision(certificate: Certificate) -> Certificate:
    """Follow superseded_by to the latest certificate in this line."""
    current = certificate
    while True:
        successor = Certificate.objects.filter(supersedes=current).first()
        if successor is None:
            return current
        current = successor


# A credential exists once the certificate was issued, whatever happened since (expiry is a
# date on an issued certificate); pending and failed ones have none.
CREDENTIAL_STATUSES = [
    Certificate.Status.ISSUED,
    Certificate.Status.REVOKED,
    Certificate.Status.SUSPENDED,
    Certificate.Status.SUPERSEDED,
]


def credential_certificate(*, certificate_id: int) -> Certificate | None:
    """The certificate with what its credential reads (holder, course, the status lists'
    names but not their 16 KiB of bits), or None when it has no credential."""
    return (
        Certificate.objects.filter(pk=certificate_id, status__in=CREDENTIAL_STATUSES)
        .select_related("user", "course", "revocation_list", "suspension_list")
        .defer("revocation_list__bits", "suspension_list__bits")
        .first()
    )


def status_list_by_slug(*, slug: str) -> StatusList | None:
    """The list named revocation-1, suspension-2, ...; without its bits (cache first)."""
    purpose, _, number = slug.rpartition("-")
    if purpose not in StatusList.Purpose.values or not number.isdigit():
        return None
    return StatusList.objects.defer("bits").filter(purpose=purpose, number=int(number)).first()


def status_list_with_bits(*, status_list_id: int) -> StatusList:
    return StatusList.objects.get(pk=status_list_id)
