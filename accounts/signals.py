"""Signals that let higher layers react to account events without accounts importing them."""

from django.dispatch import Signal

# Sent inside the erasing transaction with user=<User>: higher layers pseudonymise their
# copies of personal data (a certificate's printed name, say).
user_erased = Signal()

# Sent inside the vetting transaction with user=<User> when a membership is approved or
# re-confirmed: law-enforcement-only material opens again, so higher layers may finish what
# was waiting for it (a course whose last step was the vetting, say).
membership_vetted = Signal()
