"""Writes that schedule a cohort: creating and editing it, its sessions, participating
agencies and status."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import Agency, User
from accounts.permissions import schedule_host_agencies
from cohorts.models import Cohort, Notice, Participation, Seat, Session
from cohorts.selectors.schedule import trainer_problems, trainer_refusals
from cohorts.services.seats import (
    cancel_seats,
    notify_holders,
    offer_free_seats,
    refresh_full_status,
)
from core.audit import AuditContext
from core.outbox import enqueue_on_commit

Kind = Notice.Kind


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
    category: str = Cohort._meta.get_field("category").default,
    assessment=None,
    trainers=(),
    prerequisite_modules=(),
    cohost_agencies=(),
    context: AuditContext | None = None,
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
        category=category,
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
        context=context,
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
    context: AuditContext | None = None,
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
        refresh_full_status(cohort)
        offer_free_seats(cohort)
    audit_log(
        action="cohort.update",
        actor=actor,
        target=cohort,
        agency=cohort.host_agency,
        details={"fields": sorted(changed)},
        context=context,
    )
    if set(changed) & set(NOTIFY_FIELDS):
        if "time_zone" not in changed:
            cohort.sessions.update(sequence=F("sequence") + 1)
        notify_holders(cohort, Kind.CHANGED)
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
    context: AuditContext | None = None,
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
        context=context,
    )
    notify_holders(cohort, Kind.CHANGED)
    return session


@transaction.atomic
def session_cancel(
    *, session: Session, actor: User, context: AuditContext | None = None
) -> Session:
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
        context=context,
    )
    notify_holders(session.cohort, Kind.CHANGED)
    return session


@transaction.atomic
def participation_set(
    *,
    cohort: Cohort,
    agency: Agency,
    actor: User,
    seat_quota: int | None,
    role: str = "",
    context: AuditContext | None = None,
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
        context=context,
    )
    offer_free_seats(cohort)
    return participation


@transaction.atomic
def participation_remove(
    *, participation: Participation, actor: User, context: AuditContext | None = None
) -> None:
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
        context=context,
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


def cohort_next_statuses(*, cohort: Cohort, has_seats: bool | None = None) -> set[str]:
    """The statuses this cohort may move to now (cohort_set_status refuses the others but
    for a missing session or trainer, which it explains): back to draft only while no
    officer has been nominated. has_seats: whether the cohort has any seat, when already
    read (else a query)."""
    allowed = set(TRANSITIONS[cohort.status])
    if has_seats is None:
        has_seats = Cohort.Status.DRAFT in allowed and cohort.seats.exists()
    if Cohort.Status.DRAFT in allowed and has_seats:
        allowed.discard(Cohort.Status.DRAFT)
    return allowed


@transaction.atomic
def cohort_set_status(
    *, cohort: Cohort, status: str, actor: User, context: AuditContext | None = None
) -> Cohort:
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
    if status == Cohort.Status.DRAFT and status not in cohort_next_statuses(cohort=cohort):
        raise ValidationError(
            _("Officers have been nominated; the cohort cannot go back to draft.")
        )
    old = cohort.status
    cohort.status = status
    cohort.updated_at = timezone.now()
    cohort.save(update_fields=["status", "updated_at"])
    if status == Cohort.Status.OPEN:
        refresh_full_status(cohort)
    if status == Cohort.Status.CANCELLED:
        cancel_seats(cohort)
    audit_log(
        action="cohort.status",
        actor=actor,
        target=cohort,
        agency=cohort.host_agency,
        details={"from": old, "to": status},
        context=context,
    )
    if status == Cohort.Status.CLOSED:
        from cohorts.tasks import cohort_evaluate_completion_task

        enqueue_on_commit(cohort_evaluate_completion_task, cohort_id=cohort.pk)
    return cohort
