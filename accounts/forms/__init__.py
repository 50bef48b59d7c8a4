"""Forms of accounts, one module per part: signup.py (fields beyond allauth's), vetting.py
(agency admins' decisions, roles, invitations), audit.py (the audit search filters),
privacy.py (profile and erasure)."""
