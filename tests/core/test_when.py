"""Dates with a weekday, or without a year, in the order the viewer's language writes them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core.templatetags.when import when

SEOUL = ZoneInfo("Asia/Seoul")
AT = datetime(2026, 12, 5, 14, 0, tzinfo=SEOUL)


@pytest.mark.parametrize(
    "language, style, expected",
    [
        ("en", "day_time", "Sat 5 Dec 2026, 14:00"),
        ("en", "day_time_short", "Sat 5 Dec, 14:00"),
        ("ko", "day_time", "2026년 12월 5일 (토) 14:00"),
        ("ko", "day_time_short", "12월 5일 (토) 14:00"),
        ("ko", "date_short", "2026년 12월 5일"),
        ("ro", "day_time", "sâmbătă, 5 decembrie 2026, 14:00"),
        ("th", "day_time", "ส. 5 ธ.ค. 2026, 14:00"),
    ],
)
def test_when_follows_the_language(language, style, expected):
    with translation.override(language):
        assert when(AT, style) == expected


def test_when_takes_dates_and_nothing():
    with translation.override("ko"):
        assert when(date(2026, 1, 2), "date_short") == "2026년 1월 2일"
        assert when(None) == ""


def test_venue_and_viewer_times_in_korean():
    template = Template("{% load cohort_times %}{% instant instant zone %}")
    with translation.override("ko"):
        html = template.render(Context({"instant": AT, "zone": "Asia/Bangkok"}))
    assert "2026년 12월 5일 (토) 12:00" in html  # 14:00 in Seoul is 12:00 in Bangkok
