"""Demo certificates for local development (manage.py seed_demo, after the demo people and
cohorts): a certificate in each state of its lifecycle, so a newcomer sees all of them.

Three demo officers complete the course online the way an officer does, through the real
services: enrol, read every lesson, pass every module quiz with the model answers (its
tracing labs answered from the attempt's own graph). The completion writes the pending
certificate; it is rendered here, in this process, so no worker is needed. Then:

- officer.kim: signed up as "Kim Minjun", so the first certificate says so; he corrects his
  profile to "Kim Min-jun" and staff reissue it: revision 1 superseded, revision 2 issued;
- officer.malee: revoked by staff ("Issued in error: demo");
- officer.ciobanu: issued, and expiring in 20 days;
- officer.lee: none, so the cohort and nomination journeys stay as they are.

Safe to run again: an officer who already has a certificate of the course is not taken
through it again, and each state is only applied where it is not there yet.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.demo import PEOPLE, STAFF
from accounts.models import User
from accounts.services import audit_log, user_update_profile
from assessments.grading import model_answers
from assessments.models import Attempt, Quiz
from assessments.selectors import attempt_questions
from assessments.services import attempt_start, attempt_submit
from certificates.models import Certificate
from certificates.services import (
    certificate_create_for_completion,
    certificate_reissue,
    certificate_render,
    certificate_revoke,
)
from cohorts.demo import DEMO_COURSE_SLUG
from courses.models import Course, Enrollment, Lesson
from courses.services import enrollment_create, lesson_complete

SUPERSEDED, REVOKED, EXPIRING = "superseded", "revoked", "expiring"
# (officer, the state their certificate is left in); officer.lee@knpa.example gets none.
PLANS = (
    ("officer.kim@knpa.example", SUPERSEDED),
    ("officer.malee@rtp.example", REVOKED),
    ("officer.ciobanu@igp.example", EXPIRING),
)
PLAN_TEXT = {
    SUPERSEDED: "issued as revision 1, reissued with a corrected name as revision 2",
    REVOKED: "issued, then revoked",
    EXPIRING: "issued, expiring within 30 days",
}
KIM_AS_TYPED = "Kim Minjun"  # the name he signed up with; accounts.demo has the right one
REISSUE_REASON = "Name corrected at the holder's request: demo"
REVOKE_REASON = "Issued in error: demo"
EXPIRES_IN = timedelta(days=20)
EXPIRING_WITHIN = timedelta(days=30)


@dataclass
class DemoCertificates:
    created: list[str] = field(default_factory=list)  # officers taken through the course
    planned: list[str] = field(default_factory=list)  # what each of those ends up with
    certificates: list[Certificate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def seed_demo_certificates(
    *, course_slug: str = DEMO_COURSE_SLUG, render: bool = True
) -> DemoCertificates:
    """Take the demo officers through the course and leave their certificates in the states
    of PLANS. Needs the demo people (accounts.demo) and the course (sync_content). With
    render=False (a dry run, whose rows are rolled back) the certificates are written but
    not rendered, so no file is stored and no lifecycle step can follow."""
    result = DemoCertificates()
    course = Course.objects.filter(slug=course_slug).first()
    if course is None:
        result.notes.append(f"No course '{course_slug}' yet: no demo certificates.")
        return result
    staff = User.objects.filter(email=STAFF[0]).first()
    if staff is None:
        result.notes.append("The demo staff account is missing: no demo certificates.")
        return result
    for email, state in PLANS:
        user = User.objects.filter(email=email).first()
        if user is None:
            result.notes.append(f"{email}: not found, no demo certificate.")
            continue
        first = _first_certificate(user, course)
        if first is None:
            if state == SUPERSEDED and user.full_name != KIM_AS_TYPED:
                _set_name(user, KIM_AS_TYPED)  # as he typed it at signup: the reissue fixes it
            first = _complete_course(user, course, result)
            if first is None:
                continue
            result.created.append(email)
            result.planned.append(f"{email}: {PLAN_TEXT[state]}")
        if not render:
            continue
        if state == EXPIRING:
            _expire_soon(first)  # before rendering, so the PDF prints the date
        _render(first, result)
        if state == SUPERSEDED:
            _reissue_with_corrected_name(first, staff=staff, result=result)
        elif state == REVOKED:
            _revoke(first, staff=staff)
    # Those already there; and on a dry run not those just written (and rolled back).
    shown = [email for email, _ in PLANS if render or email not in result.created]
    result.certificates = list(
        Certificate.objects.filter(course=course, cohort__isnull=True, user__email__in=shown)
        .select_related("user")
        .order_by("user__email", "revision")
    )
    return result


def _first_certificate(user: User, course: Course) -> Certificate | None:
    return (
        Certificate.objects.filter(user=user, course=course, cohort__isnull=True, revision=1)
        .order_by("created_at")
        .first()
    )


def _complete_course(user: User, course: Course, result: DemoCertificates) -> Certificate | None:
    """Enrol, read every lesson and pass every quiz, as the officer would online; returns the
    certificate the completion wrote."""
    enrollment = enrollment_create(user=user, course=course)
    lessons = Lesson.objects.filter(module__course=course).order_by("module__order", "order")
    for lesson in lessons.select_related("module"):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    quizzes = Quiz.objects.filter(module__course=course).select_related("module")
    for quiz in quizzes.order_by("module__order"):
        passed = Attempt.objects.filter(enrollment=enrollment, quiz=quiz, passed=True)
        if passed.exists():
            continue
        attempt = attempt_start(user=user, quiz=quiz, enrollment=enrollment)
        answers = model_answers(attempt_questions(attempt=attempt), attempt.seed)
        attempt, _graded = attempt_submit(attempt_id=attempt.pk, user=user, raw_answers=answers)
        if not attempt.passed:
            result.notes.append(f"{user.email}: {quiz.title} not passed ({attempt.score}%).")
    enrollment = Enrollment.objects.get(pk=enrollment.pk)
    if enrollment.completed_at is None:
        result.notes.append(f"{user.email}: {course.title} not completed, no certificate.")
        return None
    # The completion signal wrote it; this finds it (or writes it, had the receiver been off).
    return certificate_create_for_completion(enrollment=enrollment)


def _set_name(user: User, full_name: str) -> None:
    user_update_profile(
        user=user,
        full_name=full_name,
        display_name=user.display_name,
        time_zone=user.time_zone,
    )


def _render(certificate: Certificate, result: DemoCertificates) -> Certificate:
    """Render a pending certificate here and now (the worker's part, in this process)."""
    if certificate.status != Certificate.Status.PENDING:
        return certificate
    certificate = certificate_render(certificate_id=certificate.pk)
    if certificate.status == Certificate.Status.PENDING:
        result.notes.append(f"{certificate.serial}: not rendered: {certificate.last_error}")
    return certificate


def _reissue_with_corrected_name(
    first: Certificate, *, staff: User, result: DemoCertificates
) -> None:
    successor = Certificate.objects.filter(supersedes=first).first()
    if successor is None:
        first.refresh_from_db()
        if first.status != Certificate.Status.ISSUED:
            return
        right_name = next(name for email, name, *_ in PEOPLE if email == first.user.email)
        user = first.user
        if user.full_name != right_name:
            _set_name(user, right_name)
        successor = certificate_reissue(
            certificate=first, actor=staff, reason=REISSUE_REASON, holder_name=right_name
        )
    _render(successor, result)


def _revoke(certificate: Certificate, *, staff: User) -> None:
    certificate.refresh_from_db()
    if certificate.status == Certificate.Status.ISSUED:
        certificate_revoke(
            certificate=certificate,
            actor=staff,
            reason_category=Certificate.RevocationReason.ISSUED_IN_ERROR,
            reason=REVOKE_REASON,
        )


def _expire_soon(certificate: Certificate) -> None:
    """Expiring within 30 days, whenever the demo is seeded (again after it expired)."""
    certificate.refresh_from_db()
    now = timezone.now()
    if certificate.status not in (Certificate.Status.PENDING, Certificate.Status.ISSUED):
        return
    if certificate.valid_until and now < certificate.valid_until <= now + EXPIRING_WITHIN:
        return
    # No service moves a certificate's validity: it comes from the course when the
    # certificate is written. Demo data only: set it directly, and say so in the audit trail.
    valid_until = now + EXPIRES_IN
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=valid_until)
    audit_log(
        action="certificate.demo_validity",
        target=certificate,
        details={
            "serial": certificate.serial,
            "valid_until": valid_until.isoformat(),
            "was": certificate.valid_until.isoformat() if certificate.valid_until else None,
        },
    )
