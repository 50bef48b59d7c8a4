"""Signals from certificates to higher layers (reports), so certificates never imports them."""

from django.dispatch import Signal

# Sent inside the writing transaction with certificate=<Certificate> whenever a certificate's
# status changes (issued, revoked, suspended, reinstated, superseded, back to pending): a
# "current certificate" requirement may be met or lost.
certificate_status_changed = Signal()


def certificate_status_changed_send(certificate) -> None:
    certificate_status_changed.send(sender=type(certificate), certificate=certificate)
