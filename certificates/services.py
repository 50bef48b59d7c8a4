"""Writes for certificates: the outbox row, rendering, re-queueing and failure."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.selectors import primary_membership
from accounts.services import audit_log
from certificates.models import Certificate
from certificates.rendering import render_certificate_pdf
from courses.models import Enrollment
from courses.selectors import course_minutes, enrollment_content_version

logger = logging.getLogger(__name__)


def certificate_enqueue(*, certificate_id: int) -> bool:
    """Hand a certificate to the broker. A broker outage is logged, not raised: the row
    stays pending and the sweeper queues it again once the broker is back."""
    from certificates.tasks import certificate_render_task

    try:
        certificate_render_task.delay(certificate_id=certificate_id)
    except Exception:
        logger.warning("Broker unavailable; certificate %s left for the sweeper", certificate_id)
        return False
    return True


@transaction.atomic
def certificate_create_for_completion(*, enrollment: Enrollment) -> Certificate:
    """Write the pending certificate (the outbox row) beside the completion; queue on commit."""
    version = enrollment_content_version(enrollment=enrollment)
    existing = Certificate.objects.filter(
        enrollment=enrollment, content_version=version, cohort__isnull=True
    ).first()
    if existing is not None:
        return existing
    user = enrollment.user
    membership = primary_membership(user=user)
    minutes = course_minutes(course=enrollment.course)
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        user=user,
        course=enrollment.course,
        content_version=version,
        holder_name=user.full_name or user.email,
        agency_name=membership.agency.name if membership else "",
        course_title=enrollment.course.title,
        hours=(Decimal(minutes) / Decimal(60)).quantize(Decimal("0.1")),
        completed_at=enrollment.completed_at or timezone.now(),
        last_queued_at=timezone.now(),
    )
    audit_log(action="certificate.create", actor=user, target=certificate)
    transaction.on_commit(lambda: certificate_enqueue(certificate_id=certificate.pk))
    return certificate


def _delivery_line(cohort, sessions) -> str:
    first, last = sessions[0].date, sessions[-1].date
    days = (
        date_format(first, "j F Y")
        if first == last
        else f"{date_format(first, 'j F Y')} - {date_format(last, 'j F Y')}"
    )
    return _("In person: %(city)s, %(country)s, %(days)s") % {
        "city": cohort.city,
        "country": cohort.country,
        "days": days,
    }


@transaction.atomic
def certificate_create_for_cohort(*, seat, enrollment: Enrollment) -> Certificate:
    """A blended course completed in a cohort: the pending certificate, written in the
    completing transaction like any other, then the same render path."""
    existing = Certificate.objects.filter(user=seat.user, cohort=seat.cohort).first()
    if existing is not None:
        return existing
    cohort = seat.cohort
    sessions = list(cohort.sessions.filter(is_cancelled=False).order_by("starts_at"))
    seconds = sum((s.ends_at - s.starts_at).total_seconds() for s in sessions)
    with translation.override(settings.LANGUAGE_CODE):
        delivery = _delivery_line(cohort, sessions) if sessions else ""
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        user=seat.user,
        course=cohort.course,
        cohort=cohort,
        content_version=enrollment_content_version(enrollment=enrollment),
        holder_name=seat.user.full_name or seat.user.email,
        agency_name=seat.agency.name,
        course_title=cohort.course.title,
        delivery=delivery,
        hours=(Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1")),
        completed_at=seat.completed_at or timezone.now(),
        last_queued_at=timezone.now(),
    )
    audit_log(
        action="certificate.create",
        actor=seat.user,
        target=certificate,
        details={"cohort_id": cohort.pk},
    )
    transaction.on_commit(lambda: certificate_enqueue(certificate_id=certificate.pk))
    return certificate


def certificate_render(*, certificate_id: int) -> Certificate:
    """Render and store the PDF once; a second run finds it issued and changes nothing.

    The row lock is held while rendering so two workers given the same id cannot both
    store a file.
    """
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.status != Certificate.Status.PENDING:
            return certificate
        certificate.render_attempts += 1
        try:
            pdf = render_certificate_pdf(certificate)
        except Exception as exc:
            logger.exception("Rendering certificate %s failed", certificate.serial)
            certificate.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if certificate.render_attempts >= settings.CERTIFICATE_MAX_ATTEMPTS:
                certificate.status = Certificate.Status.FAILED
                audit_log(
                    action="certificate.fail",
                    target=certificate,
                    outcome="failure",
                    details={"attempts": certificate.render_attempts},
                )
            certificate.save(update_fields=["render_attempts", "last_error", "status"])
            return certificate
        name = f"{certificate.serial}.pdf"
        storage = certificate.pdf.storage
        # A worker killed after saving but before commit leaves a file behind: replace it.
        if storage.exists(f"certificates/{name}"):
            storage.delete(f"certificates/{name}")
        certificate.pdf.save(name, ContentFile(pdf), save=False)
        certificate.status = Certificate.Status.ISSUED
        certificate.issued_at = timezone.now()
        certificate.last_error = ""
        certificate.save(
            update_fields=["pdf", "status", "issued_at", "render_attempts", "last_error"]
        )
        audit_log(
            action="certificate.issue",
            target=certificate,
            details={"serial": certificate.serial, "bytes": len(pdf)},
        )
    return certificate


def certificate_sweep() -> list[int]:
    """Re-queue certificates pending for longer than CERTIFICATE_STALE_SECONDS.

    Covers a lost broker message, a flushed Redis, or a broker outage at completion time.
    Rows past CERTIFICATE_MAX_ATTEMPTS are marked failed (staff see them in the admin).
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.CERTIFICATE_STALE_SECONDS)
    requeued = []
    with transaction.atomic():
        stale = list(
            Certificate.objects.select_for_update(skip_locked=True)
            .filter(status=Certificate.Status.PENDING, last_queued_at__lt=stale_before)
            .order_by("last_queued_at")[:500]
        )
        for certificate in stale:
            if certificate.render_attempts >= settings.CERTIFICATE_MAX_ATTEMPTS:
                certificate.status = Certificate.Status.FAILED
                certificate.save(update_fields=["status"])
                audit_log(
                    action="certificate.fail",
                    target=certificate,
                    outcome="failure",
                    details={"attempts": certificate.render_attempts},
                )
                continue
            certificate.last_queued_at = now
            certificate.save(update_fields=["last_queued_at"])
            audit_log(action="certificate.requeue", target=certificate)
            requeued.append(certificate.pk)
    for certificate_id in requeued:
        certificate_enqueue(certificate_id=certificate_id)
    return requeued


@transaction.atomic
def certificate_pseudonymise_holder(*, user) -> list[int]:
    """After a person is erased, their certificates name the pseudonym instead of them.

    Serials, courses and dates stay (a legal duty to keep them); the verification page
    then shows the pseudonym. A PDF already rendered prints the real name, so it is deleted
    and the certificate rendered again by the worker. Returns the ids changed.
    """
    certificates = list(
        Certificate.objects.select_for_update()
        .filter(user=user)
        .exclude(holder_name=user.full_name)
        .order_by("id")
    )
    for certificate in certificates:
        certificate.holder_name = user.full_name
        fields = ["holder_name"]
        if certificate.status == Certificate.Status.ISSUED and certificate.pdf:
            stale_pdf = certificate.pdf.name
            transaction.on_commit(lambda name=stale_pdf: default_storage.delete(name))
            certificate.pdf = ""
            certificate.status = Certificate.Status.PENDING
            certificate.issued_at = None
            certificate.last_queued_at = timezone.now()
            fields += ["pdf", "status", "issued_at", "last_queued_at"]
            transaction.on_commit(lambda pk=certificate.pk: certificate_enqueue(certificate_id=pk))
        certificate.save(update_fields=fields)
        audit_log(
            action="certificate.pseudonymise",
            target=certificate,
            details={"user_id": user.pk, "rerender": "pdf" in fields},
        )
    return [certificate.pk for certificate in certificates]


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, actor, reason: str, request=None
) -> Certificate:
    """Revoke a certificate: the verification page then says so. The PDF and serial stay."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is required to revoke a certificate.")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == Certificate.Status.REVOKED:
        return certificate
    old = certificate.status
    certificate.status = Certificate.Status.REVOKED
    certificate.save(update_fields=["status"])
    audit_log(
        action="certificate.revoke",
        actor=actor,
        target=certificate,
        details={"serial": certificate.serial, "from": old, "reason": reason[:500]},
        request=request,
    )
    return certificate


@transaction.atomic
def certificate_retry(*, certificate: Certificate, actor, request=None) -> Certificate:
    """Staff put a failed certificate back in the queue after fixing the cause."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != Certificate.Status.FAILED:
        return certificate
    certificate.status = Certificate.Status.PENDING
    certificate.render_attempts = 0
    certificate.last_queued_at = timezone.now()
    certificate.save(update_fields=["status", "render_attempts", "last_queued_at"])
    audit_log(action="certificate.retry", actor=actor, target=certificate, request=request)
    transaction.on_commit(lambda: certificate_enqueue(certificate_id=certificate.pk))
    return certificate
