"""{{ when|datetime_attr }}: a date or time for a `<time datetime>` attribute.

HTML allows at most three digits of a second's fraction there, while Python's isoformat (and
the `date:"c"` filter) writes six whenever a value has microseconds, as stored timestamps do.
"""

from datetime import date, datetime

from django import template

register = template.Library()


@register.filter
def datetime_attr(value) -> str:
    """ISO 8601 with at most millisecond precision (none when the value has no fraction)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    return ""
