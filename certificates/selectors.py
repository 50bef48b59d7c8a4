"""Reads for certificates."""

from django.db.models import QuerySet

from certificates.models import Certificate


def user_certificates(*, user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user=user).order_by("-created_at")
