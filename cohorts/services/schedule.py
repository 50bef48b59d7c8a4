"""Every write to cohorts: scheduling, seats and the waiting list, attendance, completion.

Seats are counted twice over: the services lock the cohort row (select_for_update) before
deciding, and the counters they keep (Cohort.seats_taken, Participation.seats_taken) are
checked by the database (seats_taken <= capacity, <= quota) and only ever moved by a
conditional UPDATE, so even a path that forgot the lock could not overfill a room.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import Agency, User
from accounts.permissions import schedule_host_agencies
from cohorts.access import is_eligible_officer
from cohorts.models import Attendance, Cohort, Notice, Participation, Seat, Session
from cohorts.notices import notice_queue
from cohorts.selectors import seat_completion_facts
from cohorts.selectors_schedule import trainer_problems, trainer_refusals
from cohorts.signals import cohort_completed
from core.outbox import enqueue_on_commit, requeue_on_commit

Kind = Notice.Kind
SeatStatus = Seat.Status


# --- Scheduling -------------------------------------------------------------------------


def local_instant(day: date, at: time, zone_name: str) -> datetime:
    """The UTC instant of a wall-clock time at the venue. Refuses a time that does not exist
    (skipped by a daylight-saving jump) or exists twice (repeated when clocks go back), since
    either would put officers in the room at the wrong hour."""
    zone = ZoneInfo(zone_name)
    first = datetime.combine(day, at, tzinfo=zone)
    second = datetime.combine(day, at, tzinfo=zone).replace(fold=1)
    round_trip = first.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if round_trip.replace(tzinfo=None) != first.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s does not exist on %(date)s in %(zone)s: the clocks jump forward then.")
            % {"time": at.strftime("%H:%M"), "date": day.isoformat(), "zone": zone_name}
        )
    if first.utcoffset() != second.utcoffset():
        raise ValidationError(
            _(
                "%(time)s happens twice on %(date)s in %(zone)s: the clocks go back then. Pick "
                "another time."
            )
            % {"time": at.strftime("%H:%M"), "date": day.isoformat(), "zone": zone_name}
        )
    return first.astimezone(ZoneInfo("UTC"))


def _touch(cohort: Cohort) -> None:
    cohort.updated_at = timezone.now()
    cohort.save(update_fields=["updated_at"])


@transaction.atomic
def cohort_create(
    *,
    actor: User,
    course,
    title: str,
    country: str,
    city: str,
    venue_name: str,
    venue_address: str,
    time_zone: str,
    language: str,
    capacity: int,
    host_agency: Agency,
    nomination_deadline: datetime,
    attendance_threshold: int = 80,
    assessment=None,
    trainers=(),
    prerequisite_modules=(),
    cohost_agencies=(),
    request=None,
) -> Cohort:
    """Schedule a draft cohort. A trainer bound to an agency may host it only with that
    agency; programme-wide trainers and programme staff with any."""
    if not schedule_host_agencies(actor).filter(pk=host_agency.pk).exists():
        raise ValidationError(
            _(
                "You can schedule cohorts hosted by your own agency only; %(agency)s is not "
                "one of yours. Ask a programme-wide trainer or programme staff."
            )
            % {"agency": host_agency.name},
            code="host_not_allowed",
        )
    trainers = list(trainers)
    refusals = trainer_refusals(trainers=trainers, course=course, cohort=None)
    if refusals:
        raise ValidationError(refusals)
    cohort = Cohort(
        course=course,
        title=title,
        country=country,
        city=city,
        venue_name=venue_name,
        venue_address=venue_address,
        time_zone=time_zone,
        language=language,
        capacity=capacity,
        host_agency=host_agency,
        nomination_deadline=nomination_deadline,
        attendance_threshold=attendance_threshold,
        assessment=assessment,
        created_by=actor,
    )
    cohort.full_clean()
    cohort.save()
    cohort.trainers.set(trainers)
    cohort.prerequisite_modules.set(prerequisite_modules)
    Participation.objects.create(cohort=cohort, agency=host_agency, role=Participation.Role.HOST)
    for agency in cohost_agencies:
        if agency.pk != host_agency.pk:
            Participation.objects.create(
                cohort=cohort, agency=agency, role=Participation.Role.COHOST
            )
    audit_log(
        action="cohort.create",
        actor=actor,
        target=cohort,
        agency=host_agency,
        details={"course_id": course.pk, "capacity": capacity, "country": country},
        request=request,
    )
    return cohort


# Fields whose change people holding a seat must hear about.
NOTIFY_FIELDS = ("title", "city", "venue_name", "venue_address", "time_zone", "language")


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    actor: User,
    changes: dict,
    trainers=None,
    prerequisite_modules=None,
    request=None,
) -> Cohort:
    """Change a cohort's details. A new venue time zone keeps each session's wall-clock time
    at the venue (what people were told) and moves the UTC instants."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.status in (Cohort.Status.CLOSED, Cohort.Status.CANCELLED):
        raise ValidationError(_("A closed or cancelled cohort cannot be changed."))
    if "course" in changes or "host_agency" in changes:
        raise ValidationError(_("The course and the host agency of a cohort cannot be changed."))
    if trainers is not None:
        trainers = list(trainers)
        refusals = trainer_refusals(trainers=trainers, course=cohort.course, cohort=cohort)
        if refusals:
            raise ValidationError(refusals)
    if "capacity" in changes and changes["capacity"] < cohort.seats_taken:
        raise ValidationError(
            _("%(taken)s seats are already taken; the capacity cannot be lower.")
            % {"taken": cohort.seats_taken}
        )
    before = {name: getattr(cohort, name) for name in changes}
    for name, value in changes.items():
        setattr(cohort, name, value)
    cohort.updated_at = timezone.now()
    cohort.full_clean()
    cohort.save()
    if trainers is not None:
        cohort.trainers.set(trainers)
    if prerequisite_modules is not None:
        cohort.prerequisite_modules.set(prerequisite_modules)
    changed = [name for name in changes if before[name] != getattr(cohort, name)]
    if "time_zone" in changed:
        for session in cohort.sessions.all():
            local_instant(session.date, session.start_time, cohort.time_zone)
            local_instant(session.date, session.end_time, cohort.time_zone)
            session.time_zone = cohort.time_zone
            session.sequence += 1
            session.save()
    if "capacity" in changed:
        _refresh_full_status(cohort)
        _offer_free_seats(cohort)
    audit_log(
        action="cohort.update",
        actor=actor,
        target=cohort,
        agency=cohort.host_agency,
        details={"fields": sorted(changed)},
        request=request,
    )
    if set(changed) & set(NOTIFY_FIELDS):
        if "time_zone" not in changed:
            cohort.sessions.update(sequence=F("sequence") + 1)
        _notify_holders(cohort, Kind.CHANGED)
    return cohort


@transaction.atomic
def session_save(
    *,
    cohort: Cohort,
    actor: User,
    day: date,
    start_time: time,
    end_time: time,
    title: str = "",
    session: Session | None = None,
    request=None,
) -> Session:
    """Add a session, or change one; the times are the venue's wall-clock times."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.status in (Cohort.Status.CLOSED, Cohort.Status.CANCELLED):
        raise ValidationError(_("A closed or cancelled cohort cannot be changed."))
    starts = local_instant(day, start_time, cohort.time_zone)
    ends = local_instant(day, end_time, cohort.time_zone)
    if ends <= starts:
        raise ValidationError(_("A session must end after it starts."))
    creating = session is None
    if creating:
        session = Session(cohort=cohort)
    else:
        session = Session.objects.select_for_update().get(pk=session.pk, cohort=cohort)
        if session.is_cancelled:
            raise ValidationError(_("A cancelled session cannot be changed."))
        unchanged = (
            session.date == day
            and session.start_time == start_time
            and session.end_time == end_time
            and session.title == title
        )
        if unchanged:
            return session
        session.sequence += 1
    session.date, session.start_time, session.end_time = day, start_time, end_time
    session.title = title
    session.time_zone = cohort.time_zone
    # The assigned trainers must still be qualified on the new last day of the cohort.
    last_day = max(
        [
            day,
            *cohort.sessions.filter(is_cancelled=False)
            .exclude(pk=session.pk)
            .values_list("date", flat=True),
        ]
    )
    problems = trainer_problems(
        user_ids=list(cohort.trainers.values_list("pk", flat=True)),
        course=cohort.course,
        on=last_day,
    )
    if problems:
        raise ValidationError(
            _("A trainer of this cohort is not qualified on %(date)s: %(reasons)s.")
            % {"date": last_day.isoformat(), "reasons": "; ".join(sorted(set(problems.values())))}
        )
    session.full_clean(exclude=["checkin_secret", "starts_at", "ends_at"])
    session.save()
    _touch(cohort)
    audit_log(
        action="cohort.session_add" if creating else "cohort.session_change",
        actor=actor,
        target=session,
        agency=cohort.host_agency,
        details={
            "cohort_id": cohort.pk,
            "starts_at": session.starts_at.isoformat(),
            "ends_at": session.ends_at.isoformat(),
            "time_zone": session.time_zone,
        },
        request=request,
    )
    _notify_holders(cohort, Kind.CHANGED)
    return session


@transaction.atomic
def session_cancel(*, session: Session, actor: User, request=None) -> Session:
    """Call a session off. It stays (cancelled), so calendars are told to drop it."""
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=session.pk)
    )
    if session.is_cancelled:
        return session
    if session.attendance.exists():
        raise ValidationError(
            _("Attendance has been taken for this session; it cannot be cancelled.")
        )
    session.is_cancelled = True
    session.sequence += 1
    session.save()
    _touch(session.cohort)
    audit_log(
        action="cohort.session_cancel",
        actor=actor,
        target=session,
        agency=session.cohort.host_agency,
        details={"cohort_id": session.cohort_id},
        request=request,
    )
    _notify_holders(session.cohort, Kind.CHANGED)
    return session


@transaction.atomic
def participation_set(
    *,
    cohort: Cohort,
    agency: Agency,
    actor: User,
    seat_quota: int | None,
    role: str = "",
    request=None,
) -> Participation:
    """Invite an agency to take part, or change its quota (never below seats it holds)."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    participation = (
        Participation.objects.select_for_update().filter(cohort=cohort, agency=agency).first()
    )
    if participation is None:
        participation = Participation(
            cohort=cohort, agency=agency, role=role or Participation.Role.PARTICIPANT
        )
    elif role and participation.role != Participation.Role.HOST:
        participation.role = role
    if seat_quota is not None and seat_quota < participation.seats_taken:
        raise ValidationError(
            _("%(agency)s already holds %(taken)s seats; the quota cannot be lower.")
            % {"agency": agency.name, "taken": participation.seats_taken}
        )
    participation.seat_quota = seat_quota
    participation.save()
    audit_log(
        action="cohort.participation_set",
        actor=actor,
        target=participation,
        agency=agency,
        details={"cohort_id": cohort.pk, "quota": seat_quota, "role": participation.role},
        request=request,
    )
    _offer_free_seats(cohort)
    return participation


@transaction.atomic
def participation_remove(*, participation: Participation, actor: User, request=None) -> None:
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    if participation.role == Participation.Role.HOST:
        raise ValidationError(_("The host agency cannot be removed."))
    if Seat.objects.filter(
        cohort_id=participation.cohort_id,
        agency_id=participation.agency_id,
        status__in=Seat.ACTIVE,
        walk_in=False,
    ).exists():
        raise ValidationError(
            _("This agency has officers nominated or seated; withdraw them first.")
        )
    audit_log(
        action="cohort.participation_remove",
        actor=actor,
        target=participation,
        agency=participation.agency,
        details={"cohort_id": participation.cohort_id},
        request=request,
    )
    participation.delete()


TRANSITIONS = {
    Cohort.Status.DRAFT: {Cohort.Status.OPEN, Cohort.Status.CANCELLED},
    Cohort.Status.OPEN: {Cohort.Status.RUNNING, Cohort.Status.CANCELLED, Cohort.Status.DRAFT},
    Cohort.Status.FULL: {Cohort.Status.RUNNING, Cohort.Status.CANCELLED},
    Cohort.Status.RUNNING: {Cohort.Status.CLOSED, Cohort.Status.CANCELLED},
    Cohort.Status.CLOSED: set(),
    Cohort.Status.CANCELLED: set(),
}


@transaction.atomic
def cohort_set_status(*, cohort: Cohort, status: str, actor: User, request=None) -> Cohort:
    """Open, start, close or cancel a cohort. Full and open follow the seats by themselves."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if status == cohort.status:
        return cohort
    if status not in TRANSITIONS[cohort.status]:
        raise ValidationError(
            _("A cohort that is %(now)s cannot become %(next)s.")
            % {"now": cohort.get_status_display(), "next": Cohort.Status(status).label}
        )
    if status == Cohort.Status.OPEN:
        if not cohort.sessions.filter(is_cancelled=False).exists():
            raise ValidationError(_("Add at least one session before opening the cohort."))
        if not cohort.trainers.exists():
            raise ValidationError(_("Assign at least one trainer before opening the cohort."))
    if status == Cohort.Status.DRAFT and cohort.seats.exists():
        raise ValidationError(
            _("Officers have been nominated; the cohort cannot go back to draft.")
        )
    old = cohort.status
    cohort.status = status
    cohort.updated_at = timezone.now()
    cohort.save(update_fields=["status", "updated_at"])
    if status == Cohort.Status.OPEN:
        _refresh_full_status(cohort)
    if status == Cohort.Status.CANCELLED:
        _cancel_seats(cohort)
    audit_log(
        action="cohort.status",
        actor=actor,
        target=cohort,
        agency=cohort.host_agency,
        details={"from": old, "to": status},
        request=request,
    )
    if status == Cohort.Status.CLOSED:
        from cohorts.tasks import cohort_evaluate_completion_task

        enqueue_on_commit(cohort_evaluate_completion_task, cohort_id=cohort.pk)
    return cohort


def _cancel_seats(cohort: Cohort) -> None:
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


# --- Seats ------------------------------------------------------------------------------


def _seat_event(seat: Seat, *, action: str, kind: str, actor=None, request=None, **details):
    """What every change to a seat leaves behind: the audit row and the message to the
    officer (an outbox row, sent after commit)."""
    audit_log(
        action=action,
        actor=actor,
        target=seat,
        agency=seat.agency,
        details={"cohort_id": seat.cohort_id, **details},
        request=request,
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


def _refresh_full_status(cohort: Cohort) -> None:
    cohort.refresh_from_db(fields=["seats_taken", "capacity", "status"])
    if cohort.status == Cohort.Status.OPEN and cohort.seats_taken >= cohort.capacity:
        cohort.status = Cohort.Status.FULL
    elif cohort.status == Cohort.Status.FULL and cohort.seats_taken < cohort.capacity:
        cohort.status = Cohort.Status.OPEN
    else:
        return
    cohort.save(update_fields=["status"])


def _locked_cohort(cohort_id: int) -> Cohort:
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
def seat_nominate(*, cohort: Cohort, user: User, agency: Agency, actor: User, request=None) -> Seat:
    """An agency admin puts one of their officers forward; the host then decides."""
    cohort = _locked_cohort(cohort.pk)
    problem = seat_problem(cohort=cohort, user=user, agency_id=agency.pk)
    if problem:
        raise ValidationError(problem)
    seat = Seat.objects.create(cohort=cohort, user=user, agency=agency, nominated_by=actor)
    _seat_event(
        seat,
        action="cohort.nominate",
        kind=Kind.NOMINATED,
        actor=actor,
        request=request,
        user_id=user.pk,
    )
    return seat


def _locked_seat(seat: Seat) -> tuple[Cohort, Seat]:
    # Always the cohort first, then the seat: one lock order, so no deadlocks.
    cohort = _locked_cohort(seat.cohort_id)
    return cohort, Seat.objects.select_for_update(of=("self",)).select_related("user").get(
        pk=seat.pk
    )


@transaction.atomic
def seat_approve(*, seat: Seat, actor: User, request=None) -> Seat:
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
    _refresh_full_status(cohort)
    _seat_event(
        seat,
        action="cohort.seat_approve",
        kind=kind,
        actor=actor,
        request=request,
        status=seat.status,
    )
    return seat


@transaction.atomic
def seat_decline(*, seat: Seat, actor: User, reason: str = "", request=None) -> Seat:
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
        seat, action="cohort.seat_decline", kind=Kind.DECLINED, actor=actor, request=request
    )
    return seat


@transaction.atomic
def seat_withdraw(*, seat: Seat, actor: User, reason: str = "", request=None) -> Seat:
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
        request=request,
        held_seat=held,
        by_officer=actor.pk == seat.user_id,
    )
    if held:
        _offer_free_seats(cohort)
    return seat


def _offer_free_seats(cohort: Cohort) -> list[Seat]:
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
    _refresh_full_status(cohort)
    return offered


@transaction.atomic
def seat_claim(*, seat: Seat, actor: User, request=None) -> Seat:
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
    _seat_event(seat, action="cohort.seat_claim", kind=Kind.CONFIRMED, actor=actor, request=request)
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
            cohort = _locked_cohort(cohort_id)
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
            _offer_free_seats(cohort)
    return expired


@transaction.atomic
def seat_add_walk_in(*, cohort: Cohort, user: User, actor: User, request=None) -> Seat:
    """A trainer adds an approved officer of an agency taking part in the cohort who turned up
    without a nomination. A walk-in takes a seat in the room (never beyond capacity) but not
    one of their agency's quota."""
    cohort = _locked_cohort(cohort.pk)
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
    _refresh_full_status(cohort)
    _seat_event(
        seat,
        action="cohort.walk_in",
        kind=Kind.CONFIRMED,
        actor=actor,
        request=request,
        user_id=user.pk,
    )
    return seat


def _notify_holders(cohort: Cohort, kind: str) -> None:
    if cohort.status == Cohort.Status.DRAFT:
        return
    for seat in Seat.objects.filter(cohort=cohort, status__in=Seat.HOLDING):
        notice_queue(seat=seat, kind=kind)


# --- Attendance -------------------------------------------------------------------------


@transaction.atomic
def attendance_mark(
    *,
    session: Session,
    seat: Seat,
    status: str,
    actor: User,
    note: str = "",
    source: str = Attendance.Source.ROSTER,
    request=None,
) -> tuple[Attendance, bool]:
    """Record one officer's attendance at one session. Sending the same mark again changes
    nothing and writes nothing (a phone on a weak connection may resend); returns
    (attendance, changed)."""
    if seat.cohort_id != session.cohort_id:
        raise ValidationError(_("This officer is not in this cohort."))
    if seat.status not in Seat.HOLDING:
        raise ValidationError(_("Only officers holding a seat can be marked."))
    if session.is_cancelled:
        raise ValidationError(_("This session has been cancelled."))
    if status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance status."))
    note = note.strip()[:300]
    # Lock the seat: two phones marking the same officer at once take turns.
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    attendance = Attendance.objects.filter(session=session, seat=seat).first()
    if attendance is not None and attendance.status == status and attendance.note == note:
        return attendance, False
    old = None
    if attendance is None:
        attendance = Attendance(session=session, seat=seat)
    else:
        old = attendance.status
    attendance.status, attendance.note, attendance.source = status, note, source
    attendance.marked_by, attendance.marked_at = actor, timezone.now()
    attendance.save()
    audit_log(
        action="cohort.attendance_mark",
        actor=actor,
        target=attendance,
        agency=seat.agency,
        details={
            "session_id": session.pk,
            "seat_id": seat.pk,
            "status": status,
            "previous": old,
            "source": source,
        },
        request=request,
    )
    seat_evaluate_completion(seat=seat, request=request)
    return attendance, True


# --- Completion -------------------------------------------------------------------------


def seat_evaluate_completion(*, seat: Seat, request=None) -> bool:
    """Complete the seat when prerequisites are done, attendance reaches the threshold and
    the assessment is passed. The certificate row is written in this same transaction by the
    receiver of cohort_completed. Safe to call any number of times."""
    from courses.services import enrollment_create

    with transaction.atomic():
        seat = (
            Seat.objects.select_for_update(of=("self",))
            .select_related("cohort__course", "user")
            .get(pk=seat.pk)
        )
        if seat.completed_at is not None or seat.status != SeatStatus.APPROVED:
            return seat.completed_at is not None
        facts = seat_completion_facts(seat=seat)
        if not facts["complete"]:
            return False
        seat.completed_at = timezone.now()
        seat.save(update_fields=["completed_at"])
        enrollment = facts["enrollment"] or enrollment_create(
            user=seat.user, course=seat.cohort.course, request=request
        )
        audit_log(
            action="cohort.complete",
            actor=seat.user,
            target=seat,
            agency=seat.agency,
            details={
                "cohort_id": seat.cohort_id,
                "attendance_percent": facts["attendance_percent"],
            },
            request=request,
        )
        cohort_completed.send(sender=Seat, seat=seat, enrollment=enrollment)
        return True


def cohort_evaluate_completion(*, cohort_id: int) -> list[int]:
    """Evaluate every seat of a cohort (after it closes): the bulk path, run by Celery."""
    completed = []
    seat_ids = Seat.objects.filter(
        cohort_id=cohort_id, status=SeatStatus.APPROVED, completed_at__isnull=True
    ).values_list("pk", flat=True)
    for seat_id in list(seat_ids):
        if seat_evaluate_completion(seat=Seat(pk=seat_id)):
            completed.append(seat_id)
    return completed


def seats_evaluate_for_user(*, user: User, course_id: int) -> None:
    """An officer passed a quiz or finished a module: seats they hold may now be complete."""
    for seat in Seat.objects.filter(
        user=user, cohort__course_id=course_id, status=SeatStatus.APPROVED, completed_at=None
    ):
        seat_evaluate_completion(seat=seat)


@transaction.atomic
def notice_retry(*, notice: Notice, actor: User, request=None) -> Notice:
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
        request=request,
    )
    requeue_on_commit(notice_send_task, notice_id=notice.pk)
    return notice
