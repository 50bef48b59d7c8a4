"""The outbox: every side effect (PDFs, emails, reminders) is a row written in the
transaction that causes it and handed to Celery only after commit. One sweeper queues again
what is still pending, with backoff; after OUTBOX_MAX_ATTEMPTS a row is marked failed and
shown to staff in the admin, who may send it again. A lost broker message loses nothing."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from core.audit import AuditContext, audit
from core.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Hooks:
    """What a kind of side effect does beside the outbox row: on_give_up(**ids) shows the
    failure where the domain's pages do (a failed certificate); on_send_again(**ids) puts
    the domain row back in a state the task will act on. Both run in the outbox's
    transaction."""

    on_give_up: Callable[..., None] | None = None
    on_send_again: Callable[..., None] | None = None


_hooks: dict[str, Hooks] = {}


def outbox_hooks_register(task: Any, **hooks: Callable[..., None]) -> None:
    _hooks[task.name] = Hooks(**hooks)


def retry_delay(attempts: int) -> timedelta:
    """How long a row waits before the sweeper queues it again: OUTBOX_STALE_SECONDS, doubled
    after each attempt, at most OUTBOX_BACKOFF_MAX_SECONDS."""
    seconds = settings.OUTBOX_STALE_SECONDS * 2**attempts
    return timedelta(seconds=min(seconds, settings.OUTBOX_BACKOFF_MAX_SECONDS))


def enqueue_on_commit(task: Any, **ids: int) -> OutboxMessage:
    """Write the outbox row for `task(**ids)` in the current transaction; hand it to the
    broker once that commits. Nothing is queued if it rolls back. Arguments are ids only."""
    message = OutboxMessage.objects.create(
        kind=task.name, payload=ids, next_attempt_at=timezone.now() + retry_delay(0)
    )
    transaction.on_commit(lambda: outbox_publish(message_id=message.pk))
    return message


def requeue_on_commit(task: Any, **ids: int) -> OutboxMessage:
    """A domain's own "retry" (a failed certificate queued again from its admin page): the
    row that gave up starts over, so staff do not see it failed any more; without one, a
    new row. The caller writes the audit row."""
    message = (
        OutboxMessage.objects.select_for_update()
        .filter(kind=task.name, payload=ids)
        .exclude(status=Status.DONE)
        .order_by("-pk")
        .first()
    )
    if message is None:
        return enqueue_on_commit(task, **ids)
    message.status = Status.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now() + retry_delay(0)
    message.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    transaction.on_commit(lambda: outbox_publish(message_id=message.pk))
    return message


def enqueue_many_on_commit(task: Any, payloads: list[dict[str, int]]) -> list[OutboxMessage]:
    """enqueue_on_commit for many rows of one task in one INSERT (a batch of reminders)."""
    first_try = timezone.now() + retry_delay(0)
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(kind=task.name, payload=ids, next_attempt_at=first_try) for ids in payloads
    )
    ids = [message.pk for message in messages]
    transaction.on_commit(lambda: [outbox_publish(message_id=pk) for pk in ids])
    return messages


def outbox_publish(*, message_id: int) -> bool:
    """Hand a row to the broker. An outage is logged, not raised: the row stays pending and
    the sweeper queues it again once the broker is back."""
    from core.tasks import outbox_deliver_task

    try:
        outbox_deliver_task.delay(message_id=message_id)
    except Exception:
        logger.warning("Broker unavailable; outbox message %s left for the sweeper", message_id)
        return False
    return True


def _task(kind: str) -> Any:
    if kind not in current_app.tasks:
        current_app.loader.import_default_modules()  # a process that has not autodiscovered
    return current_app.tasks[kind]


def _hooks_for(kind: str) -> Hooks:
    try:
        _task(kind)  # importing the task's module registers its hooks
    except KeyError:
        logger.warning("Outbox kind %s is not a known task", kind)
    return _hooks.get(kind, Hooks())


def _run_hook(message: OutboxMessage, name: str) -> None:
    hook = getattr(_hooks_for(message.kind), name)
    if hook is not None:
        hook(**message.payload)


def _audit(message: OutboxMessage, action: str, **fields: Any) -> None:
    details = {"kind": message.kind, "ids": message.payload, **fields.pop("details", {})}
    audit(action=action, target=message, details=details, **fields)


def _give_up(message: OutboxMessage) -> None:
    message.status = Status.FAILED
    message.save(update_fields=["status", "last_error", "attempts", "updated_at"])
    _run_hook(message, "on_give_up")
    _audit(message, "outbox.fail", outcome="failure", details={"attempts": message.attempts})
    logger.error("Outbox message %s (%s) given up: %s", message.pk, message, message.last_error)


def outbox_deliver(*, message_id: int) -> bool:
    """Run one row's task (the worker's part) and record the outcome; returns whether the row
    is done. The row is locked meanwhile, so a copy of the message delivered twice runs once;
    a row already done (or failed) is left alone. A task is done unless it raises or returns
    False; when it raises, what it wrote in its own atomic blocks (its record of the
    failure) is kept, unless the error came from the database."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=Status.PENDING)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        savepoint = transaction.savepoint_create()
        try:
            done = _task(message.kind)(**message.payload) is not False
            error = "" if done else "The task reported that it is not done yet."
        except DatabaseError as exc:  # the task's writes cannot stand
            transaction.savepoint_rollback(savepoint)
            logger.exception("Outbox message %s (%s) failed", message.pk, message)
            done, error = False, f"{type(exc).__name__}: {exc}"[:2000]
        except Exception as exc:  # the task's own record of the failure stays
            logger.exception("Outbox message %s (%s) failed", message.pk, message)
            done, error = False, f"{type(exc).__name__}: {exc}"[:2000]
        message.last_error = error
        if done:
            message.status = Status.DONE
            message.done_at = timezone.now()
            message.save(
                update_fields=["status", "done_at", "attempts", "last_error", "updated_at"]
            )
        elif message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _give_up(message)
        else:
            message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
            message.save(update_fields=["attempts", "last_error", "next_attempt_at", "updated_at"])
        return done


def outbox_sweep(*, now: datetime | None = None) -> list[int]:
    """Queue again the pending rows whose next try has come (a lost broker message, a flushed
    Redis, a broker outage at commit time, a failed attempt), pushing their next try back
    by the backoff; rows out of attempts are marked failed. Returns the ids queued."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:SWEEP_BATCH]
        )
        requeued = []
        for message in due:
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                _give_up(message)
                continue
            message.next_attempt_at = now + retry_delay(message.attempts)
            message.save(update_fields=["next_attempt_at", "updated_at"])
            requeued.append(message.pk)
        if requeued:
            audit(
                action="outbox.requeue",
                details={"ids": requeued, "kinds": sorted({m.kind for m in due})},
            )
        transaction.on_commit(lambda: [outbox_publish(message_id=pk) for pk in requeued])
    return requeued


@transaction.atomic
def outbox_send_again(
    *, message: OutboxMessage, actor: Any, context: AuditContext | None = None
) -> OutboxMessage:
    """Staff queue a failed (or stuck) row again after fixing the cause: its attempts start
    over and it is queued after commit. A row already done is left alone."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status == Status.DONE:
        return message
    old = message.status
    message.status = Status.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now() + retry_delay(0)
    message.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    _run_hook(message, "on_send_again")
    _audit(message, "outbox.send_again", actor=actor, details={"from": old}, context=context)
    transaction.on_commit(lambda: outbox_publish(message_id=message.pk))
    return message
