"""{% cohort_badge %} and {% seat_badge %}: green for going ahead, amber for waiting, red for
stopped, in the viewer's language."""

import pytest
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


@pytest.mark.parametrize(
    ("tag", "model", "tones"),
    [("cohort_badge", Cohort, COHORT_TONES), ("seat_badge", Seat, SEAT_TONES)],
)
def test_every_status_has_its_tone_and_label(tag, model, tones):
    assert set(tones) == set(model.Status.values)
    for status, tone in tones.items():
        row = model(status=status)
        html = render(f"{{% {tag} row %}}", row=row)
        assert html == f'<span class="badge {tone}">{row.get_status_display()}</span>'


def test_a_walk_in_says_so_in_the_viewers_language():
    walk_in = Seat(status="approved", walk_in=True)
    with translation.override("ko"):
        html = render("{% seat_badge seat %}", seat=walk_in)
        label = walk_in.get_status_display()
    assert (
        html == f'<span class="badge badge-ok">{label}</span> <span class="badge">현장 등록</span>'
    )
