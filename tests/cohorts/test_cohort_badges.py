"""{% cohort_badge %} and {% seat_badge %}: green for going ahead, amber for waiting, red for
stopped, in the viewer's language."""

from django.template import Context, Template
from django.utils import translation

from cohorts.models import Cohort, Seat

COHORT_TONES = {
    "draft": "badge-warn",
    "open": "badge-ok",
    "full": "badge-warn",
    "running": "badge-ok",
    "closed": "badge-warn",
    "cancelled": "badge-bad",
}
SEAT_TONES = {
    "nominated": "badge-warn",
    "approved": "badge-ok",
    "waitlisted": "badge-warn",
    "offered": "badge-warn",
    "declined": "badge-bad",
    "withdrawn": "badge-bad",
    "expired": "badge-bad",
    "cancelled": "badge-bad",
}


def render(markup: str, **context) -> str:
    return Template("{% load cohort_badges %}" + markup).render(Context(context))


def test_every_cohort_status_has_its_tone_and_label():
    assert set(COHORT_TONES) == set(Cohort.Status.values)
    for status, tone in COHORT_TONES.items():
        cohort = Cohort(status=status)
        html = render("{% cohort_badge cohort %}", cohort=cohort)
        assert html == f'<span class="badge {tone}">{cohort.get_status_display()}</span>'


def test_every_seat_status_has_its_tone_and_a_walk_in_says_so():
    assert set(SEAT_TONES) == set(Seat.Status.values)
    for status, tone in SEAT_TONES.items():
        seat = Seat(status=status)
        html = render("{% seat_badge seat %}", seat=seat)
        assert html == f'<span class="badge {tone}">{seat.get_status_display()}</span>'
    walk_in = Seat(status="approved", walk_in=True)
    with translation.override("ko"):
        html = render("{% seat_badge seat %}", seat=walk_in)
        label = walk_in.get_status_display()
    assert (
        html == f'<span class="badge badge-ok">{label}</span> <span class="badge">현장 등록</span>'
    )
