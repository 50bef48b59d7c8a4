"""Celery tasks of the outbox: deliver one row, and the one sweeper beat runs."""

from celery import shared_task

from core.outbox import outbox_deliver, outbox_sweep


@shared_task(acks_late=True, reject_on_worker_lost=True)
def outbox_deliver_task(*, message_id: int) -> bool:
    return outbox_deliver(message_id=message_id)


@shared_task
def outbox_sweep_task() -> int:
    return len(outbox_sweep())
