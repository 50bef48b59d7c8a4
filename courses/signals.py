"""Signals that let higher layers react to learning events without courses importing them."""

from django.dispatch import Signal

# Sent inside the completing transaction with enrollment=<Enrollment>; receivers that write
# (a pending certificate, say) therefore commit or roll back together with the completion.
course_completed = Signal()
