"""Celery tasks for accounts: thin, safe to run twice."""

from celery import shared_task

from accounts.checkpoints import audit_checkpoint_write


@shared_task
def audit_checkpoint_task() -> str:
    """Beat: sign the audit chain's head and keep it outside the database. Returns the stored
    name, or "" when there was nothing new to anchor."""
    return audit_checkpoint_write() or ""
