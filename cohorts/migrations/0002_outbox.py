"""Cohort messages move onto the core outbox: every unsent notice gets its outbox row (a
failed one if it had used its five tries, so staff still see it), then the per-notice queue
time and its index go."""

from django.db import migrations
from django.utils import timezone

KIND = "cohorts.tasks.notice_send_task"
MAX_ATTEMPTS = 5  # NOTICE_MAX_ATTEMPTS's default when this migration was written


def unsent_to_outbox(apps, schema_editor):
    Notice = apps.get_model("cohorts", "Notice")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    now = timezone.now()
    unsent = Notice.objects.filter(sent_at__isnull=True).values_list(
        "pk", "attempts", "last_error"
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=KIND,
            payload={"notice_id": pk},
            status="failed" if attempts >= MAX_ATTEMPTS else "pending",
            attempts=attempts,
            last_error=last_error,
            next_attempt_at=now,
        )
        for pk, attempts, last_error in unsent
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(unsent_to_outbox, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="notice",
            name="notice_unsent",
        ),
        migrations.RemoveField(
            model_name="notice",
            name="last_queued_at",
        ),
    ]
