"""What the metrics endpoint serves: the per-request metrics of every web process, and
gauges read at scrape time (outbox backlog, Celery queues and task outcomes, and whatever the
apps above core register: certificates). Each scrape-time source is a few cheap reads; one
that fails is logged and left out, and the rest are still served."""

import logging
import os
from collections.abc import Callable, Iterable

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from core.observability.worker import TASK_OUTCOMES_KEY, broker_redis, queue_lists

logger = logging.getLogger(__name__)

Source = Callable[[], Iterable[Metric]]
_sources: list[Source] = []


def scrape_source_register(source: Source) -> Source:
    """Add a scrape-time source (an app's ready() registers its own, as core.nav is filled):
    a function yielding prometheus_client metric families, run at every scrape."""
    if source not in _sources:
        _sources.append(source)
    return source


class _Exposition:
    """generate_latest() asks only for collect(): the process metrics, then each source."""

    def __init__(self, process_metrics, sources: list[Source]) -> None:
        self.process_metrics = process_metrics
        self.sources = sources

    def collect(self) -> Iterable[Metric]:
        yield from self.process_metrics.collect()
        up = GaugeMetricFamily(
            "cryptocops_metrics_source_up",
            "Whether each scrape-time source answered this scrape (0: see the web log).",
            labels=["source"],
        )
        for source in self.sources:
            try:
                families = list(source())
            except Exception:
                logger.exception("Metrics source %s failed", source.__name__)
                families = None
            up.add_metric([source.__name__], 0 if families is None else 1)
            yield from families or ()
        yield up


def metrics_exposition() -> bytes:
    """The text exposition format, over every web process when PROMETHEUS_MULTIPROC_DIR is
    set (gunicorn), else over this process."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    process_metrics = MultiProcessCollector(None, path=directory) if directory else REGISTRY
    return generate_latest(_Exposition(process_metrics, _sources))


def outbox_metrics() -> Iterable[Metric]:
    """Two queries on the outbox's (status, next_attempt_at) index."""
    from core.models import OutboxMessage

    Status = OutboxMessage.Status
    by_kind = GaugeMetricFamily(
        "cryptocops_outbox_messages",
        "Side effects not done, by task and status (failed: given up, listed for staff).",
        labels=["kind", "status"],
    )
    totals = {Status.PENDING: 0, Status.FAILED: 0}
    rows = (
        OutboxMessage.objects.filter(status__in=totals)
        .values_list("kind", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for kind, status, count in rows:
        by_kind.add_metric([kind, status], count)
        totals[status] += count
    oldest = OutboxMessage.objects.filter(status=Status.PENDING).aggregate(at=Min("created_at"))
    age = (timezone.now() - oldest["at"]).total_seconds() if oldest["at"] else 0.0
    yield by_kind
    yield GaugeMetricFamily(
        "cryptocops_outbox_backlog",
        "Side effects written and not yet done (pending outbox rows).",
        value=totals[Status.PENDING],
    )
    yield GaugeMetricFamily(
        "cryptocops_outbox_failed",
        "Side effects given up after OUTBOX_MAX_ATTEMPTS, waiting for staff.",
        value=totals[Status.FAILED],
    )
    yield GaugeMetricFamily(
        "cryptocops_outbox_oldest_pending_age_seconds",
        "Age of the oldest pending outbox row (0 when none is pending).",
        value=max(age, 0.0),
    )


def celery_metrics() -> Iterable[Metric]:
    """One round trip to the Redis broker: the length of each configured queue (every
    priority list of it), the tasks taken and not yet acknowledged, and the task outcomes
    the workers count (core.observability.worker)."""
    client = broker_redis()
    if client is None:  # the embedded broker of `make run`: nothing to read
        return
    queues = queue_lists()
    pipe = client.pipeline(transaction=False)
    for lists in queues.values():
        for name in lists:
            pipe.llen(name)
    pipe.hlen("unacked")
    pipe.hgetall(TASK_OUTCOMES_KEY)
    replies = iter(pipe.execute())
    depth = GaugeMetricFamily(
        "cryptocops_celery_queue_length",
        "Tasks waiting in the broker, by queue.",
        labels=["queue"],
    )
    for queue, lists in queues.items():
        depth.add_metric([queue], sum(next(replies) for _ in lists))
    yield depth
    yield GaugeMetricFamily(
        "cryptocops_celery_unacked_tasks",
        "Tasks a worker has taken and not finished (acknowledged late).",
        value=next(replies),
    )
    outcomes = CounterMetricFamily(
        "cryptocops_celery_tasks",
        "Tasks finished by the workers, by task name and outcome (success, failure, retry).",
        labels=["task", "outcome"],
    )
    for field, count in sorted(next(replies).items()):
        task, _, outcome = field.decode().rpartition(" ")
        outcomes.add_metric([task, outcome], int(count))
    yield outcomes


scrape_source_register(outbox_metrics)
scrape_source_register(celery_metrics)
