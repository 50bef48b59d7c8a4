"""Reads for the cohort report: who holds a seat, their mark at each session, how far they are
towards completion, their assessment and their certificate.

Every cohort report read is a fixed number of queries whatever the number of seats: the page
and the CSV export cost the same at 10 officers and at 600.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from assessments.models import Attempt
from certificates.models import Certificate
from cohorts.models import Attendance, Cohort, Seat, Session
from cohorts.selectors.cohorts import cohort_seats, cohort_sessions
from cohorts.selectors.completion import cohort_completion_facts

# Which seats a report lists: "held" (confirmed seats, the ones attendance is taken for) or
# "others" (nominated, waitlisted, offered, declined, withdrawn...), or all of them.
HELD = "held"
OTHERS = "others"
ALL = "all"
SECTIONS = (HELD, OTHERS)


@dataclass
class ReportRow:
    seat: Seat
    # One mark per session (not cancelled), in session order: an Attendance.Status value,
    # or "" when the officer was not marked.
    marks: list[str]
    facts: dict
    best_score: object = None  # Decimal | None: the best graded score for the assessment
    certificate: Certificate | None = None

    @property
    def name(self) -> str:
        return self.seat.user.get_short_name()

    @property
    def mark_labels(self) -> list[tuple[str, str]]:
        """(status, its label) per session; ("", "") where no mark was taken."""
        return [(mark, Attendance.Status(mark).label if mark else "") for mark in self.marks]


@dataclass
class ReportSummary:
    held: int
    others: int
    completed: int
    certificates_issued: int
    # (session, officers present or late) for each session that is not cancelled.
    attendance: list[tuple[Session, int]] = field(default_factory=list)


def report_seats(*, cohort: Cohort, section: str = HELD, agency_ids=None) -> QuerySet[Seat]:
    """The seats a report lists, in name order; agency_ids None: every agency."""
    seats = cohort_seats(cohort=cohort, agency_ids=agency_ids)
    if section == HELD:
        return seats.filter(status=Seat.Status.APPROVED)
    if section == OTHERS:
        return seats.exclude(status=Seat.Status.APPROVED)
    if section == ALL:
        return seats
    raise ValueError(section)


def report_sessions(*, cohort: Cohort) -> list[Session]:
    """The sessions that are reported on: the ones not cancelled, in order (one query)."""
    return list(cohort_sessions(cohort=cohort, include_cancelled=False))


def report_rows(*, cohort: Cohort, seats: list[Seat], sessions: list[Session]) -> list[ReportRow]:
    """A row per seat with marks, completion facts, assessment and certificate. Eleven queries
    for any number of seats (the completion facts take eight)."""
    if not seats:
        return []
    seat_ids = [seat.pk for seat in seats]
    user_ids = [seat.user_id for seat in seats]
    facts = cohort_completion_facts(cohort=cohort, seats=seats)
    marks: dict[tuple[int, int], str] = {
        (seat_id, session_id): status
        for seat_id, session_id, status in Attendance.objects.filter(
            seat_id__in=seat_ids, session_id__in=[s.pk for s in sessions]
        ).values_list("seat_id", "session_id", "status")
    }
    best_scores = {}
    if cohort.assessment_id:
        best_scores = dict(
            Attempt.objects.filter(
                user_id__in=user_ids,
                quiz_id=cohort.assessment_id,
                status=Attempt.Status.GRADED,
            )
            .values("user_id")
            .annotate(best=Max("score"))
            .values_list("user_id", "best")
        )
    certificates = {
        certificate.user_id: certificate
        for certificate in Certificate.objects.filter(cohort=cohort, user_id__in=user_ids)
    }
    return [
        ReportRow(
            seat=seat,
            marks=[marks.get((seat.pk, session.pk), "") for session in sessions],
            facts=facts[seat.pk],
            best_score=best_scores.get(seat.user_id),
            certificate=certificates.get(seat.user_id),
        )
        for seat in seats
    ]


def report_summary(*, cohort: Cohort, sessions: list[Session], agency_ids=None) -> ReportSummary:
    """Counts over the seats in the report's scope: held and other seats, completions,
    certificates issued, and how many held seats attended each session. Three queries."""
    seats = Seat.objects.filter(cohort=cohort)
    if agency_ids is not None:
        seats = seats.filter(agency_id__in=agency_ids)
    held = Q(status=Seat.Status.APPROVED)
    counts = seats.aggregate(
        held=Count("pk", filter=held),
        others=Count("pk", filter=~held),
        completed=Count("pk", filter=held & Q(completed_at__isnull=False)),
    )
    attended = dict(
        Attendance.objects.filter(
            seat__in=seats.filter(held),
            session_id__in=[s.pk for s in sessions],
            status__in=Attendance.ATTENDED,
        )
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    issued = Certificate.objects.filter(
        cohort=cohort,
        status=Certificate.Status.ISSUED,
        user_id__in=seats.values("user_id"),
    ).count()
    return ReportSummary(
        held=counts["held"],
        others=counts["others"],
        completed=counts["completed"],
        certificates_issued=issued,
        attendance=[(session, attended.get(session.pk, 0)) for session in sessions],
    )


def report_export_rows(*, cohort: Cohort, agency_ids=None) -> tuple[list[Session], list[ReportRow]]:
    """Every seat in the report's scope with its facts, for a file: held seats first, then
    the others, each part in name order. Returns (sessions, rows); a fixed number of queries."""
    sessions = report_sessions(cohort=cohort)
    seats = list(report_seats(cohort=cohort, section=ALL, agency_ids=agency_ids))
    seats.sort(key=lambda seat: seat.status != Seat.Status.APPROVED)
    return sessions, report_rows(cohort=cohort, seats=seats, sessions=sessions)
