"""Renewal (delta recertification): from 90 days before expiry the holder starts a renewal,
re-reads only the lessons that changed materially since the versions their certificate pins,
and passes the final assessment again; then a new certificate (new serial, fresh validity)
is queued through the normal render, which supersedes the old one once it is issued."""

from django.db import transaction
from django.utils import timezone

from accounts.selectors import primary_membership
from accounts.services import audit_log
from certificates.models import Certificate, CertificateRenewal
from certificates.selectors import renewal_refusal, renewal_state
from certificates.services.issue import certificate_write_pending
from core.audit import AuditContext
from courses.selectors import enrollment_content_version, enrollment_lesson_versions


class RenewalRefused(Exception):
    """The certificate cannot be renewed (now); the message says why, for its holder."""


@transaction.atomic
def certificate_renewal_start(
    *, certificate: Certificate, actor, context: AuditContext | None = None
) -> CertificateRenewal:
    """Start renewing (the holder only); starting twice returns the renewal already started.
    From now on only a pass of the final assessment counts."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if actor is None or actor.pk != certificate.user_id:
        raise RenewalRefused("Only the holder may renew a certificate.")
    existing = CertificateRenewal.objects.filter(certificate=certificate).first()
    if existing is not None:
        return existing
    refusal = renewal_refusal(certificate=certificate)
    if refusal:
        raise RenewalRefused(refusal)
    renewal = CertificateRenewal.objects.create(certificate=certificate)
    state = renewal_state(certificate=certificate)
    audit_log(
        action="certificate.renewal_start",
        actor=actor,
        target=certificate,
        details={
            "serial": certificate.serial,
            "renewal_id": renewal.pk,
            "lessons_to_reread": [lesson.pk for lesson in state.lessons],
            "quiz_id": state.quiz.pk if state.quiz else None,
        },
        context=context,
    )
    return renewal


@transaction.atomic
def certificate_renewal_complete(
    *, renewal: CertificateRenewal, actor=None, context: AuditContext | None = None
) -> Certificate | None:
    """Issue the renewed certificate once every changed lesson is re-read and the final
    assessment passed since the start; None while something is missing. Safe to call twice
    and from racing requests (the renewal row is locked; one successor per certificate)."""
    renewal = CertificateRenewal.objects.select_for_update().get(pk=renewal.pk)
    if renewal.renewed_id is not None:
        return renewal.renewed
    old = Certificate.objects.select_for_update().get(pk=renewal.certificate_id)
    state = renewal_state(certificate=old)
    if state.refusal:
        raise RenewalRefused(state.refusal)
    if not state.ready:
        return None
    enrollment = old.enrollment
    user = old.user
    membership = primary_membership(user=user)
    now = timezone.now()
    new = certificate_write_pending(
        enrollment=enrollment,
        user=user,
        course=old.course,
        content_version=enrollment_content_version(enrollment=enrollment),
        lesson_versions=enrollment_lesson_versions(enrollment=enrollment),
        supersedes=old,
        holder_name=user.full_name or user.email,
        agency_name=membership.agency.name if membership else old.agency_name,
        course_title=old.course.title,
        hours=old.hours,
        completed_at=now,
        holder_language=user.language,
        # valid_until stays empty: certificate_render sets a fresh one from the issue time.
    )
    renewal.renewed = new
    renewal.completed_at = now
    renewal.save(update_fields=["renewed", "completed_at"])
    audit_log(
        action="certificate.renew",
        actor=actor,
        target=new,
        details={
            "serial": new.serial,
            "supersedes": old.pk,
            "old_serial": old.serial,
            "renewal_id": renewal.pk,
            "lessons_reread": [lesson.pk for lesson in state.lessons],
        },
        context=context,
    )
    return new


def certificate_renewals_complete_for(*, enrollment_id: int, actor=None) -> list[Certificate]:
    """A quiz was passed: finish any open renewal of this enrollment that is now ready."""
    issued = []
    open_renewals = CertificateRenewal.objects.filter(
        certificate__enrollment_id=enrollment_id, renewed__isnull=True
    )
    for renewal in open_renewals:
        try:
            new = certificate_renewal_complete(renewal=renewal, actor=actor)
        except RenewalRefused:
            continue
        if new is not None:
            issued.append(new)
    return issued
