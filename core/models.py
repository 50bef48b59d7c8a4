"""Core's one table: the outbox, one row per side effect still to do (or done, or given up)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboxMessage(models.Model):
    """A side effect written in the transaction that caused it: the Celery task to run
    (``kind``, its registered name) and the ids it takes (``payload``). The sweeper queues it
    again at ``next_attempt_at`` until the task reports it done, or gives up after
    OUTBOX_MAX_ATTEMPTS and leaves it failed for staff."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("side effect", "Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=200)
    payload = models.JSONField(_("ids"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(pgettext_lazy("tries", "attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next try"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
        ]

    def __str__(self) -> str:
        ids = ", ".join(f"{key}={value}" for key, value in sorted(self.payload.items()))
        return f"{self.kind}({ids})"
