"""Cohort objects for tests/test_access.py: one cohort hosted by agency A with its officer
seated. Each cohorts URL module lists its own id-bearing URLs in its own function below
(schedule_urls, attendance_urls, calendar_urls, report_urls), so they can grow apart."""

from cohorts.models import Seat
from tests.factories import build_cohort, seated


def cohort_context(*, agency, officer, course) -> dict:
    cohort = build_cohort(course=course, host=agency, capacity=5)
    seat = seated(cohort, agency=agency, user=officer)
    assert seat.status == Seat.Status.APPROVED
    return {"cohort": cohort, "seat": seat, "session": cohort.sessions.first()}


def schedule_urls(ctx: dict) -> dict:
    return {}


def attendance_urls(ctx: dict) -> dict:
    return {}


def calendar_urls(ctx: dict) -> dict:
    return {}


def report_urls(ctx: dict) -> dict:
    return {}


def cohort_urls(ctx: dict) -> dict:
    return {
        **schedule_urls(ctx),
        **attendance_urls(ctx),
        **calendar_urls(ctx),
        **report_urls(ctx),
    }
