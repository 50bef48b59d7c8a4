"""Certificates move onto the core outbox: every pending certificate gets its outbox row
(so the one sweeper picks it up), then the per-certificate queue time goes."""

from django.db import migrations
from django.utils import timezone

KIND = "certificates.tasks.certificate_render_task"


def pending_to_outbox(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(kind=KIND, payload={"certificate_id": pk}, next_attempt_at=now)
        for pk in Certificate.objects.filter(status="pending").values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_certificate_cohort_certificate_delivery_and_more"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(pending_to_outbox, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="certificate",
            name="cert_status_queued",
        ),
        migrations.RemoveField(
            model_name="certificate",
            name="last_queued_at",
        ),
    ]
