"""The `datetime_attr` filter: `<time datetime>` values HTML accepts (at most milliseconds)."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.templatetags.machine_time import datetime_attr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC), "2026-03-04T05:06:07.891+00:00"),
        (datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC), "2026-03-04T05:06:07+00:00"),
        (
            datetime(2026, 3, 4, 9, 0, tzinfo=timezone(timedelta(hours=7))),
            "2026-03-04T09:00:00+07:00",
        ),
        (date(2026, 3, 4), "2026-03-04"),
        (None, ""),
    ],
)
def test_datetime_attr_keeps_at_most_milliseconds(value, expected):
    assert datetime_attr(value) == expected
