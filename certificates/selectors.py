"""Reads for certificates."""

from django.db.models import QuerySet

from certificates.models import Certificate


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
