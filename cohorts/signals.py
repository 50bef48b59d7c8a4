"""Signals from cohorts to higher layers (certificates), so cohorts never imports them."""

from django.dispatch import Signal

# Sent inside the completing transaction with seat=<Seat> and enrollment=<Enrollment>; a
# receiver that writes (the pending certificate) commits or rolls back with the completion.
cohort_completed = Signal()
