"""Messages about cohorts: an outbox row per message, written in the transaction that caused
it and sent by Celery after commit; a sweeper re-queues rows a lost broker message left."""

import logging
import secrets

from django.db import transaction
from django.utils import timezone

from cohorts.models import Notice, Seat

logger = logging.getLogger(__name__)


def notice_queue(*, seat: Seat, kind: str, key: str | None = None) -> Notice:
    """Write the outbox row and queue it on commit. The same key twice is one message."""
    key = key or f"{kind}:{seat.pk}:{secrets.token_hex(8)}"
    notice, created = Notice.objects.get_or_create(
        key=key, defaults={"seat": seat, "kind": kind, "last_queued_at": timezone.now()}
    )
    if created:
        transaction.on_commit(lambda: notice_enqueue(notice_id=notice.pk))
    return notice


def notice_enqueue(*, notice_id: int) -> bool:
    from cohorts.tasks import notice_send_task

    try:
        notice_send_task.delay(notice_id=notice_id)
    except Exception:
        logger.warning("Broker unavailable; notice %s left for the sweeper", notice_id)
        return False
    return True
