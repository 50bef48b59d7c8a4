"""The certificates' counts on the metrics endpoint."""

import pytest
from django.utils import timezone

from certificates.models import Certificate
from tests.factories import CertificateFactory
from tests.metricsread import scrape, value

pytestmark = pytest.mark.django_db


def test_certificates_are_counted_by_status_and_issued_ever(client):
    issued = timezone.now()
    CertificateFactory()  # pending
    CertificateFactory(status=Certificate.Status.ISSUED, issued_at=issued, pdf="certificates/a.pdf")
    CertificateFactory(
        status=Certificate.Status.REVOKED, issued_at=issued, pdf="certificates/b.pdf"
    )
    samples = scrape(client)
    assert value(samples, "cryptocops_certificates", status="pending") == 1
    assert value(samples, "cryptocops_certificates", status="issued") == 1
    assert value(samples, "cryptocops_certificates", status="revoked") == 1
    # Every status has a sample, so a graph of it starts at zero rather than with a gap.
    assert ("cryptocops_certificates", frozenset({("status", "failed")})) in samples
    # Revoked after issue still counts as issued once.
    assert value(samples, "cryptocops_certificates_issued_total") == 2
    assert value(samples, "cryptocops_metrics_source_up", source="certificate_metrics") == 1
