"""{% cohort_badge cohort %} and {% seat_badge seat %}: a status as a coloured badge (green
for going ahead, amber for waiting, red for stopped). Written in Python: a cohort list shows
one or two per row, and the included templates they replace cost more than the row."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()

COHORT_OK = {"open", "running"}
SEAT_WAITING = {"nominated", "waitlisted", "offered"}


@register.simple_tag
def cohort_badge(cohort) -> SafeString:
    if cohort.status in COHORT_OK:
        tone = "badge-ok"
    elif cohort.status == "cancelled":
        tone = "badge-bad"
    else:
        tone = "badge-warn"
    return format_html('<span class="badge {}">{}</span>', tone, cohort.get_status_display())


@register.simple_tag
def seat_badge(seat) -> SafeString:
    if seat.status == "approved":
        tone = "badge-ok"
    elif seat.status in SEAT_WAITING:
        tone = "badge-warn"
    else:
        tone = "badge-bad"
    badge = format_html('<span class="badge {}">{}</span>', tone, seat.get_status_display())
    if seat.walk_in:
        badge = format_html('{} <span class="badge">{}</span>', badge, gettext("Walk-in"))
    return badge
