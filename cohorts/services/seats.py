"""Writes to seats: nominations, approval, the waiting list and seat offers, walk-ins, and
the messages to officers that follow.

Seats are counted twice over: the services lock the cohort row (select_for_update) before
deciding, and the counters they keep (Cohort.seats_taken, Participation.seats_taken) are
checked by the database (seats_taken <= capacity, <= quota) and only ever moved by a
conditional UPDATE, so even a path that forgot the lock could not overfill a room.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import Agency, User
from cohorts.access import eligible_officer_memberships, is_eligible_officer
from cohorts.models import Cohort, Notice, Participation, Seat
from cohorts.notices import notice_queue
from core.audit import AuditContext
from core.outbox import requeue_on_commit

Kind = Notice.Kind
SeatStatus = Seat.Status


def cancel_seats(cohort: Cohort) -> None:
    seats = list(Seat.objects.select_for_update().filter(cohort=cohort, status__in=Seat.ACTIVE))
    holders = [seat for seat in seats if seat.holds_seat]
    Seat.objects.filter(pk__in=[seat.pk for seat in seats]).update(
        status=SeatStatus.CANCELLED, offer_expires_at=None
    )
    Participation.objects.filter(cohort=cohort).update(seats_taken=0)
    Cohort.objects.filter(pk=cohort.pk).update(seats_taken=0)
    cohort.sessions.update(sequence=F("sequence") + 1)
    for seat in holders:
        notice_queue(seat=seat, kind=Kind.CANCELLED)


def _seat_event(
    seat: Seat,
    *,
    action: str,
    kind: str,
    actor=None,
    context: AuditContext | None = None,
    **details,
):
    """What every change to a seat leaves behind: the audit row and the message to the
    officer (an outbox row, sent after commit)."""
    audit_log(
        action=action,
        actor=actor,
        target=seat,
        agency=seat.agency,
        details={"cohort_id": seat.cohort_id, **details},
        context=context,
    )
    notice_queue(seat=seat, kind=kind)


def _take_seat(cohort: Cohort, seat: Seat, *, quota: bool) -> bool:
    """Take one seat for this officer if both the room and (when counted) the agency's quota
    allow. Two conditional updates; False (nothing changed) when either is full."""
    taken = Cohort.objects.filter(pk=cohort.pk, seats_taken__lt=F("capacity")).update(
        seats_taken=F("seats_taken") + 1
    )
    if not taken:
        return False
    if quota:
        participation = Participation.objects.filter(cohort=cohort, agency_id=seat.agency_id)
        within = participation.filter(seat_quota__isnull=True).update(
            seats_taken=F("seats_taken") + 1
        ) or participation.filter(seats_taken__lt=F("seat_quota")).update(
            seats_taken=F("seats_taken") + 1
        )
        if not within:
            Cohort.objects.filter(pk=cohort.pk).update(seats_taken=F("seats_taken") - 1)
            return False
    seat.counts_in_quota = quota
    return True


def _release_seat(cohort: Cohort, seat: Seat) -> None:
    Cohort.objects.filter(pk=cohort.pk).update(seats_taken=F("seats_taken") - 1)
    if seat.counts_in_quota:
        Participation.objects.filter(cohort=cohort, agency_id=seat.agency_id).update(
            seats_taken=F("seats_taken") - 1
        )
    seat.counts_in_quota = False


def refresh_full_status(cohort: Cohort) -> None:
    cohort.refresh_from_db(fields=["seats_taken", "capacity", "status"])
    if cohort.status == Cohort.Status.OPEN and cohort.seats_taken >= cohort.capacity:
        cohort.status = Cohort.Status.FULL
    elif cohort.status == Cohort.Status.FULL and cohort.seats_taken < cohort.capacity:
        cohort.status = Cohort.Status.OPEN
    else:
        return
    cohort.save(update_fields=["status"])


def locked_cohort(cohort_id: int) -> Cohort:
    return (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("host_agency")
        .get(pk=cohort_id)
    )


def seat_problem(*, cohort: Cohort, user: User, agency_id: int) -> str | None:
    """Why this officer cannot be nominated by this agency, or None."""
    if cohort.status not in (Cohort.Status.OPEN, Cohort.Status.FULL):
        return _("The cohort is not open for nominations.")
    if timezone.now() > cohort.nomination_deadline:
        return _("The nomination deadline has passed.")
    if not cohort.participations.filter(agency_id=agency_id).exists():
        return _("This agency does not take part in the cohort.")
    if is_eligible_officer(user=user, agency_id=agency_id) is None:
        return _("Only approved officers whose vetting is current can be nominated.")
    if Seat.objects.filter(cohort=cohort, user=user).exists():
        return _("This officer has already been nominated.")
    return None


@transaction.atomic
def seat_nominate(
    *, cohort: Cohort, user: User, agency: Agency, actor: User, context: AuditContext | None = None
) -> Seat:
    """An agency admin puts one of their officers forward; the host then decides."""
    cohort = locked_cohort(cohort.pk)
    problem = seat_problem(cohort=cohort, user=user, agency_id=agency.pk)
    if problem:
        raise ValidationError(problem)
    seat = Seat.objects.create(cohort=cohort, user=user, agency=agency, nominated_by=actor)
    _seat_event(
        seat,
        action="cohort.nominate",
        kind=Kind.NOMINATED,
        actor=actor,
        context=context,
        user_id=user.pk,
    )
    return seat


@dataclass(frozen=True)
class Nominations:
    """What became of a batch of nominations: the names nominated, (name, reason) for each
    refused, and how many chosen ids were not eligible officers of the nominating agencies."""

    nominated: list[str]
    refused: list[tuple[str, str]]
    not_eligible: int


def seats_nominate(
    *,
    cohort: Cohort,
    membership_ids: list[int],
    agency_ids,
    actor: User,
    context: AuditContext | None = None,
) -> Nominations:
    """Nominate each chosen officer (memberships of the nominating agencies), each in its own
    transaction, so one refusal does not undo the others."""
    memberships = {
        m.pk: m
        for m in eligible_officer_memberships(agency_ids=agency_ids).filter(pk__in=membership_ids)
    }
    nominated, refused = [], []
    for membership_id in membership_ids:
        membership = memberships.get(membership_id)
        if membership is None:
            continue
        name = membership.user.get_short_name()
        try:
            seat_nominate(
                cohort=cohort,
                user=membership.user,
                agency=membership.agency,
                actor=actor,
                context=context,
            )
        except ValidationError as error:
            refused.append((name, " ".join(error.messages)))
        else:
            nominated.append(name)
    not_eligible = len([pk for pk in membership_ids if pk not in memberships])
    return Nominations(nominated=nominated, refused=refused, not_eligible=not_eligible)


def _locked_seat(seat: Seat) -> tuple[Cohort, Seat]:
    # Always the cohort first, then the seat: one lock order, so no deadlocks.
    cohort = locked_cohort(seat.cohort_id)
    return cohort, Seat.objects.select_for_update(of=("self",)).select_related("user").get(
        pk=seat.pk
    )


@transaction.atomic
def seat_approve(*, seat: Seat, actor: User, context: AuditContext | None = None) -> Seat:
    """Give a nominated officer a seat; if the room or the agency's quota is full, put them on
    the waiting list instead (in the order of approval)."""
    cohort, seat = _locked_seat(seat)
    if seat.status in Seat.HOLDING or seat.status == SeatStatus.WAITLISTED:
        return seat
    if seat.status != SeatStatus.NOMINATED:
        raise ValidationError(_("Only a nomination waiting for a decision can be approved."))
    if not cohort.is_live:
        raise ValidationError(_("The cohort is closed or cancelled."))
    now = timezone.now()
    seat.decided_by, seat.decided_at = actor, now
    # Free seats while others wait means those waiting are held back by their own agency's
    # quota (free seats are offered to the waiting list at once), so nobody is jumped here.
    if _take_seat(cohort, seat, quota=True):
        seat.status = SeatStatus.APPROVED
        kind = Kind.CONFIRMED
    else:
        seat.status = SeatStatus.WAITLISTED
        seat.waitlisted_at = now
        kind = Kind.WAITLISTED
    seat.save()
    refresh_full_status(cohort)
    _seat_event(
        seat,
        action="cohort.seat_approve",
        kind=kind,
        actor=actor,
        context=context,
        status=seat.status,
    )
    return seat


@transaction.atomic
def seat_decline(
    *, seat: Seat, actor: User, reason: str = "", context: AuditContext | None = None
) -> Seat:
    """The host says no to a nomination (or takes someone off the waiting list)."""
    _cohort, seat = _locked_seat(seat)  # the cohort row first, always
    if seat.status == SeatStatus.DECLINED:
        return seat
    if seat.status not in (SeatStatus.NOMINATED, SeatStatus.WAITLISTED):
        raise ValidationError(
            _("Only a nomination or a place on the waiting list can be declined.")
        )
    seat.status = SeatStatus.DECLINED
    seat.decided_by, seat.decided_at = actor, timezone.now()
    seat.reason = reason.strip()
    seat.waitlisted_at = None
    seat.save()
    _seat_event(
        seat, action="cohort.seat_decline", kind=Kind.DECLINED, actor=actor, context=context
    )
    return seat


@transaction.atomic
def seat_withdraw(
    *, seat: Seat, actor: User, reason: str = "", context: AuditContext | None = None
) -> Seat:
    """The officer declines, or their agency or the host withdraws them. A seat they held
    goes to the next officer on the waiting list."""
    cohort, seat = _locked_seat(seat)
    if seat.status == SeatStatus.WITHDRAWN:
        return seat
    if seat.status not in Seat.ACTIVE:
        raise ValidationError(_("This seat is no longer active."))
    if seat.attendance.exists():
        raise ValidationError(_("Attendance has been taken for this officer; the seat stays."))
    held = seat.holds_seat
    if held:
        _release_seat(cohort, seat)
    seat.status = SeatStatus.WITHDRAWN
    seat.reason = reason.strip()
    seat.waitlisted_at = None
    seat.offer_expires_at = None
    seat.decided_by, seat.decided_at = actor, timezone.now()
    seat.save()
    _seat_event(
        seat,
        action="cohort.seat_withdraw",
        kind=Kind.WITHDRAWN,
        actor=actor,
        context=context,
        held_seat=held,
        by_officer=actor.pk == seat.user_id,
    )
    if held:
        offer_free_seats(cohort)
    return seat


def offer_free_seats(cohort: Cohort) -> list[Seat]:
    """Offer free seats to the waiting list, in order, skipping officers whose agency's quota
    is full (they keep their place). Called with the cohort row locked."""
    offered = []
    if not cohort.is_live or cohort.status == Cohort.Status.DRAFT:
        return offered
    now = timezone.now()
    window = timedelta(hours=settings.COHORT_CLAIM_WINDOW_HOURS)
    waiting = (
        Seat.objects.select_for_update()
        .filter(cohort=cohort, status=SeatStatus.WAITLISTED)
        .order_by("waitlisted_at", "pk")
    )
    for seat in waiting:
        cohort.refresh_from_db(fields=["seats_taken", "capacity"])
        if cohort.seats_taken >= cohort.capacity:
            break
        if not _take_seat(cohort, seat, quota=True):
            continue
        seat.status = SeatStatus.OFFERED
        seat.offered_at = now
        seat.offer_expires_at = now + window
        seat.save()
        _seat_event(
            seat,
            action="cohort.seat_offer",
            kind=Kind.OFFERED,
            expires_at=seat.offer_expires_at.isoformat(),
        )
        offered.append(seat)
    refresh_full_status(cohort)
    return offered


@transaction.atomic
def seat_claim(*, seat: Seat, actor: User, context: AuditContext | None = None) -> Seat:
    """The officer accepts a seat offered from the waiting list, within the claim window."""
    _cohort, seat = _locked_seat(seat)  # the cohort row first, always
    if seat.status == SeatStatus.APPROVED:
        return seat
    if seat.status != SeatStatus.OFFERED:
        raise ValidationError(_("There is no seat on offer to claim."))
    if seat.offer_expires_at <= timezone.now():
        raise ValidationError(_("The offer has expired; the seat has gone to the next officer."))
    seat.status = SeatStatus.APPROVED
    seat.offer_expires_at = None
    seat.save()
    _seat_event(seat, action="cohort.seat_claim", kind=Kind.CONFIRMED, actor=actor, context=context)
    return seat


def seat_offers_expire(*, now: datetime | None = None) -> list[int]:
    """Offers not claimed within the window lapse; each seat goes to the next in line. One
    transaction per cohort, so one slow cohort does not hold the others."""
    now = now or timezone.now()
    cohort_ids = set(
        Seat.objects.filter(status=SeatStatus.OFFERED, offer_expires_at__lte=now).values_list(
            "cohort_id", flat=True
        )
    )
    expired = []
    for cohort_id in sorted(cohort_ids):
        with transaction.atomic():
            cohort = locked_cohort(cohort_id)
            seats = list(
                Seat.objects.select_for_update().filter(
                    cohort=cohort, status=SeatStatus.OFFERED, offer_expires_at__lte=now
                )
            )
            for seat in seats:
                _release_seat(cohort, seat)
                seat.status = SeatStatus.EXPIRED
                seat.offer_expires_at = None
                seat.save()
                _seat_event(seat, action="cohort.seat_offer_expire", kind=Kind.EXPIRED)
                expired.append(seat.pk)
            offer_free_seats(cohort)
    return expired


@transaction.atomic
def seat_add_walk_in(
    *, cohort: Cohort, user: User, actor: User, context: AuditContext | None = None
) -> Seat:
    """A trainer adds an approved officer of an agency taking part in the cohort who turned up
    without a nomination. A walk-in takes a seat in the room (never beyond capacity) but not
    one of their agency's quota."""
    cohort = locked_cohort(cohort.pk)
    if cohort.status not in (Cohort.Status.OPEN, Cohort.Status.FULL, Cohort.Status.RUNNING):
        raise ValidationError(_("Walk-ins can be added while the cohort is open or running."))
    membership = is_eligible_officer(
        user=user, agency_ids=cohort.participations.values_list("agency_id", flat=True)
    )
    if membership is None:
        raise ValidationError(
            _(
                "Only approved officers whose vetting is current, of an agency taking part in "
                "the cohort, can be added."
            )
        )
    seat = Seat.objects.select_for_update().filter(cohort=cohort, user=user).first()
    if seat is not None and seat.holds_seat:
        raise ValidationError(_("This officer already has a seat."))
    if seat is None:
        seat = Seat(cohort=cohort, user=user, agency=membership.agency, nominated_by=actor)
    if not _take_seat(cohort, seat, quota=False):
        raise ValidationError(
            _("The cohort is full (%(capacity)s seats). Free a seat or raise the capacity first.")
            % {"capacity": cohort.capacity}
        )
    seat.status = SeatStatus.APPROVED
    seat.walk_in = True
    seat.waitlisted_at = None
    seat.offer_expires_at = None
    seat.decided_by, seat.decided_at = actor, timezone.now()
    seat.save()
    refresh_full_status(cohort)
    _seat_event(
        seat,
        action="cohort.walk_in",
        kind=Kind.CONFIRMED,
        actor=actor,
        context=context,
        user_id=user.pk,
    )
    return seat


def notify_holders(cohort: Cohort, kind: str) -> None:
    if cohort.status == Cohort.Status.DRAFT:
        return
    for seat in Seat.objects.filter(cohort=cohort, status__in=Seat.HOLDING):
        notice_queue(seat=seat, kind=kind)


@transaction.atomic
def notice_retry(*, notice: Notice, actor: User, context: AuditContext | None = None) -> Notice:
    """Staff send a message again that failed OUTBOX_MAX_ATTEMPTS times (after fixing the
    mail server, say): its outbox row's tries start over."""
    from cohorts.tasks import notice_send_task

    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.sent_at is not None:
        return notice
    notice.attempts = 0
    notice.last_error = ""
    notice.save(update_fields=["attempts", "last_error"])
    audit_log(
        action="cohort.notice_retry",
        actor=actor,
        target=notice,
        details={"kind": notice.kind},
        context=context,
    )
    requeue_on_commit(notice_send_task, notice_id=notice.pk)
    return notice
