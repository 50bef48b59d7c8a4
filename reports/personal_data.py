"""'Download my data': everything the site holds about the signed-in person, as a dict for
JSON (the view is reports.views.personal_data).

It reads accounts, courses, assessments, cohorts and certificates, so it lives here in reports,
the one app allowed to read them all. A fixed number of queries, however much there is.
"""

from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import AuditEvent, Membership, User
from assessments.models import Attempt
from certificates.models import Certificate
from cohorts.models import Attendance, Seat
from courses.models import Enrollment, LessonProgress

FORMAT_VERSION = 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def personal_data(*, user: User) -> dict[str, Any]:
    """The person's account, memberships, learning records, certificates and the audit
    events they caused. Nothing about anyone else: no other person's name or email."""
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("agency", "unit")
        .order_by("created_at", "id")
    )
    enrollments = (
        Enrollment.objects.filter(user=user)
        .select_related("course")
        .prefetch_related(
            Prefetch(
                "progress",
                queryset=LessonProgress.objects.select_related("lesson", "version").order_by(
                    "completed_at", "id"
                ),
            )
        )
        .order_by("enrolled_at", "id")
    )
    attempts = (
        Attempt.objects.filter(user=user)
        .select_related("quiz", "enrollment__course")
        .order_by("started_at", "id")
    )
    certificates = Certificate.objects.filter(user=user).order_by("created_at", "id")
    seats = (
        Seat.objects.filter(user=user)
        .select_related("cohort", "agency")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("session").order_by(
                    "session__starts_at", "id"
                ),
            )
        )
        .order_by("nominated_at", "id")
    )
    events = (
        AuditEvent.objects.filter(actor=user)
        .order_by("created_at", "id")
        .values("created_at", "action", "outcome")
    )
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": _when(timezone.now()),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "display_name": user.display_name,
            "language": user.language,
            "time_zone": user.time_zone,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "memberships": [
            {
                "agency": membership.agency.name if membership.agency else None,
                "country": membership.country or None,
                "unit": membership.unit.name if membership.unit else None,
                "role": membership.role,
                "status": membership.status,
                "vetted_at": _when(membership.vetted_at),
            }
            for membership in memberships
        ],
        "enrollments": [
            {
                "course": enrollment.course.title,
                "enrolled_at": _when(enrollment.enrolled_at),
                "completed_at": _when(enrollment.completed_at),
                "lessons_completed": [
                    {
                        "lesson": progress.lesson.title,
                        "version": progress.version.number,
                        "completed_at": _when(progress.completed_at),
                    }
                    for progress in enrollment.progress.all()
                ],
            }
            for enrollment in enrollments
        ],
        "quiz_attempts": [
            {
                "quiz": attempt.quiz.title,
                "course": attempt.enrollment.course.title,
                "status": attempt.status,
                "started_at": _when(attempt.started_at),
                "submitted_at": _when(attempt.submitted_at),
                "score": str(attempt.score) if attempt.score is not None else None,
                "passed": attempt.passed,
            }
            for attempt in attempts
        ],
        "certificates": [
            {
                "serial": certificate.serial,
                "course": certificate.course_title,
                "holder_name": certificate.holder_name,
                "status": certificate.status,
                "issued_at": _when(certificate.issued_at),
                "verification_url": certificate.verify_url,
            }
            for certificate in certificates
        ],
        "cohorts": [
            {
                "cohort": seat.cohort.title,
                "city": seat.cohort.city,
                "country": seat.cohort.country,
                "agency": seat.agency.name,
                "status": seat.status,
                "walk_in": seat.walk_in,
                "nominated_at": _when(seat.nominated_at),
                "completed_at": _when(seat.completed_at),
                "attendance": [
                    {
                        "session_starts_at": _when(mark.session.starts_at),
                        "status": mark.status,
                        "note": mark.note,
                        "source": mark.source,
                    }
                    for mark in seat.attendance.all()
                ],
            }
            for seat in seats
        ],
        "audit_events": [
            {
                "time": _when(event["created_at"]),
                "action": event["action"],
                "outcome": event["outcome"],
            }
            for event in events
        ],
    }
