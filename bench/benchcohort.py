"""The in-person cohort the benchmarks measure: a course, a Thai host agency and a running
cohort in Bangkok with daily sessions (cohort_roster.py, certificate_throughput.py)."""


def bangkok_cohort(*, created_by, capacity: int, first_day, sessions: int, nomination_deadline):
    """The course, the host agency (its participation) and the cohort, created by
    `created_by`, with `sessions` daily sessions from `first_day`, 09:00-17:00 venue time."""
    from datetime import time as clock
    from datetime import timedelta

    from accounts.models import Agency
    from cohorts.models import Cohort, Participation, Session
    from courses.models import Course

    course = Course.objects.create(
        slug="bench-course",
        title="Cryptocurrency investigation",
        summary="Benchmark course.",
        source_path="content/courses/bench-course/course.md",
        content_hash="0" * 64,
    )
    agency = Agency.objects.create(
        name="Royal Thai Police (benchmark)", country="TH", time_zone="Asia/Bangkok"
    )
    cohort = Cohort.objects.create(
        course=course,
        title="Tracing stolen funds, in person",
        country="TH",
        city="Bangkok",
        venue_name="Training Centre",
        venue_address="1 Rama IV Road",
        time_zone="Asia/Bangkok",
        language="en",
        capacity=capacity,
        host_agency=agency,
        nomination_deadline=nomination_deadline,
        status=Cohort.Status.RUNNING,
        created_by=created_by,
    )
    Participation.objects.create(cohort=cohort, agency=agency, role=Participation.Role.HOST)
    for offset in range(sessions):
        Session.objects.create(
            cohort=cohort,
            date=first_day + timedelta(days=offset),
            start_time=clock(9, 0),
            end_time=clock(17, 0),
            time_zone=cohort.time_zone,
        )
    return cohort
