"""Signals from cohorts to higher layers (certificates), so cohorts never imports them."""

from django.dispatch import Signal

# Sent inside the completing transaction with seat=<Seat> and enrollment=<Enrollment>; a
# receiver that writes (the pending certificate) commits or rolls back with the completion.
cohort_completed = Signal()

# Sent inside the marking transaction (roster, import, check-in all go through
# attendance_mark) with attendance=<Attendance> and seat=<Seat> when a mark changes: the
# officer's in-person hours may change (compliance summaries).
attendance_marked = Signal()
