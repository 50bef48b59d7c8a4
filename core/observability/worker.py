"""Celery around the tasks: the request id travels in a message header from the process that
queues a task to the worker, which logs the task's lines under it; the worker counts each
task's outcome in Redis, where the web's metrics endpoint reads them (one place to scrape,
however many worker machines there are). Connected by config/celery.py."""

import logging
import logging.config
from functools import lru_cache

import redis
from celery import current_app, signals
from django.conf import settings

from core.observability.context import current_request_id, request_id_bind, request_id_reset

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "request_id"
# A Redis hash of "<task name> <outcome>" -> count.
TASK_OUTCOMES_KEY = "cryptocops:metrics:celery-tasks"
# kombu's Redis transport keeps a queue's higher priorities in lists of their own.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


@lru_cache(maxsize=1)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def broker_redis() -> redis.Redis | None:
    """A client of the Redis broker (one connection pool per process); None on another
    broker."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return _client(url)


def queue_lists() -> dict[str, list[str]]:
    """Each configured queue and the Redis lists that hold it."""
    names = [current_app.conf.task_default_queue]
    names += [queue.name for queue in current_app.conf.task_queues or () if queue.name not in names]
    return {
        name: [name, *(f"{name}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS)]
        for name in names
    }


@signals.setup_logging.connect
def _logging_as_configured(**kwargs) -> None:
    """The worker and beat log through the site's LOGGING (JSON lines in production, with the
    request id) instead of replacing the root logger's handlers with Celery's own."""
    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def _publish_request_id(headers: dict | None = None, **kwargs) -> None:
    request_id = current_request_id()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


_tokens: dict[str, object] = {}


@signals.task_prerun.connect
def _bind_request_id(task_id: str, task, **kwargs) -> None:
    # Tasks queued by beat carry none. A task run eagerly, inside a request, keeps the
    # request's; the token puts back whatever was there before.
    request_id = getattr(task.request, REQUEST_ID_HEADER, None) or current_request_id()
    _tokens[task_id] = request_id_bind(request_id)


@signals.task_postrun.connect
def _unbind_request_id(task_id: str, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        request_id_reset(token)


def _count(task_name: str, outcome: str) -> None:
    client = broker_redis()
    if client is None:
        return
    try:
        client.hincrby(TASK_OUTCOMES_KEY, f"{task_name} {outcome}", 1)
    except redis.RedisError:
        # The broker the task came from is gone too; a missed count is all that is lost.
        logger.warning("Could not count the outcome of %s", task_name)


@signals.task_success.connect
def _count_success(sender=None, **kwargs) -> None:
    _count(sender.name, "success")


@signals.task_failure.connect
def _count_failure(sender=None, **kwargs) -> None:
    _count(sender.name, "failure")


@signals.task_retry.connect
def _count_retry(sender=None, **kwargs) -> None:
    _count(sender.name, "retry")
