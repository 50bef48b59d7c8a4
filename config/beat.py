"""Celery beat's schedule (CELERY_BEAT_SCHEDULE): every periodic task and how often it runs,
each interval overridable from the environment (seconds)."""

from config.env import env_int


def beat_schedule(*, audit_checkpoint_seconds: int) -> dict:
    return {
        "outbox-sweep": {
            "task": "core.tasks.outbox_sweep_task",
            "schedule": env_int("OUTBOX_SWEEP_SECONDS", env_int("CERTIFICATE_SWEEP_SECONDS", 60)),
        },
        "cohort-offers-expire": {
            "task": "cohorts.tasks.seat_offers_expire_task",
            "schedule": env_int("COHORT_OFFER_EXPIRY_SECONDS", 300),
        },
        "cohort-reminders": {
            "task": "cohorts.tasks.cohort_reminders_task",
            "schedule": env_int("COHORT_REMINDER_SECONDS", 900),
        },
        # Expiry reminders: daily; a run at any other time only catches up what is due.
        "certificate-reminders": {
            "task": "certificates.tasks.certificate_reminders_task",
            "schedule": env_int("CERTIFICATE_REMINDER_SECONDS", 86400),
        },
        # The monthly compliance summary to agency admins: checked daily, sent once a month each.
        "compliance-summaries": {
            "task": "reports.tasks.compliance_summaries_task",
            "schedule": env_int("COMPLIANCE_SUMMARY_SECONDS", 86400),
        },
        # The officer compliance summary (reports.ComplianceState) judged again for every agency
        # with a requirement: states move with the date (at risk, overdue, a new cycle).
        "compliance-states": {
            "task": "reports.tasks.compliance_states_daily_task",
            "schedule": env_int("COMPLIANCE_STATES_SECONDS", 86400),
        },
        # Files of exports whose download link has expired (EXPORT_LINK_HOURS) are deleted.
        "export-files-expire": {
            "task": "reports.tasks.export_files_expire_task",
            "schedule": env_int("EXPORT_EXPIRE_SECONDS", 86400),
        },
        "audit-checkpoint": {
            "task": "accounts.tasks.audit_checkpoint_task",
            "schedule": audit_checkpoint_seconds,
        },
    }
