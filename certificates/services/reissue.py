"""Reissue: a corrected name or a new template gives the same serial a new revision. The old
certificate stays valid until the new PDF is issued, then it is superseded (certificate_render),
linked both ways through `supersedes` / `superseded_by`."""

from django.db import transaction

from accounts.services import audit_log
from certificates.models import Certificate
from certificates.services.issue import certificate_write_pending
from core.audit import AuditContext

# Reissue what a holder could show: an issued certificate (expired ones included).
REISSUABLE = {Certificate.Status.ISSUED}


@transaction.atomic
def certificate_reissue(
    *,
    certificate: Certificate,
    actor,
    reason: str,
    holder_name: str | None = None,
    context: AuditContext | None = None,
) -> Certificate:
    """Queue the next revision of an issued certificate; returns it. Pressing twice, or two
    workers racing, gives the same successor: the OneToOne on supersedes allows one."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is required to reissue a certificate.")
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    successor = Certificate.objects.filter(supersedes=old).first()
    if successor is not None:
        return successor
    if old.status not in REISSUABLE:
        raise ValueError(f"A {old.status} certificate cannot be reissued.")
    new = certificate_write_pending(
        enrollment=old.enrollment,
        user=old.user,
        course=old.course,
        cohort=old.cohort,
        content_version=old.content_version,
        serial=old.serial,
        revision=old.revision + 1,
        supersedes=old,
        holder_name=(holder_name or old.holder_name).strip(),
        agency_name=old.agency_name,
        course_title=old.course_title,
        delivery=old.delivery,
        hours=old.hours,
        completed_at=old.completed_at,
        holder_language=old.holder_language,
        # A correction does not extend the validity; a renewal is a new certificate.
        valid_until=old.valid_until,
    )
    audit_log(
        action="certificate.reissue",
        actor=actor,
        target=new,
        details={
            "serial": new.serial,
            "revision": new.revision,
            "supersedes": old.pk,
            "reason": reason[:500],
            "name_changed": new.holder_name != old.holder_name,
        },
        context=context,
    )
    return new
