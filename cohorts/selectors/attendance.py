"""Reads for the attendance pages: a session's roster with its counts, one officer's mark."""

from cohorts.models import Attendance, Seat, Session
from cohorts.selectors.cohorts import session_roster, sessions_of

Status = Attendance.Status
STATUS_ORDER = (Status.PRESENT, Status.LATE, Status.EXCUSED, Status.ABSENT)


def roster_page(*, session: Session) -> dict:
    """The roster of one session, its counts and the cohort's sessions: three queries,
    whatever the number of officers."""
    rows = session_roster(session=session)
    counts = dict.fromkeys(STATUS_ORDER, 0)
    unmarked = 0
    for row in rows:
        if row["mark_status"] is None:
            unmarked += 1
        else:
            counts[row["mark_status"]] += 1
    return {
        "rows": rows,
        "counts": [(status, Status(status).label, counts[status]) for status in STATUS_ORDER],
        "unmarked": unmarked,
        "sessions": sessions_of(cohort_id=session.cohort_id),
    }


def checked_in_count(*, session: Session) -> int:
    return Attendance.objects.filter(session=session, status__in=Attendance.ATTENDED).count()


def attendance_of(*, session: Session, seat: Seat) -> Attendance | None:
    return Attendance.objects.filter(session=session, seat=seat).first()
