"""Signals that let higher layers react to learning events without courses importing them."""

from django.dispatch import Signal

# Sent inside the completing transaction with enrollment=<Enrollment>; receivers that write
# (a pending certificate, say) therefore commit or roll back together with the completion.
course_completed = Signal()

# Sent inside the transaction that first records a lesson read, with enrollment=<Enrollment>
# and progress=<LessonProgress>: hours and module completions change (compliance summaries).
lesson_completed = Signal()
