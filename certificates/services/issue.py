"""Writes for certificates: the pending row and its outbox row, rendering, failure, retry."""

import hashlib
import logging
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.selectors import primary_membership
from accounts.services import audit_log
from certificates.badges.credential import credential_json
from certificates.models import Certificate
from certificates.rendering import CURRENT_TEMPLATE_VERSION, render_certificate_pdf
from certificates.services.statuslist import status_list_allocate
from certificates.signals import certificate_status_changed_send
from core.audit import AuditContext
from core.outbox import enqueue_on_commit, requeue_on_commit
from core.signing import signing_level
from courses.models import Enrollment
from courses.selectors import (
    course_minutes,
    enrollment_content_version,
    enrollment_lesson_versions,
)

logger = logging.getLogger(__name__)


def render_on_commit(certificate: Certificate) -> None:
    """The outbox row for rendering, in the caller's transaction; the worker renders it."""
    from certificates.tasks import certificate_render_task

    enqueue_on_commit(certificate_render_task, certificate_id=certificate.pk)


def certificate_write_pending(**fields) -> Certificate:
    """Every new certificate (a completion, a cohort, a reissue, a renewal) is written here:
    with its revocation and suspension entries drawn before the insert (one INSERT, no
    UPDATE after), and its render queued for after the caller's commit."""
    certificate = Certificate(**fields)
    status_list_allocate(certificate=certificate)
    certificate.save(force_insert=True)
    render_on_commit(certificate)
    return certificate


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
    certificate = certificate_write_pending(
        enrollment=enrollment,
        user=user,
        course=enrollment.course,
        content_version=version,
        holder_name=user.full_name or user.email,
        agency_name=membership.agency.name if membership else "",
        course_title=enrollment.course.title,
        hours=(Decimal(minutes) / Decimal(60)).quantize(Decimal("0.1")),
        completed_at=enrollment.completed_at or timezone.now(),
        holder_language=user.language,
        lesson_versions=enrollment_lesson_versions(enrollment=enrollment),
    )
    audit_log(action="certificate.create", actor=user, target=certificate)
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
    certificate = certificate_write_pending(
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
        holder_language=seat.user.language,
        lesson_versions=enrollment_lesson_versions(enrollment=enrollment),
    )
    audit_log(
        action="certificate.create",
        actor=seat.user,
        target=certificate,
        details={"cohort_id": cohort.pk},
    )
    return certificate


def set_validity(certificate: Certificate, *, issued_at) -> None:
    """valid_until = issue time + the course's valid_for_months (calendar months), unless
    already set: a reissue keeps the validity of the certificate it corrects. Not saved here;
    the issuing save writes it."""
    months = certificate.course.valid_for_months
    if certificate.valid_until is None and months:
        certificate.valid_until = issued_at + relativedelta(months=months)


def certificate_render(*, certificate_id: int) -> Certificate:
    """Render and store the PDF once; a second run finds it issued and changes nothing.

    The row lock is held while rendering so two workers given the same id cannot both
    store a file. A failed render is recorded (render_attempts, last_error) and the
    certificate stays pending: the outbox decides when to try again and when to give up.
    """
    with transaction.atomic():
        # What the credential reads comes in the same query: the holder, the course and the
        # status lists' names (not their 16 KiB of bits); only the certificate row is locked.
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("user", "course", "revocation_list", "suspension_list")
            .defer("revocation_list__bits", "suspension_list__bits")
            .get(pk=certificate_id)
        )
        if certificate.status != Certificate.Status.PENDING:
            return certificate
        certificate.render_attempts += 1
        signed_at = timezone.now()
        # Set before drawing, so the PDF and the credential carry it; a reissue arrives with
        # it already set.
        set_validity(certificate, issued_at=signed_at)
        try:
            # The Open Badges credential rides inside the PDF (PDF/A-3 attachment), so
            # whoever holds the file holds a credential they can verify without us.
            pdf = render_certificate_pdf(
                certificate,
                credential_json=credential_json(certificate, issued_at=signed_at),
                signed_at=signed_at,
            )
        except Exception as exc:
            logger.exception("Rendering certificate %s failed", certificate.serial)
            certificate.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            certificate.save(update_fields=["render_attempts", "last_error"])
            return certificate
        name = certificate.file_stem + ".pdf"
        storage = certificate.pdf.storage
        # A worker killed after saving but before commit leaves a file behind: replace it.
        if storage.exists(f"certificates/{name}"):
            storage.delete(f"certificates/{name}")
        certificate.pdf.save(name, ContentFile(pdf), save=False)
        certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        certificate.status = Certificate.Status.ISSUED
        certificate.issued_at = signed_at
        # The layout it was drawn with, so staff can find and reissue older ones.
        certificate.template_version = CURRENT_TEMPLATE_VERSION
        certificate.last_error = ""
        certificate.save(
            update_fields=[
                "pdf",
                "pdf_sha256",
                "status",
                "issued_at",
                "valid_until",
                "template_version",
                "render_attempts",
                "last_error",
            ]
        )
        audit_log(
            action="certificate.issue",
            target=certificate,
            details={
                "serial": certificate.serial,
                "bytes": len(pdf),
                "signed": signing_level(),
                "signed_at": signed_at.isoformat(),
            },
        )
        certificate_status_changed_send(certificate)
        if certificate.supersedes_id:
            _supersede(certificate)
    return certificate


def _supersede(certificate: Certificate) -> None:
    """The new revision or renewal is issued: the one it replaces steps aside (unless it was
    revoked or suspended meanwhile, which it keeps showing)."""
    old = Certificate.objects.select_for_update().get(pk=certificate.supersedes_id)
    if old.status != Certificate.Status.ISSUED:
        return
    old.status = Certificate.Status.SUPERSEDED
    old.superseded_at = certificate.issued_at
    old.save(update_fields=["status", "superseded_at"])
    certificate_status_changed_send(old)
    audit_log(
        action="certificate.supersede",
        target=old,
        details={"serial": old.serial, "by": certificate.pk, "by_revision": certificate.revision},
    )


def certificate_render_give_up(*, certificate_id: int) -> None:
    """The outbox gave up rendering (OUTBOX_MAX_ATTEMPTS): the certificate is marked failed,
    which staff see in the admin and can queue again once the cause is fixed."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
    if certificate.status != Certificate.Status.PENDING:
        return
    certificate.status = Certificate.Status.FAILED
    certificate.save(update_fields=["status"])
    audit_log(
        action="certificate.fail",
        target=certificate,
        outcome="failure",
        details={"attempts": certificate.render_attempts},
    )


def certificate_render_reopen(*, certificate_id: int) -> None:
    """Staff sent the outbox row again: a failed certificate is pending once more."""
    Certificate.objects.filter(pk=certificate_id, status=Certificate.Status.FAILED).update(
        status=Certificate.Status.PENDING, render_attempts=0
    )


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
            fields += ["pdf", "status", "issued_at"]
            render_on_commit(certificate)
        certificate.save(update_fields=fields)
        audit_log(
            action="certificate.pseudonymise",
            target=certificate,
            details={"user_id": user.pk, "rerender": "pdf" in fields},
        )
    return [certificate.pk for certificate in certificates]


@transaction.atomic
def certificate_retry(
    *, certificate: Certificate, actor, context: AuditContext | None = None
) -> Certificate:
    """Staff put a failed certificate back in the queue after fixing the cause."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != Certificate.Status.FAILED:
        return certificate
    certificate.status = Certificate.Status.PENDING
    certificate.render_attempts = 0
    certificate.save(update_fields=["status", "render_attempts"])
    audit_log(action="certificate.retry", actor=actor, target=certificate, context=context)
    from certificates.tasks import certificate_render_task

    requeue_on_commit(certificate_render_task, certificate_id=certificate.pk)
    return certificate
