"""Demo cohorts for local development (manage.py seed_demo, after accounts.demo.seed_demo).

One upcoming in-person cohort per demo country (Seoul, Bangkok, Chișinău), run by the demo
trainer, open for nominations, with the other demo agencies taking part under a quota and a
few demo officers already nominated or seated. Everything goes through the cohort services,
so the audit trail and the officers' messages are as in real use. Safe to run again: a
country that already has its upcoming demo cohort is left as it is.

Left for trying the journeys by hand: officer.lee@knpa.example is nominated nowhere (the
Seoul admin can nominate her), and in Bangkok the Moldovan officer's nomination waits for
the trainer's decision.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from accounts.demo import AGENCIES
from accounts.models import Agency, Membership, TrainerQualification, User
from assessments.models import Quiz
from cohorts.models import Cohort, Seat
from cohorts.services.schedule import (
    cohort_create,
    cohort_set_status,
    participation_set,
    session_save,
)
from cohorts.services.seats import seat_approve, seat_nominate, seat_problem
from courses.models import Course

DEMO_COURSE_SLUG = "crypto-investigation"
TRAINER_EMAIL = "trainer@rtp.example"
SESSION_START, SESSION_END = time(9, 0), time(16, 30)
NOMINATE, APPROVE = "nominate", "approve"


@dataclass(frozen=True)
class DemoCohort:
    agency: int  # index into accounts.demo.AGENCIES: the host
    city: str
    venue_name: str
    venue_address: str
    language: str
    starts_in_days: int
    days: int
    capacity: int
    quota: int  # for each other demo agency
    # Module 1 as prerequisite and its quiz as the assessment; without it, attendance alone
    # completes the cohort (the quickest way to see a certificate in the demo).
    blended: bool
    seats: tuple[tuple[str, str], ...] = ()  # (officer's email, NOMINATE or APPROVE)


COHORTS = (
    DemoCohort(
        agency=0,
        city="Seoul",
        venue_name="KNPA Cyber Investigation Training Centre (demo)",
        venue_address="1 Example-ro, Seodaemun-gu, Seoul (demo address)",
        language="ko",
        starts_in_days=14,
        days=2,
        capacity=16,
        quota=4,
        blended=True,
        seats=(("officer.kim@knpa.example", APPROVE),),
    ),
    DemoCohort(
        agency=1,
        city="Bangkok",
        venue_name="Royal Thai Police Regional Training Centre (demo)",
        venue_address="1 Example Road, Pathum Wan, Bangkok (demo address)",
        language="en",
        starts_in_days=21,
        days=3,
        capacity=24,
        quota=6,
        blended=False,
        seats=(
            ("officer.malee@rtp.example", APPROVE),
            ("officer.ciobanu@igp.example", NOMINATE),
        ),
    ),
    DemoCohort(
        agency=2,
        city="Chișinău",
        venue_name="General Police Inspectorate Training Hall (demo)",
        venue_address="1 Strada Exemplu, Chișinău (demo address)",
        language="ro",
        starts_in_days=28,
        days=2,
        capacity=12,
        quota=4,
        blended=True,
        seats=(("officer.ciobanu@igp.example", APPROVE),),
    ),
)


@dataclass
class DemoCohorts:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def demo_title(course: Course, spec: DemoCohort) -> str:
    return f"{course.title}: {spec.city} (demo)"


def seed_demo_cohorts(*, course_slug: str = DEMO_COURSE_SLUG) -> DemoCohorts:
    """Create the demo cohorts that do not exist yet. Needs the demo agencies and people
    (accounts.demo.seed_demo) and the course (manage.py sync_content)."""
    result = DemoCohorts()
    course = Course.objects.filter(slug=course_slug).first()
    if course is None:
        result.notes.append(
            f"No course '{course_slug}' yet: run `manage.py sync_content`, then seed_demo "
            "again to add the demo cohorts."
        )
        return result
    trainer = User.objects.filter(email=TRAINER_EMAIL).first()
    agencies = {a.name: a for a in Agency.objects.filter(name__in=[a[0] for a in AGENCIES])}
    if trainer is None or len(agencies) != len(AGENCIES):
        result.notes.append("The demo agencies and people are missing: no demo cohorts added.")
        return result
    hosts = [agencies[name] for name, *_rest in AGENCIES]
    _qualify(trainer, course)
    module = course.modules.order_by("order", "pk").first()
    quiz = Quiz.objects.filter(module=module).first() if module else None
    now = timezone.now()
    for spec in COHORTS:
        title = demo_title(course, spec)
        upcoming = (
            Cohort.objects.filter(title=title, course=course, sessions__starts_at__gt=now)
            .filter(~Q(status__in=[Cohort.Status.CANCELLED, Cohort.Status.CLOSED]))
            .exists()
        )
        if upcoming:
            result.kept.append(title)
            continue
        host = hosts[spec.agency]
        guests = [agency for agency in hosts if agency.pk != host.pk]
        cohort = _create(
            spec, title=title, course=course, host=host, guests=guests, trainer=trainer,
            module=module if spec.blended else None, quiz=quiz if spec.blended else None,
        )  # fmt: skip
        result.created.append(title)
        result.notes.extend(_seat_officers(cohort, spec, trainer=trainer))
    return result


def _qualify(trainer: User, course: Course) -> None:
    """The demo trainer holds a current qualification for the course."""
    until = timezone.localdate() + timedelta(days=365)
    qualification = TrainerQualification.objects.filter(
        user=trainer, course_slug=course.slug
    ).first()
    if qualification is None:
        TrainerQualification.objects.create(
            user=trainer,
            title=f"Qualified trainer: {course.title} (demo)",
            course_slug=course.slug,
            expires_on=until,
        )
    elif qualification.expires_on <= timezone.localdate() + timedelta(days=60):
        qualification.expires_on = until
        qualification.save(update_fields=["expires_on"])


def _create(spec: DemoCohort, *, title, course, host, guests, trainer, module, quiz) -> Cohort:
    zone = ZoneInfo(host.time_zone)
    first_day = timezone.localdate() + timedelta(days=spec.starts_in_days)
    deadline = datetime.combine(first_day - timedelta(days=7), time(17, 0), tzinfo=zone)
    cohort = cohort_create(
        actor=trainer,
        course=course,
        title=title,
        country=host.country,
        city=spec.city,
        venue_name=spec.venue_name,
        venue_address=spec.venue_address,
        time_zone=host.time_zone,
        language=spec.language,
        capacity=spec.capacity,
        host_agency=host,
        nomination_deadline=deadline,
        assessment=quiz,
        trainers=[trainer],
        prerequisite_modules=[module] if module else [],
    )
    for offset in range(spec.days):
        session_save(
            cohort=cohort,
            actor=trainer,
            day=first_day + timedelta(days=offset),
            start_time=SESSION_START,
            end_time=SESSION_END,
            title=f"Day {offset + 1}",
        )
    for agency in guests:
        participation_set(cohort=cohort, agency=agency, actor=trainer, seat_quota=spec.quota)
    return cohort_set_status(cohort=cohort, status=Cohort.Status.OPEN, actor=trainer)


def _seat_officers(cohort: Cohort, spec: DemoCohort, *, trainer: User) -> list[str]:
    """Nominate the spec's officers (by their agency's demo admin) and approve some (by the
    trainer). Returns a note for each officer who could not be nominated."""
    notes = []
    for email, step in spec.seats:
        user = User.objects.filter(email=email).first()
        membership = user.memberships.filter(agency__isnull=False).first() if user else None
        if membership is None:
            notes.append(f"{email}: not found, not nominated to {cohort.title}.")
            continue
        agency = membership.agency
        problem = seat_problem(cohort=cohort, user=user, agency_id=agency.pk)
        if problem:
            notes.append(f"{email}: {problem}")
            continue
        admin = (
            User.objects.filter(
                memberships__agency=agency, memberships__role=Membership.Role.AGENCY_ADMIN
            ).first()
            or trainer
        )
        try:
            seat = seat_nominate(cohort=cohort, user=user, agency=agency, actor=admin)
            if step == APPROVE:
                seat = seat_approve(seat=seat, actor=trainer)
        except ValidationError as error:
            notes.append(f"{email}: {' '.join(error.messages)}")
            continue
        if step == APPROVE and seat.status != Seat.Status.APPROVED:
            notes.append(f"{email}: {seat.get_status_display()} in {cohort.title}.")
    return notes
