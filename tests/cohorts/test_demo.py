"""seed_demo's cohorts (cohorts.demo): an upcoming cohort in each demo country, ready for the
journeys (nominate, approve, mark attendance); safe to run again. The command itself (dry
run, DEBUG, certificates) is tested in tests/certificates/test_demo.py."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Agency, AuditEvent, TrainerQualification, User
from cohorts.demo import DEMO_COURSE_SLUG
from cohorts.models import Cohort, Participation, Seat, Session
from tests.factories import build_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug(settings):
    settings.DEBUG = True


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (Agency, User, Cohort, Session, Participation, Seat, TrainerQualification)
    return {model.__name__: model.objects.count() for model in models}


def test_one_upcoming_open_cohort_per_demo_country_and_nothing_doubled():
    course = build_course(modules=2)
    first_module = course.modules.order_by("order").first()
    output = seed(course=course.slug)

    cohorts = {c.country: c for c in Cohort.objects.select_related("host_agency")}
    assert sorted(cohorts) == ["KR", "MD", "TH"]
    assert {c.city for c in cohorts.values()} == {"Seoul", "Bangkok", "Chișinău"}
    trainer = User.objects.get(email="trainer@rtp.example")
    assert TrainerQualification.objects.get(user=trainer, course_slug=course.slug).expires_on > (
        timezone.localdate()
    )
    now = timezone.now()
    for cohort in cohorts.values():
        assert f"Demo cohort created: {cohort.title}" in output
        assert cohort.status == Cohort.Status.OPEN
        assert cohort.course == course
        assert list(cohort.trainers.all()) == [trainer]
        assert cohort.time_zone == cohort.host_agency.time_zone
        sessions = list(cohort.sessions.order_by("starts_at"))
        assert 2 <= len(sessions) <= 3
        assert timedelta(days=13) < sessions[0].starts_at - now < timedelta(days=29)
        assert cohort.nomination_deadline.astimezone(cohort.tz).date() == sessions[
            0
        ].local_start.date() - (timedelta(days=7))
        participations = {p.agency.country: p for p in cohort.participations.all()}
        assert sorted(participations) == ["KR", "MD", "TH"]
        for country, participation in participations.items():
            if country == cohort.country:
                assert participation.role == Participation.Role.HOST
            else:
                assert participation.role == Participation.Role.PARTICIPANT
                assert participation.seat_quota

    assert list(cohorts["KR"].prerequisite_modules.all()) == [first_module]
    assert cohorts["KR"].assessment == first_module.quiz
    assert cohorts["TH"].assessment is None  # attendance alone completes it
    seats = {(s.cohort.country, s.user.email): s.status for s in Seat.objects.all()}
    assert seats == {
        ("KR", "officer.kim@knpa.example"): Seat.Status.APPROVED,
        ("TH", "officer.malee@rtp.example"): Seat.Status.APPROVED,
        ("TH", "officer.ciobanu@igp.example"): Seat.Status.NOMINATED,
        ("MD", "officer.ciobanu@igp.example"): Seat.Status.APPROVED,
    }  # officer.lee@knpa.example is left for the Seoul admin to nominate
    assert AuditEvent.objects.filter(action="cohort.create").count() == 3

    before = counts()
    again = seed(course=course.slug)
    assert counts() == before
    assert again.count("Demo cohort already there:") == 3
    assert "Demo cohort created" not in again


def test_with_the_real_course_after_sync_content(curriculum):
    """What `make run` does: migrate, sync_content (the `curriculum` fixture: the rows it
    imports), seed_demo."""
    output = seed()
    assert output.count("Demo cohort created:") == 3
    seoul = Cohort.objects.get(country="KR")
    assert seoul.course.slug == DEMO_COURSE_SLUG
    module = seoul.prerequisite_modules.get()
    assert module.order == min(seoul.course.modules.values_list("order", flat=True))
    assert seoul.assessment == module.quiz
