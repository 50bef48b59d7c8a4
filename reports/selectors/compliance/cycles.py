"""Cycles of a requirement set: the cycle that contains a day, and each officer's plan (their current and previous cycle, in their agency's time zone)."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from courses.models import (
    TrainingCategory,
)
from reports.models import RequirementSet

_CURRENT, _PREVIOUS = 1, 0


SECONDS_PER_HOUR = Decimal(3600)


ZERO = Decimal(0)


CATEGORIES = tuple(TrainingCategory.values)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), on the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cycle_containing(*, anchor: date, months: int, today: date) -> tuple[date, date, int]:
    """(start, end, index) of the cycle of `months` months from `anchor` that contains today;
    index 0 is the cycle starting at the anchor, negative before it."""
    elapsed = (today.year - anchor.year) * 12 + today.month - anchor.month
    index = elapsed // months
    # The day-of-month clamp can put today one cycle off the estimate: step to the right one.
    while add_months(anchor, index * months) > today:
        index -= 1
    while add_months(anchor, (index + 1) * months) <= today:
        index += 1
    return add_months(anchor, index * months), add_months(anchor, (index + 1) * months), index


@dataclass(frozen=True)
class _Cycles:
    """The current and previous cycle from one anchor, as dates and as aware instants;
    shared by every officer with the same anchor (all of an agency, for a fixed anchor)."""

    start: date
    end: date
    index: int
    previous: date
    days_left: int
    starts: dict  # _PREVIOUS/_CURRENT -> aware start
    ends: dict


@dataclass
class _Plan:
    """One officer's cycles, before the evidence is read."""

    user_id: int
    agency_id: int
    requirement_set: RequirementSet
    cycles: _Cycles
    # The previous cycle's first day, when the officer was bound by it.
    previous_start: date | None

    @property
    def starts(self) -> dict:
        return self.cycles.starts

    @property
    def ends(self) -> dict:
        return self.cycles.ends

    @property
    def cycle_start(self) -> date:
        return self.cycles.start

    @property
    def cycle_end(self) -> date:
        return self.cycles.end

    @property
    def days_left(self) -> int:
        return self.cycles.days_left


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _cycles(*, anchor: date, months: int, today: date, zone: ZoneInfo) -> _Cycles:
    start, end, index = cycle_containing(anchor=anchor, months=months, today=today)
    previous = add_months(anchor, (index - 1) * months)
    starts = {_CURRENT: _midnight(start, zone), _PREVIOUS: _midnight(previous, zone)}
    ends = {_CURRENT: _midnight(end, zone), _PREVIOUS: starts[_CURRENT]}
    return _Cycles(
        start=start,
        end=end,
        index=index,
        previous=previous,
        days_left=(end - today).days,
        starts=starts,
        ends=ends,
    )


def _plan(
    *,
    user_id: int,
    agency_id: int,
    started_at: datetime,
    requirement,
    today: date | None,
    cache: dict | None = None,
) -> _Plan:
    cache = {} if cache is None else cache
    requirement_set = requirement.requirement_set
    time_zone = requirement.agency.time_zone
    zone = ZoneInfo(time_zone)
    local_today = today or cache.get(time_zone)
    if local_today is None:
        local_today = cache[time_zone] = timezone.localdate(timezone=zone)
    start_day = started_at.astimezone(zone).date()
    fixed = requirement_set.anchor == RequirementSet.Anchor.FIXED
    anchor = requirement_set.anchor_date if fixed else min(start_day, local_today)
    key = (requirement_set.pk, time_zone, anchor, local_today)
    cycles = cache.get(key)
    if cycles is None:
        cycles = cache[key] = _cycles(
            anchor=anchor, months=requirement_set.cycle_months, today=local_today, zone=zone
        )
    # Bound by the previous cycle: started by its first day (from their own start: always,
    # once it is not their first cycle).
    bound = start_day <= cycles.previous if fixed else cycles.index >= 1
    return _Plan(
        user_id=user_id,
        agency_id=agency_id,
        requirement_set=requirement_set,
        cycles=cycles,
        previous_start=cycles.previous if bound else None,
    )
