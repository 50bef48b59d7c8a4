"""Users, agencies, memberships and roles, and the audit trail."""
