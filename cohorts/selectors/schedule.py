"""Reads for the scheduling and seat pages: who may be assigned as a trainer, which officers an
agency admin may nominate, a cohort's seats grouped for the host. Each is a fixed number of
queries, whatever the number of rows."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Membership, TrainerQualification, User
from cohorts.access import eligible_officer_memberships
from cohorts.models import Cohort, Participation, Seat, Session
from courses.models import Course

# --- Trainers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainerOption:
    user: User
    where: str  # the agency the trainer belongs to, or "programme-wide"
    problem: str | None  # why they cannot be assigned; None when they can


def schedule_reference_date(*, cohort: Cohort | None) -> date:
    """The day a trainer's qualification must still be valid on: the cohort's last session
    (cancelled ones aside), or today while there are no sessions."""
    today = timezone.localdate()
    if cohort is None or cohort.pk is None:
        return today
    last = (
        Session.objects.filter(cohort=cohort, is_cancelled=False)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return max(last, today) if last else today


def _qualification_problem(*, expiries: list[date], on: date) -> str | None:
    if not expiries:
        return _("no qualification for this course")
    latest = max(expiries)
    if latest < on:
        when = date_format(latest, "DATE_FORMAT")
        if latest < timezone.localdate():
            return _("qualification expired on %(date)s") % {"date": when}
        return _("qualification expires on %(date)s, before the cohort's last session") % {
            "date": when
        }
    return None


def trainer_problems(*, user_ids, course: Course, on: date) -> dict[int, str]:
    """For each user id: why they cannot be assigned to a cohort of this course (absent when
    they can). Two queries."""
    user_ids = set(user_ids)
    approved = set(
        Membership.objects.filter(
            user_id__in=user_ids,
            role=Membership.Role.TRAINER,
            status=Membership.Status.APPROVED,
            user__is_active=True,
            user__erased_at__isnull=True,
        ).values_list("user_id", flat=True)
    )
    expiries: dict[int, list[date]] = {user_id: [] for user_id in user_ids}
    for user_id, expires_on in TrainerQualification.objects.filter(
        user_id__in=user_ids, course_slug=course.slug
    ).values_list("user_id", "expires_on"):
        expiries[user_id].append(expires_on)
    problems = {}
    for user_id in user_ids:
        if user_id not in approved:
            problems[user_id] = _("not approved as a trainer")
            continue
        problem = _qualification_problem(expiries=expiries[user_id], on=on)
        if problem:
            problems[user_id] = problem
    return problems


def trainer_refusals(*, trainers, course: Course, cohort: Cohort | None) -> list[str]:
    """Why each of these trainers cannot be assigned to a cohort of this course (empty when
    all can): approved trainers qualified for the course, still valid on the cohort's last
    session (or today), only."""
    trainers = list(trainers)
    problems = trainer_problems(
        user_ids=[trainer.pk for trainer in trainers],
        course=course,
        on=schedule_reference_date(cohort=cohort),
    )
    return [
        _("%(name)s cannot be assigned: %(reason)s.")
        % {"name": trainer.get_short_name(), "reason": problems[trainer.pk]}
        for trainer in trainers
        if trainer.pk in problems
    ]


def trainer_options(*, course: Course, on: date, assigned_ids=()) -> list[TrainerOption]:
    """Every trainer who could be listed on the cohort form (approved or awaiting vetting,
    plus those already assigned), each with the reason they cannot be assigned, if any.
    Three queries."""
    memberships = (
        Membership.objects.filter(role=Membership.Role.TRAINER)
        .filter(
            Q(
                status__in=[Membership.Status.APPROVED, Membership.Status.PENDING],
                user__is_active=True,
                user__erased_at__isnull=True,
            )
            | Q(user_id__in=list(assigned_ids))
        )
        .select_related("user", "agency")
        .order_by("user__full_name", "user__email", "pk")
    )
    by_user: dict[int, Membership] = {}
    for membership in memberships:
        current = by_user.get(membership.user_id)
        # Show the approved membership when a trainer holds several.
        if current is None or (
            current.status != Membership.Status.APPROVED
            and membership.status == Membership.Status.APPROVED
        ):
            by_user[membership.user_id] = membership
    problems = trainer_problems(user_ids=by_user, course=course, on=on)
    return [
        TrainerOption(
            user=membership.user,
            where=membership.agency.name if membership.agency else _("programme-wide"),
            problem=problems.get(user_id),
        )
        for user_id, membership in by_user.items()
    ]


# --- Nominations ------------------------------------------------------------------------


def nomination_candidates(*, cohort: Cohort, agency_ids, search: str = "") -> QuerySet:
    """Approved officer memberships of these agencies with no seat in the cohort yet, by
    name, optionally matching a name or email."""
    memberships = eligible_officer_memberships(agency_ids=agency_ids).exclude(
        user__cohort_seats__cohort=cohort
    )
    search = search.strip()
    if search:
        memberships = memberships.filter(
            Q(user__full_name__icontains=search)
            | Q(user__display_name__icontains=search)
            | Q(user__email__icontains=search)
        )
    return memberships.order_by("user__full_name", "user__email", "pk")


def participations_of(*, cohort: Cohort, agency_ids) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(cohort=cohort, agency_id__in=agency_ids)
        .select_related("agency")
        .order_by("agency__name")
    )


# --- Seats ------------------------------------------------------------------------------

SEAT_GROUPS = (
    ("awaiting", (Seat.Status.NOMINATED,)),
    ("confirmed", (Seat.Status.APPROVED,)),
    ("offered", (Seat.Status.OFFERED,)),
    ("waitlist", (Seat.Status.WAITLISTED,)),
    (
        "others",
        (Seat.Status.DECLINED, Seat.Status.WITHDRAWN, Seat.Status.EXPIRED, Seat.Status.CANCELLED),
    ),
)
GROUP_OF_STATUS = {status: name for name, statuses in SEAT_GROUPS for status in statuses}


def seats_for_host(*, cohort: Cohort, agency_ids=None) -> QuerySet[Seat]:
    """The cohort's seats (only these agencies' when given) in page order: awaiting a
    decision, confirmed, offered, the waiting list in its order, then the rest. Waiting seats
    carry their place in the cohort's whole waiting list (`position`), whatever page they
    fall on and whichever agencies are shown."""
    seats = Seat.objects.filter(cohort=cohort)
    if agency_ids is not None:
        seats = seats.filter(agency_id__in=agency_ids)
    rank = Case(
        *[
            When(status__in=statuses, then=Value(index))
            for index, (_name, statuses) in enumerate(SEAT_GROUPS)
        ],
        default=Value(len(SEAT_GROUPS)),
        output_field=IntegerField(),
    )
    ahead = (
        Seat.objects.filter(cohort=OuterRef("cohort"), status=Seat.Status.WAITLISTED)
        .filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        seats.select_related("user", "agency")
        .annotate(
            group_rank=rank,
            position=Case(
                When(status=Seat.Status.WAITLISTED, then=Subquery(ahead)),
                default=Value(None),
                output_field=IntegerField(),
            ),
        )
        .order_by(
            "group_rank",
            F("waitlisted_at").asc(nulls_last=True),
            F("offer_expires_at").asc(nulls_last=True),
            "user__full_name",
            "pk",
        )
    )


def seat_group_counts(*, cohort: Cohort, agency_ids=None) -> dict[str, int]:
    """How many seats each group holds (one query)."""
    seats = Seat.objects.filter(cohort=cohort)
    if agency_ids is not None:
        seats = seats.filter(agency_id__in=agency_ids)
    counts = {name: 0 for name, _statuses in SEAT_GROUPS}
    for status, n in seats.values_list("status").annotate(n=Count("pk")).order_by():
        counts[GROUP_OF_STATUS[status]] += n
    return counts


def seat_holder_by_email(*, cohort: Cohort, email: str) -> Seat | None:
    """The seat someone with this email holds in the cohort, if any (for a walk-in that is
    already seated)."""
    return (
        Seat.objects.filter(
            cohort=cohort, user__email__iexact=email.strip(), status__in=Seat.HOLDING
        )
        .select_related("user")
        .first()
    )


def walk_ins(*, cohort: Cohort) -> QuerySet[Seat]:
    return (
        Seat.objects.filter(cohort=cohort, walk_in=True)
        .select_related("user", "agency")
        .order_by("-decided_at", "pk")
    )


def own_seat(*, cohort: Cohort, user) -> Seat | None:
    """The person's seat in this cohort (any status), its cohort the one given."""
    seat = Seat.objects.filter(cohort=cohort, user=user).select_related("user").first()
    if seat is not None:
        seat.cohort = cohort
    return seat


def upcoming_sessions(*, seat: Seat, now=None) -> list[Session]:
    """The seat's cohort's sessions still to come (from prefetched sessions: no query)."""
    now = now or timezone.now()
    return [s for s in seat.cohort.sessions.all() if not s.is_cancelled and s.ends_at >= now]
