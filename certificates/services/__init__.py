"""Writes for certificates, one module per capability; every public service is named here so
callers import from certificates.services."""

from certificates.services.batch import (
    certificate_batch_item_give_up,
    certificate_batch_item_run,
    certificate_batch_items_settle,
    certificate_batch_retry_failed,
    certificate_batch_start,
)
from certificates.services.expiry import (
    certificate_reminder_reopen,
    certificate_reminder_send,
    certificate_reminders_queue,
)
from certificates.services.issue import (
    certificate_create_for_cohort,
    certificate_create_for_completion,
    certificate_pseudonymise_holder,
    certificate_render,
    certificate_render_give_up,
    certificate_render_reopen,
    certificate_retry,
)
from certificates.services.lifecycle import (
    certificate_reinstate,
    certificate_revoke,
    certificate_suspend,
)
from certificates.services.reissue import certificate_reissue
from certificates.services.renewal import (
    RenewalRefused,
    certificate_renewal_complete,
    certificate_renewal_start,
    certificate_renewals_complete_for,
)
from certificates.services.statuslist import status_list_allocate, status_list_set

__all__ = [
    "RenewalRefused",
    "certificate_batch_item_give_up",
    "certificate_batch_item_run",
    "certificate_batch_items_settle",
    "certificate_batch_retry_failed",
    "certificate_batch_start",
    "certificate_create_for_cohort",
    "certificate_create_for_completion",
    "certificate_pseudonymise_holder",
    "certificate_reinstate",
    "certificate_reissue",
    "certificate_reminder_reopen",
    "certificate_reminder_send",
    "certificate_reminders_queue",
    "certificate_render",
    "certificate_render_give_up",
    "certificate_render_reopen",
    "certificate_renewal_complete",
    "certificate_renewal_start",
    "certificate_renewals_complete_for",
    "certificate_retry",
    "certificate_revoke",
    "certificate_suspend",
    "status_list_allocate",
    "status_list_set",
]
