"""The certificates' part of the metrics endpoint (core.observability.scrape): one grouped
count per scrape."""

from collections.abc import Iterable

from django.db.models import Count, Q
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from certificates.models import Certificate


def certificate_metrics() -> Iterable[Metric]:
    rows = (
        Certificate.objects.values_list("status")
        .annotate(count=Count("pk"), issued=Count("pk", filter=Q(issued_at__isnull=False)))
        .order_by()
    )
    by_status = {status: (count, issued) for status, count, issued in rows}
    current = GaugeMetricFamily(
        "cryptocops_certificates",
        "Certificates by status (pending: being prepared; failed: given up, for staff).",
        labels=["status"],
    )
    for status in Certificate.Status.values:
        current.add_metric([status], by_status.get(status, (0, 0))[0])
    yield current
    # Every certificate ever issued keeps its issue date, whatever happened to it since
    # (revoked, superseded), so this only grows: rate() of it is the issue rate.
    yield CounterMetricFamily(
        "cryptocops_certificates_issued",
        "Certificates issued since the start, reissued revisions included.",
        value=sum(issued for _, issued in by_status.values()),
    )
