"""Signals from assessments to higher layers (cohorts), so assessments never imports them."""

from django.dispatch import Signal

# Sent inside the grading transaction with attempt=<Attempt> when an attempt passes (on
# submission, or when a regrade turns it into a pass).
quiz_passed = Signal()
