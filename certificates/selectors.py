"""Reads for certificates."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from assessments.models import Attempt, Quiz
from certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateBatchItem,
    CertificateReminder,
    CertificateRenewal,
    StatusList,
)
from core.prepared import prepared
from courses.models import Lesson, LessonProgress


def user_certificates(*, user) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user=user).order_by("-created_at")


@prepared
def certificates_of(*, user_id: int) -> QuerySet[Certificate]:
    """user_certificates as a list, its SQL compiled once per process (the dashboard's)."""
    return user_certificates(user=user_id)


def newest_revision(certificate: Certificate) -> Certificate:
    """Follow superseded_by to the latest certificate in this line."""
    current = certificate
    while True:
        successor = Certificate.objects.filter(supersedes=current).first()
        if successor is None:
            return current
        current = successor


def certificate_revisions(*, certificate: Certificate) -> list[Certificate]:
    """Every revision of this serial, and the certificate a renewal replaced or was replaced
    by (a new serial), oldest first, in one query, for the history."""
    line = Q(serial=certificate.serial) | Q(supersedes_id=certificate.pk)
    if certificate.supersedes_id:
        line |= Q(pk=certificate.supersedes_id)
    return list(Certificate.objects.filter(line).order_by("created_at", "pk"))


def certificate_history(*, revisions: list[Certificate]) -> list[AuditEvent]:
    """The audit rows of these certificates, oldest first, with who did each (one query):
    the status history on the certificate page for staff and the holder's agency admin."""
    return list(
        AuditEvent.objects.filter(
            target_type=Certificate._meta.label_lower,
            target_id__in=[str(revision.pk) for revision in revisions],
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )


# A credential exists once the certificate was issued, whatever happened since (expiry is a
# date on an issued certificate); pending and failed ones have none.
CREDENTIAL_STATUSES = [
    Certificate.Status.ISSUED,
    Certificate.Status.REVOKED,
    Certificate.Status.SUSPENDED,
    Certificate.Status.SUPERSEDED,
]


def credential_certificate(*, certificate_id: int) -> Certificate | None:
    """The certificate with what its credential reads (holder, course, the status lists'
    names but not their 16 KiB of bits), or None when it has no credential."""
    return (
        Certificate.objects.filter(pk=certificate_id, status__in=CREDENTIAL_STATUSES)
        .select_related("user", "course", "revocation_list", "suspension_list")
        .defer("revocation_list__bits", "suspension_list__bits")
        .first()
    )


def reminders_due(*, now: datetime) -> list[tuple[int, int]]:
    """(certificate id, days before) of the expiry reminder due now for each certificate that
    still needs one: only the nearest of 90, 30 and 7 days (a certificate found late gets one
    message, not three) and only for the newest certificate of a line (issued, with no
    successor; revoked, suspended and superseded ones are not issued). Two queries."""
    horizon = now + timedelta(days=max(CertificateReminder.DAYS))
    expiring = list(
        Certificate.objects.filter(
            status=Certificate.Status.ISSUED,
            valid_until__gt=now,
            valid_until__lte=horizon,
            superseded_by__isnull=True,
        ).values_list("pk", "serial", "valid_until")
    )
    wanted = {}
    for pk, serial, valid_until in expiring:
        left = valid_until - now
        days = min(d for d in CertificateReminder.DAYS if left <= timedelta(days=d))
        wanted[pk] = (serial, valid_until, days)
    if not wanted:
        return []
    # A reissue (same serial, same validity) does not repeat what its predecessor was sent.
    done = set(
        CertificateReminder.objects.filter(
            certificate__serial__in={serial for serial, _until, _days in wanted.values()}
        ).values_list("certificate__serial", "certificate__valid_until", "days_before")
    )
    return [(pk, key[2]) for pk, key in wanted.items() if key not in done]


# A certificate may be renewed from this many days before it expires (and after).
RENEWAL_WINDOW_DAYS = 90


def renewal_opens_at(certificate: Certificate) -> datetime | None:
    if certificate.valid_until is None:
        return None
    return certificate.valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)


def renewal_refusal(*, certificate: Certificate, now: datetime | None = None) -> str:
    """Why this certificate cannot be renewed now, in words for its holder; "" when it can:
    it is issued (expired or not), the newest of its line, and expires within 90 days."""
    now = now or timezone.now()
    if certificate.status == Certificate.Status.SUPERSEDED:
        return _("A newer certificate replaces this one; renew that one instead.")
    if certificate.status != Certificate.Status.ISSUED:
        return _("This certificate is %(status)s and cannot be renewed.") % {
            "status": certificate.get_status_display().lower()
        }
    if Certificate.objects.filter(supersedes=certificate).exists():
        return _("A newer certificate is being prepared for you.")
    opens_at = renewal_opens_at(certificate)
    if opens_at is None:
        return _("This certificate does not expire, so it needs no renewal.")
    if now < opens_at:
        return _("Renewal opens %(days)s days before the certificate expires, on %(date)s.") % {
            "days": RENEWAL_WINDOW_DAYS,
            "date": date_format(opens_at, "DATE_FORMAT"),
        }
    return ""


def final_quiz(*, course) -> Quiz | None:
    """The course's final assessment: the quiz of its last module that has one."""
    return (
        Quiz.objects.filter(module__course=course)
        .select_related("module__course")
        .order_by("-module__order", "-module__id")
        .first()
    )


def status_list_by_slug(*, slug: str) -> StatusList | None:
    """The list named revocation-1, suspension-2, ...; without its bits (cache first)."""
    purpose, _, number = slug.rpartition("-")
    if purpose not in StatusList.Purpose.values or not number.isdigit():
        return None
    return StatusList.objects.defer("bits").filter(purpose=purpose, number=int(number)).first()


def status_list_with_bits(*, status_list_id: int) -> StatusList:
    return StatusList.objects.get(pk=status_list_id)


@dataclass
class RenewalState:
    """Where a holder stands in renewing a certificate: the lessons that changed materially
    since the versions it pins (each with .reread), and the final assessment."""

    certificate: Certificate
    renewal: CertificateRenewal | None
    refusal: str
    lessons: list[Lesson]
    quiz: Quiz | None
    quiz_passed: bool

    @property
    def lessons_done(self) -> bool:
        return all(lesson.reread for lesson in self.lessons)

    @property
    def ready(self) -> bool:
        return self.renewal is not None and self.lessons_done and self.quiz_passed


def changed_lessons(*, certificate: Certificate) -> list[Lesson]:
    """The course's lessons with a material version newer than the one the certificate pins,
    in course order, each with .reread: whether the holder's progress now records a version
    that includes the change. Two queries."""
    lessons = (
        Lesson.objects.filter(module__course_id=certificate.course_id)
        .select_related("module__course")
        .annotate(last_material=Max("versions__number", filter=Q(versions__is_material=True)))
        .order_by("module__order", "module__id", "order", "id")
    )
    pinned = certificate.lesson_versions or {}
    changed = [
        lesson
        for lesson in lessons
        if lesson.last_material and lesson.last_material > pinned.get(str(lesson.pk), 0)
    ]
    if changed:
        read = dict(
            LessonProgress.objects.filter(
                enrollment_id=certificate.enrollment_id, lesson__in=changed
            ).values_list("lesson_id", "version__number")
        )
        for lesson in changed:
            lesson.reread = read.get(lesson.pk, 0) >= lesson.last_material
    return changed


def renewal_state(*, certificate: Certificate, now: datetime | None = None) -> RenewalState:
    """Everything the renewal page shows, in a fixed number of queries."""
    renewal = (
        CertificateRenewal.objects.filter(certificate=certificate).select_related("renewed").first()
    )
    quiz = final_quiz(course=certificate.course_id)
    quiz_passed = quiz is None
    if renewal is not None and quiz is not None:
        # Only a pass after the renewal started counts: the point is to show it again.
        quiz_passed = Attempt.objects.filter(
            enrollment_id=certificate.enrollment_id,
            quiz=quiz,
            status=Attempt.Status.GRADED,
            passed=True,
            submitted_at__gt=renewal.started_at,
        ).exists()
    done = renewal is not None and renewal.renewed_id is not None
    refusal = "" if done else renewal_refusal(certificate=certificate, now=now)
    return RenewalState(
        certificate=certificate,
        renewal=renewal,
        refusal=refusal,
        lessons=changed_lessons(certificate=certificate),
        quiz=quiz,
        quiz_passed=quiz_passed,
    )


def batch_counts(*, batch: CertificateBatch) -> dict[str, int]:
    """Done, failed and waiting items of a batch, and the total, in one query."""
    state = CertificateBatchItem.State
    counts = batch.items.aggregate(
        done=Count("pk", filter=Q(state=state.DONE)),
        failed=Count("pk", filter=Q(state=state.FAILED)),
        waiting=Count("pk", filter=Q(state=state.WAITING)),
    )
    counts["total"] = counts["done"] + counts["failed"] + counts["waiting"]
    return counts


def batch_failed_items(*, batch: CertificateBatch) -> QuerySet[CertificateBatchItem]:
    """The failed items with the person and the certificate they are about, for the list."""
    return (
        batch.items.filter(state=CertificateBatchItem.State.FAILED)
        .select_related("seat__user", "certificate")
        .order_by("pk")
    )


def cohort_batches(*, cohort, limit: int = 20) -> list[CertificateBatch]:
    return list(
        CertificateBatch.objects.filter(cohort=cohort)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def cohort_certificate_facts(*, cohort) -> dict[str, int]:
    """What the cohort's certificate page offers: completed seats, those still without a
    certificate, and the issued certificates a reissue would replace."""
    has_certificate = Certificate.objects.filter(cohort=cohort, user=OuterRef("user"))
    seats = cohort.seats.filter(completed_at__isnull=False).aggregate(
        completed=Count("pk"),
        missing=Count("pk", filter=~Q(Exists(has_certificate))),
    )
    seats["issued"] = Certificate.objects.filter(
        cohort=cohort, status=Certificate.Status.ISSUED
    ).count()
    return seats
