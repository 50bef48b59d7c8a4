"""Bulk issue and reissue of a cohort's certificates. Starting a batch writes its items and one
outbox row per item in a constant number of queries; the worker then runs each item through
the ordinary, idempotent services (create, reissue, render), and the item follows its
certificate: done when issued, failed when the outbox gives up."""

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from accounts.services import audit_log
from certificates.models import Certificate, CertificateBatch, CertificateBatchItem
from certificates.services.issue import certificate_create_for_cohort, certificate_retry
from certificates.services.reissue import certificate_reissue
from cohorts.models import Cohort, Seat
from core.audit import AuditContext
from core.models import OutboxMessage
from core.outbox import enqueue_many_on_commit, requeue_on_commit
from courses.models import Enrollment

Kind = CertificateBatch.Kind
State = CertificateBatchItem.State
# A certificate that reached the holder counts as done, whatever happened to it since.
PREPARING = {Certificate.Status.PENDING}


def _item_task():
    from certificates.tasks import certificate_batch_item_task

    return certificate_batch_item_task


def _new_items(batch: CertificateBatch) -> list[CertificateBatchItem]:
    """The batch's items, read in one query: completed seats without a certificate (issue), or
    the issued certificates of the cohort with their seats (reissue)."""
    cohort_id = batch.cohort_id
    if batch.kind == Kind.ISSUE:
        has_certificate = Certificate.objects.filter(cohort_id=cohort_id, user=OuterRef("user"))
        seat_ids = (
            Seat.objects.filter(cohort_id=cohort_id, completed_at__isnull=False)
            .exclude(Exists(has_certificate))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return [CertificateBatchItem(batch=batch, seat_id=pk) for pk in seat_ids]
    seat = Seat.objects.filter(cohort_id=cohort_id, user=OuterRef("user")).values("pk")[:1]
    rows = (
        Certificate.objects.filter(cohort_id=cohort_id, status=Certificate.Status.ISSUED)
        .annotate(seat_id=Subquery(seat))
        .filter(seat_id__isnull=False)
        .order_by("pk")
        .values_list("pk", "seat_id")
    )
    return [CertificateBatchItem(batch=batch, seat_id=s, source_id=c) for c, s in rows]


@transaction.atomic
def certificate_batch_start(
    *,
    cohort: Cohort,
    kind: str,
    actor,
    reason: str = "",
    template_version: int | None = None,
    context: AuditContext | None = None,
) -> CertificateBatch:
    """Start issuing (or reissuing) a cohort's certificates; returns the batch. While a batch
    of this kind is open for the cohort, pressing again returns that batch: the cohort row
    lock orders two presses, and the partial unique constraint backs it."""
    reason = reason.strip()
    if kind == Kind.REISSUE and not reason:
        raise ValueError("A reason is required to reissue certificates.")
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
    running = CertificateBatch.objects.filter(
        cohort=cohort, kind=kind, finished_at__isnull=True
    ).first()
    if running is not None:
        return running
    try:
        with transaction.atomic():
            batch = CertificateBatch.objects.create(
                cohort=cohort,
                kind=kind,
                reason=reason,
                template_version=template_version,
                created_by=actor,
            )
    except IntegrityError:  # a press from before the cohort lock existed; never issue twice
        return CertificateBatch.objects.get(cohort=cohort, kind=kind, finished_at__isnull=True)
    items = CertificateBatchItem.objects.bulk_create(_new_items(batch))
    if items:
        enqueue_many_on_commit(_item_task(), [{"item_id": item.pk} for item in items])
    else:
        batch.finished_at = batch.created_at
        batch.save(update_fields=["finished_at"])
    audit_log(
        action="certificate.batch_start",
        actor=actor,
        target=batch,
        details={
            "cohort_id": cohort.pk,
            "kind": kind,
            "items": len(items),
            "reason": reason[:500],
        },
        context=context,
    )
    return batch


def _state_of(certificate: Certificate) -> tuple[str, str]:
    if certificate.status in PREPARING:
        # Still being prepared; an attempt that failed says why, while the outbox tries again.
        return State.WAITING, certificate.last_error
    if certificate.status == Certificate.Status.FAILED:
        return State.FAILED, certificate.last_error or "The render was given up."
    return State.DONE, ""


def _finish_if_done(batch_ids: set[int]) -> None:
    """Close the batches left with no waiting item. The batch rows are locked first, so two
    workers settling the last two items cannot both miss the end."""
    for batch in CertificateBatch.objects.select_for_update().filter(
        pk__in=batch_ids, finished_at__isnull=True
    ):
        if not batch.items.filter(state=State.WAITING).exists():
            batch.finished_at = timezone.now()
            batch.save(update_fields=["finished_at"])


def _settle(items: list[CertificateBatchItem], state: str, error: str) -> None:
    error = error[:2000]
    now = timezone.now()
    changed = [i for i in items if (i.state, i.error) != (state, error)]
    for item in changed:
        item.state, item.error, item.updated_at = state, error, now
    if changed:
        CertificateBatchItem.objects.bulk_update(changed, ["state", "error", "updated_at"])
    if state != State.WAITING:
        _finish_if_done({item.batch_id for item in items})


@transaction.atomic
def certificate_batch_items_settle(*, certificate_id: int) -> int:
    """The items that produced this certificate follow its status (after a render, a give-up,
    a send-again). One query when it belongs to no batch. Returns the items looked at."""
    items = list(
        CertificateBatchItem.objects.select_for_update()
        .filter(certificate_id=certificate_id)
        .exclude(state=State.DONE)
    )
    if not items:
        return 0
    certificate = Certificate.objects.get(pk=certificate_id)
    _settle(items, *_state_of(certificate))
    return len(items)


def _issue(item: CertificateBatchItem) -> Certificate:
    seat = item.seat
    enrollment = Enrollment.objects.filter(user_id=seat.user_id, course_id=seat.cohort.course_id)
    enrollment = enrollment.first()
    if enrollment is None:
        from courses.services import enrollment_create

        enrollment = enrollment_create(user=seat.user, course=seat.cohort.course)
    return certificate_create_for_cohort(seat=seat, enrollment=enrollment)


@transaction.atomic
def certificate_batch_item_run(*, item_id: int) -> CertificateBatchItem:
    """The worker's part of one item: create (or reissue) the certificate through the
    ordinary services, whose own outbox row renders it; safe to run twice. The certificate
    row is locked before its status is read, so a render finishing meanwhile is seen."""
    item = (
        CertificateBatchItem.objects.select_for_update(of=("self",))
        .select_related("batch", "seat__user", "seat__agency", "seat__cohort__course", "source")
        .get(pk=item_id)
    )
    if item.state == State.DONE:
        return item
    batch = item.batch
    if item.certificate_id is None:
        try:
            if batch.kind == Kind.ISSUE:
                certificate = _issue(item)
            else:
                certificate = certificate_reissue(
                    certificate=item.source,
                    actor=batch.created_by,
                    reason=batch.reason,
                )
        except ValueError as exc:  # no longer reissuable (revoked meanwhile, say): say so
            _settle([item], State.FAILED, str(exc))
            return item
        item.certificate = certificate
        item.save(update_fields=["certificate", "updated_at"])
    certificate = Certificate.objects.select_for_update().get(pk=item.certificate_id)
    _settle([item], *_state_of(certificate))
    return item


@transaction.atomic
def certificate_batch_item_give_up(*, item_id: int) -> None:
    """The outbox gave up on an item's own row (the certificate could not be created)."""
    item = CertificateBatchItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None or item.state == State.DONE:
        return
    message = (
        OutboxMessage.objects.filter(kind=_item_task().name, payload={"item_id": item_id})
        .order_by("-pk")
        .first()
    )
    _settle([item], State.FAILED, (message.last_error if message else "") or "Given up.")


@transaction.atomic
def certificate_batch_retry_failed(
    *, batch: CertificateBatch, actor, context: AuditContext | None = None
) -> int:
    """Queue the batch's failed items again (only those); returns how many. A failed
    certificate goes back through certificate_retry; an item that never got as far as a
    certificate runs again. Pressing twice retries nothing the second time."""
    batch = CertificateBatch.objects.select_for_update().get(pk=batch.pk)
    failed = list(
        batch.items.select_for_update(of=("self",))
        .filter(state=State.FAILED)
        .select_related("certificate")
    )
    if not failed:
        return 0
    for item in failed:
        certificate = item.certificate
        if certificate is not None and certificate.status == Certificate.Status.FAILED:
            certificate_retry(certificate=certificate, actor=actor, context=context)
        else:
            requeue_on_commit(_item_task(), item_id=item.pk)
    _settle(failed, State.WAITING, "")
    reopen = batch.finished_at is not None and not (
        CertificateBatch.objects.filter(
            cohort_id=batch.cohort_id, kind=batch.kind, finished_at__isnull=True
        ).exists()
    )
    if reopen:
        batch.finished_at = None
        batch.save(update_fields=["finished_at"])
    audit_log(
        action="certificate.batch_retry",
        actor=actor,
        target=batch,
        details={"cohort_id": batch.cohort_id, "items": len(failed)},
        context=context,
    )
    return len(failed)
