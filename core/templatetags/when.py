"""Dates and times written the way the viewer's language writes them.

Django localises its named formats (DATE_FORMAT, DATETIME_FORMAT...), but a page that needs
the weekday, or a date without the year, used literal formats such as "D j M Y, H:i", which
put a Korean date in English order ("토 5 12월 2026"). `{{ value|when:"day_time" }}` picks the
pattern for the active language instead:

    day_time        Sat 5 Dec 2026, 14:00     2026년 12월 5일 (토) 14:00
    day_time_short  Sat 5 Dec, 14:00          12월 5일 (토) 14:00
    date_short      5 Dec 2026                2026년 12월 5일
"""

from django import template
from django.utils import dateformat
from django.utils.translation import get_language

register = template.Library()

PATTERNS = {
    "en": {"day_time": "D j M Y, H:i", "day_time_short": "D j M, H:i", "date_short": "j M Y"},
    "ko": {
        "day_time": "Y년 n월 j일 (D) H:i",
        "day_time_short": "n월 j일 (D) H:i",
        "date_short": "Y년 n월 j일",
    },
    "th": {"day_time": "D j M Y, H:i", "day_time_short": "D j M, H:i", "date_short": "j M Y"},
    # Romanian abbreviates months inconsistently ("Dec" in Django's catalogue): write them out,
    # and in lower case, as Romanian writes weekdays and months (see LOWER_CASE).
    "ro": {"day_time": "l, j F Y, H:i", "day_time_short": "l, j F, H:i", "date_short": "j F Y"},
}


LOWER_CASE = {"ro"}


@register.filter
def when(value, style: str = "day_time") -> str:
    """value (a date or an aware datetime already in the zone to show) in the active
    language's pattern for style; '' for no value."""
    if value in (None, ""):
        return ""
    language = (get_language() or "en").split("-")[0]
    patterns = PATTERNS.get(language, PATTERNS["en"])
    text = dateformat.format(value, patterns[style])
    return text.lower() if language in LOWER_CASE else text
