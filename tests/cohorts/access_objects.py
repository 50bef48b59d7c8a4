"""Cohort objects for tests/test_access.py: one cohort hosted by agency A with its officer
seated. The id-bearing URLs are listed by capability, one function each below
(schedule_urls, attendance_urls, calendar_urls, report_urls), so they can grow apart."""

from cohorts.models import Seat
from tests.factories import build_cohort, seated


def cohort_context(*, agency, officer, course) -> dict:
    cohort = build_cohort(course=course, host=agency, capacity=5)
    seat = seated(cohort, agency=agency, user=officer)
    assert seat.status == Seat.Status.APPROVED
    return {"cohort": cohort, "seat": seat, "session": cohort.sessions.first()}


def schedule_urls(ctx: dict) -> dict:
    cohort = {"cohort_id": ctx["cohort"].pk}
    session = {"session_id": ctx["session"].pk}
    seat = {"seat_id": ctx["seat"].pk}
    participation = {"participation_id": ctx["cohort"].participations.first().pk}
    return {
        "cohorts:detail": cohort,
        "cohorts:edit": cohort,
        "cohorts:sessions": cohort,
        "cohorts:agencies": cohort,
        "cohorts:status": cohort,
        "cohorts:nominate": cohort,
        "cohorts:seats": cohort,
        "cohorts:walk_in": cohort,
        "cohorts:session_edit": session,
        "cohorts:session_cancel": session,
        "cohorts:participation_remove": participation,
        "cohorts:seat_approve": seat,
        "cohorts:seat_decline": seat,
        "cohorts:seat_withdraw": seat,
        "cohorts:seat_claim": seat,
        "cohorts:seat_leave": seat,
    }


def attendance_urls(ctx: dict) -> dict:
    from cohorts.checkin import qr_token, window_at

    session = ctx["session"]
    by_session = {"session_id": session.pk}
    window = window_at()
    return {
        "cohorts:roster": by_session,
        "cohorts:mark": by_session,
        "cohorts:qr": by_session,
        "cohorts:sign_in_sheet": by_session,
        "cohorts:sign_in_sheet_pdf": by_session,
        "cohorts:attendance_import": by_session,
        # Another agency's admin holds no seat in the cohort: the valid code leads nowhere.
        "cohorts:checkin": {**by_session, "window": window, "token": qr_token(session, window)},
        "cohorts:checkin_done": by_session,
    }


def calendar_urls(ctx: dict) -> dict:
    return {"cohorts:cohort_ics": {"cohort_id": ctx["cohort"].pk}}


def report_urls(ctx: dict) -> dict:
    cohort = {"cohort_id": ctx["cohort"].pk}
    return {"reports:cohort_report": cohort, "reports:cohort_report_export": cohort}


def cohort_urls(ctx: dict) -> dict:
    return {
        **schedule_urls(ctx),
        **attendance_urls(ctx),
        **calendar_urls(ctx),
        **report_urls(ctx),
    }
