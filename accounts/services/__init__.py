"""Writes of accounts, one module per capability: people.py (signup placement, language,
profile), vetting.py (vetting decisions and roles), invitations.py, erasure.py, exports.py
(the audit export's own row).

The public services are re-exported here, and audit_log (accounts.audit) too: every app
writes its audit rows through it.
"""

from accounts.audit import audit_log
from accounts.services.erasure import user_erase
from accounts.services.exports import audit_export_record
from accounts.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_send,
)
from accounts.services.people import (
    membership_assign_from_email,
    user_set_language,
    user_update_profile,
)
from accounts.services.vetting import (
    membership_approve,
    membership_change_role,
    membership_mark_left,
    membership_reconfirm,
    membership_reject,
    role_grant_refusal,
)

__all__ = [
    "audit_export_record",
    "audit_log",
    "invitation_accept",
    "invitation_create",
    "invitation_send",
    "membership_approve",
    "membership_assign_from_email",
    "membership_change_role",
    "membership_mark_left",
    "membership_reconfirm",
    "membership_reject",
    "role_grant_refusal",
    "user_erase",
    "user_set_language",
    "user_update_profile",
]
