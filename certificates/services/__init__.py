"""Writes for certificates, one module per capability; every public service is named here so
callers import from certificates.services."""

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
from certificates.services.statuslist import status_list_allocate, status_list_set

__all__ = [
    "certificate_create_for_cohort",
    "certificate_create_for_completion",
    "certificate_pseudonymise_holder",
    "certificate_reinstate",
    "certificate_reissue",
    "certificate_render",
    "certificate_render_give_up",
    "certificate_render_reopen",
    "certificate_retry",
    "certificate_revoke",
    "certificate_suspend",
    "status_list_allocate",
    "status_list_set",
]
