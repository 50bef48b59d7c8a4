"""Writes for certificates, one module per capability; every public service is named here so
callers import from certificates.services."""

from certificates.services.batch import (
    certificate_batch_item_give_up,
    certificate_batch_item_run,
    certificate_batch_items_settle,
    certificate_batch_retry_failed,
    certificate_batch_start,
)
from certificates.services.issue import (
    certificate_create_for_cohort,
    certificate_create_for_completion,
    certificate_pseudonymise_holder,
    certificate_render,
    certificate_render_give_up,
    certificate_render_reopen,
    certificate_retry,
    certificate_revoke,
)
from certificates.services.reissue import certificate_reissue
from certificates.services.statuslist import status_list_allocate, status_list_set

__all__ = [
    "certificate_batch_item_give_up",
    "certificate_batch_item_run",
    "certificate_batch_items_settle",
    "certificate_batch_retry_failed",
    "certificate_batch_start",
    "certificate_create_for_cohort",
    "certificate_create_for_completion",
    "certificate_pseudonymise_holder",
    "certificate_reissue",
    "certificate_render",
    "certificate_render_give_up",
    "certificate_render_reopen",
    "certificate_retry",
    "certificate_revoke",
    "status_list_allocate",
    "status_list_set",
]
