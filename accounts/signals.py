"""Signals that let higher layers react to account events without accounts importing them."""

from django.dispatch import Signal

# Sent inside the erasing transaction with user=<User>: higher layers pseudonymise their
# copies of personal data (a certificate's printed name, say).
user_erased = Signal()
