"""Reads for certificates."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from certificates.models import Certificate, CertificateBatch, CertificateBatchItem


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


def batch_counts(*, batch: CertificateBatch) -> dict[str, int]:
    """Done, failed and waiting items of a batch, and the total, in one query."""
    state = CertificateBatchItem.State
    counts = batch.items.aggregate(
        done=Count("pk", filter=Q(state=state.DONE)),
        failed=Count("pk", filter=Q(state=state.FAILED)),
        waiting=Count("pk", filter=Q(state=state.WAITING)),
    )
    counts["total"] = counts["done"] + counts["failed"] + counts["waiting"]
    return counts


def batch_failed_items(*, batch: CertificateBatch) -> QuerySet[CertificateBatchItem]:
    """The failed items with the person and the certificate they are about, for the list."""
    return (
        batch.items.filter(state=CertificateBatchItem.State.FAILED)
        .select_related("seat__user", "certificate")
        .order_by("pk")
    )


def cohort_batches(*, cohort, limit: int = 20) -> list[CertificateBatch]:
    return list(
        CertificateBatch.objects.filter(cohort=cohort)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def cohort_certificate_facts(*, cohort) -> dict[str, int]:
    """What the cohort's certificate page offers: completed seats, those still without a
    certificate, and the issued certificates a reissue would replace."""
    has_certificate = Certificate.objects.filter(cohort=cohort, user=OuterRef("user"))
    seats = cohort.seats.filter(completed_at__isnull=False).aggregate(
        completed=Count("pk"),
        missing=Count("pk", filter=~Q(Exists(has_certificate))),
    )
    seats["issued"] = Certificate.objects.filter(
        cohort=cohort, status=Certificate.Status.ISSUED
    ).count()
    return seats
