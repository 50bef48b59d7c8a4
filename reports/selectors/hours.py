"""Training hours per category, for transcripts and compliance.

Online hours are the recorded minutes (`Lesson.minutes`) of each lesson an officer completed,
counted in its module's category (module.md's `category`). In-person hours are the scheduled
length of each session the officer attended (present or late) in a cohort, counted in the
cohort's category. Two GROUP BY queries for any number of officers.
"""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db.models import DurationField, ExpressionWrapper, F, Q, Sum

from cohorts.models import Attendance
from courses.models import LessonProgress

# The key in a minimum-hours map (RequirementSet.minimum_hours) that counts every category.
TOTAL = "total"
# The category of a module that declares none.
UNCATEGORISED = ""

HOUR = Decimal(60)


def _window(field: str, since: datetime | None, until: datetime | None) -> Q:
    q = Q()
    if since is not None:
        q &= Q(**{f"{field}__gte": since})
    if until is not None:
        q &= Q(**{f"{field}__lt": until})
    return q


def hours_by_category(
    *, user_ids, since: datetime | None = None, until: datetime | None = None
) -> dict[int, dict[str, Decimal]]:
    """{user_id: {category: hours, ..., "total": hours}} for lessons completed and sessions
    attended in [since, until) (either open). Officers with no hours are absent. Hours are
    exact (minutes / 60), not rounded; round where they are shown."""
    minutes: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    online = (
        LessonProgress.objects.filter(
            _window("completed_at", since, until), enrollment__user_id__in=user_ids
        )
        .values_list("enrollment__user_id", "lesson__module__category")
        .annotate(minutes=Sum("lesson__minutes"))
        .order_by()
    )
    for user_id, category, total in online:
        minutes[user_id][category or UNCATEGORISED] += Decimal(total or 0)
    length = ExpressionWrapper(F("session__ends_at") - F("session__starts_at"), DurationField())
    in_person = (
        Attendance.objects.filter(
            _window("session__starts_at", since, until),
            seat__user_id__in=user_ids,
            status__in=Attendance.ATTENDED,
            session__is_cancelled=False,
        )
        .values_list("seat__user_id", "seat__cohort__category")
        .annotate(length=Sum(length))
        .order_by()
    )
    for user_id, category, total in in_person:
        seconds = Decimal(int(total.total_seconds())) if total else Decimal(0)
        minutes[user_id][category or UNCATEGORISED] += seconds / HOUR
    result: dict[int, dict[str, Decimal]] = {}
    for user_id, per_category in minutes.items():
        hours = {category: value / HOUR for category, value in per_category.items()}
        hours[TOTAL] = sum(hours.values(), Decimal(0))
        result[user_id] = hours
    return result
