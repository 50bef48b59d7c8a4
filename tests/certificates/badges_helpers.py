"""Certificates in each state, with their status list entries, for the Open Badges tests."""

from django.db import transaction
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import status_list_allocate, status_list_set
from tests.factories import CertificateFactory


def issued_certificate(**fields) -> Certificate:
    """An issued certificate (a PDF name, no file: the credential does not read the PDF)."""
    fields.setdefault("status", Certificate.Status.ISSUED)
    fields.setdefault("issued_at", timezone.now())
    fields.setdefault("pdf", "certificates/test.pdf")
    certificate = CertificateFactory(**fields)
    return status_list_allocate(certificate=certificate)


def set_status(certificate: Certificate, status: str) -> Certificate:
    """Revoke or suspend the way the lifecycle does: status and bit in one transaction."""
    with transaction.atomic():
        certificate.status = status
        certificate.save(update_fields=["status"])
        purpose = {"revoked": "revocation", "suspended": "suspension"}[status]
        status_list_set(certificate=certificate, purpose=purpose, value=True)
    return certificate
