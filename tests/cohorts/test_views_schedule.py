"""Scheduling and seat pages over HTTP: who sees what, the trainer qualification rule in the
form and in the service, sessions in venue time (DST gaps refused), agencies and quotas,
nominations, the host's decisions and the waiting list, officers claiming and declining,
walk-ins, and pinned query counts."""

import re
from datetime import UTC, date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership, User
from cohorts.models import Cohort, Participation, Seat, Session
from cohorts.services.schedule import cohort_create, cohort_next_statuses, cohort_set_status
from cohorts.services.seats import seat_approve, seat_nominate, seat_withdraw
from courses.models import Module
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    ParticipationFactory,
    SessionFactory,
    TrainerQualificationFactory,
    UserFactory,
    admin_of,
    build_cohort,
    build_course,
    seated,
    staff_user,
    take_part,
    trainer_for,
    with_totp,
)

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return user


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _follow_messages(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response["Location"]).content.decode()


def _bulk_users(count: int) -> list:
    """Many users at once (no password hashing): for pages measured at hundreds of seats."""
    tag = User.objects.count()
    return User.objects.bulk_create(
        User(email=f"bulk{tag}-{i}@agency.example", full_name=f"Bulk Officer {tag}-{i}")
        for i in range(count)
    )


def _nominated(cohort, agency=None):
    agency = agency or cohort.host_agency
    user = MembershipFactory(agency=agency).user
    return seat_nominate(cohort=cohort, user=user, agency=agency, actor=cohort.trainers.first())


# --- The list ----------------------------------------------------------------------------


def test_trainer_list_shows_cohorts_they_run_and_the_schedule_button(client):
    cohort = build_cohort()
    _login(client, cohort.trainers.first())
    html = client.get(reverse("cohorts:list")).content.decode()
    assert "Cohorts you run" in html
    assert cohort.title in html
    assert reverse("cohorts:new") in html


def test_officer_list_shows_seats_sessions_and_an_offer_to_claim(client):
    cohort = build_cohort(capacity=1)
    holder = seated(cohort)
    waiting = seat_approve(seat=_nominated(cohort), actor=cohort.trainers.first())
    seat_withdraw(seat=holder, actor=holder.user)
    waiting.refresh_from_db()
    assert waiting.status == Seat.Status.OFFERED
    waiting.user.time_zone = "Asia/Seoul"
    waiting.user.save()
    _login(client, waiting.user)

    html = client.get(reverse("cohorts:list")).content.decode()
    deadline = waiting.offer_expires_at
    venue = deadline.astimezone(cohort.tz).strftime("%H:%M")
    seoul = deadline.astimezone(ZoneInfo("Asia/Seoul")).strftime("%H:%M")
    assert f"{venue}</time>" in html and f"{seoul} your time (Asia/Seoul)" in html

    assert "Your cohorts" in html
    assert cohort.title in html
    assert "Seat offered" in html
    assert "Claim it before" in html
    assert reverse("cohorts:seat_claim", args=[waiting.pk]) in html
    assert reverse("cohorts:seat_leave", args=[waiting.pk]) in html
    assert "09:00" in html  # the upcoming sessions, in venue time


def test_officer_without_seats_is_told_what_happens_next(client):
    _login(client, MembershipFactory().user)
    html = client.get(reverse("cohorts:list")).content.decode()
    assert "You have no place in an upcoming cohort" in html
    assert "Schedule a cohort" not in html


def test_agency_admin_lists_cohorts_their_agency_takes_part_in(client):
    cohort = build_cohort()
    other = build_cohort()
    _login(client, admin_of(cohort.host_agency))
    html = client.get(reverse("cohorts:list")).content.decode()
    assert cohort.title in html and other.title not in html
    assert reverse("cohorts:nominate", args=[cohort.pk]) in html


# --- Scheduling: the form and the trainer rule -------------------------------------------


def _eligibility_setup():
    course = build_course(modules=2, questions=1)
    eligible = trainer_for(course, full_name="Eligible Trainer", display_name="Eli")
    other_course = trainer_for(build_course(modules=1, questions=1), full_name="Wrong Course")
    expired = trainer_for(course, expires_in_days=-3, full_name="Lapsed Trainer")
    pending = trainer_for(course, full_name="Pending Trainer")
    Membership.objects.filter(user=pending).update(status=Membership.Status.PENDING)
    return course, eligible, other_course, expired, pending


def _new_cohort_data(course, host, trainers, **overrides):
    data = {
        "title": "Tracing in Bangkok",
        "country": "th",
        "city": "Bangkok",
        "venue_name": "Training Centre",
        "venue_address": "1 Rama IV Road",
        "time_zone": "Asia/Bangkok",
        "language": "en",
        "capacity": "20",
        "host_agency": str(host.pk),
        "trainers": [str(t.pk) for t in trainers],
        "prerequisite_modules": [str(m.pk) for m in course.modules.all()],
        "assessment": str(course.modules.first().quiz.pk),
        "attendance_threshold": "80",
        "deadline_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "deadline_time": "17:00",
    }
    data.update(overrides)
    return data


def test_schedule_step_one_picks_the_course(client):
    course = build_course(modules=1, questions=1)
    _login(client, trainer_for(course))
    response = client.get(reverse("cohorts:new"))
    assert response.status_code == 200
    assert course.title in response.content.decode()
    assert "Step 1 of 2" in response.content.decode()


def test_schedule_form_lists_unassignable_trainers_disabled_with_the_reason(client):
    course, eligible, other_course, expired, pending = _eligibility_setup()
    _login(client, eligible)
    response = client.get(reverse("cohorts:new") + f"?course={course.slug}")
    assert response.status_code == 200
    form = response.context["form"]
    html = response.content.decode()
    options = {o.user.pk: o.problem for o in form.options.values()}
    assert options[eligible.pk] is None
    assert options[other_course.pk] == "no qualification for this course"
    assert options[expired.pk].startswith("qualification expired on")
    assert options[pending.pk] == "not approved as a trainer"
    assert "Eli (programme-wide)" in html  # display name
    assert "unavailable: no qualification for this course" in html
    assert "unavailable: qualification expired on" in html
    for user in (other_course, expired, pending):
        assert f'value="{user.pk}"' in html
    trainer_inputs = [
        line for line in html.splitlines() if 'name="trainers"' in line and "disabled" in line
    ]
    assert len(trainer_inputs) == 3
    assert form["trainers"].value() == [eligible.pk]  # the scheduling trainer is ticked


def test_schedule_creates_a_draft_with_the_deadline_in_venue_time(client):
    course, eligible, *_ = _eligibility_setup()
    host = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    cohost = AgencyFactory(country="KR")
    _login(client, eligible)
    data = _new_cohort_data(course, host, [eligible], cohost_agencies=[str(cohost.pk)])

    response = client.post(reverse("cohorts:new") + f"?course={course.slug}", data)

    cohort = Cohort.objects.get(title="Tracing in Bangkok")
    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:sessions", args=[cohort.pk])
    assert cohort.status == Cohort.Status.DRAFT
    assert cohort.country == "TH"
    assert list(cohort.trainers.all()) == [eligible]
    assert cohort.prerequisite_modules.count() == 2
    assert cohort.assessment == course.modules.first().quiz
    local = cohort.nomination_deadline.astimezone(cohort.tz)
    assert (local.hour, local.minute) == (17, 0)
    assert cohort.nomination_deadline.astimezone(UTC).hour == 10
    roles = dict(cohort.participations.values_list("agency_id", "role"))
    assert roles == {host.pk: "host", cohost.pk: "cohost"}
    assert AuditEvent.objects.filter(action="cohort.create", actor=eligible).exists()


def test_crafted_post_with_an_unqualified_trainer_is_refused_with_the_reason(client):
    course, eligible, other_course, expired, pending = _eligibility_setup()
    host = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    _login(client, eligible)
    for trainer, reason in (
        (other_course, "no qualification for this course"),
        (expired, "qualification expired on"),
        (pending, "not approved as a trainer"),
    ):
        response = client.post(
            reverse("cohorts:new") + f"?course={course.slug}",
            _new_cohort_data(course, host, [eligible, trainer]),
        )
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors["trainers"])
        assert reason in errors
        assert trainer.full_name in errors
    assert not Cohort.objects.exists()


def test_service_refuses_an_unqualified_trainer_too():
    course, eligible, other_course, *_ = _eligibility_setup()
    host = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    with pytest.raises(ValidationError, match="no qualification for this course"):
        cohort_create(
            actor=eligible,
            course=course,
            title="T",
            country="TH",
            city="Bangkok",
            venue_name="V",
            venue_address="A",
            time_zone="Asia/Bangkok",
            language="en",
            capacity=5,
            host_agency=host,
            nomination_deadline=timezone.now() + timedelta(days=3),
            trainers=[other_course],
        )


def test_qualification_ending_before_the_last_session_blocks_assignment(client):
    course = build_course(modules=1, questions=1)
    short = trainer_for(course, expires_in_days=10, full_name="Short Qualification")
    cohort = build_cohort(course=course, first_day=timezone.localdate() + timedelta(days=30))
    _login(client, cohort.trainers.first())
    response = client.get(reverse("cohorts:edit", args=[cohort.pk]))
    option = response.context["form"].options[short.pk]
    assert "before the cohort's last session" in option.problem


def test_schedule_form_validates_country_and_modules_of_the_course(client):
    course, eligible, *_ = _eligibility_setup()
    foreign_module = build_course(modules=1, questions=1).modules.first()
    host = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    _login(client, eligible)
    data = _new_cohort_data(
        course, host, [eligible], country="T1", prerequisite_modules=[str(foreign_module.pk)]
    )
    response = client.post(reverse("cohorts:new") + f"?course={course.slug}", data)
    errors = response.context["form"].errors
    assert "country" in errors and "prerequisite_modules" in errors
    assert not Cohort.objects.exists()


def test_schedule_refuses_a_deadline_that_does_not_exist_at_the_venue(client):
    course, eligible, *_ = _eligibility_setup()
    host = AgencyFactory(country="US", time_zone="America/New_York")
    _login(client, eligible)
    data = _new_cohort_data(
        course,
        host,
        [eligible],
        time_zone="America/New_York",
        deadline_date="2030-03-10",
        deadline_time="02:30",
    )
    response = client.post(reverse("cohorts:new") + f"?course={course.slug}", data)
    assert "clocks jump forward" in " ".join(response.context["form"].errors["deadline_time"])


def _agency_trainer(course, agency, **user_fields):
    """A trainer bound to `agency` (their trainer membership has it), qualified for course."""
    trainer = MembershipFactory(agency=agency, role="trainer", user=UserFactory(**user_fields)).user
    with_totp(trainer)
    TrainerQualificationFactory(
        user=trainer,
        title="Q",
        course_slug=course.slug,
        expires_on=timezone.localdate() + timedelta(days=400),
    )
    return trainer


def test_agency_trainer_is_offered_only_their_own_agency_as_host(client):
    course = build_course(modules=1, questions=1)
    own = AgencyFactory(name="Own Police", country="TH", time_zone="Asia/Bangkok")
    other = AgencyFactory(name="Other Police", country="TH", time_zone="Asia/Bangkok")
    _login(client, _agency_trainer(course, own))
    response = client.get(reverse("cohorts:new") + f"?course={course.slug}")
    assert list(response.context["form"].fields["host_agency"].queryset) == [own]
    host_select = re.search(
        r'<select name="host_agency".*?</select>', response.content.decode(), re.S
    ).group(0)
    assert f'<option value="{own.pk}">Own Police</option>' in host_select
    assert "Other Police" not in host_select
    # Co-hosts may still be any agency.
    assert other in response.context["form"].fields["cohost_agencies"].queryset


def test_agency_trainer_crafting_another_host_agency_is_refused(client):
    course = build_course(modules=1, questions=1)
    own = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    other = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    trainer = _agency_trainer(course, own)
    _login(client, trainer)
    url = reverse("cohorts:new") + f"?course={course.slug}"
    response = client.post(url, _new_cohort_data(course, other, [trainer]))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["host_agency"])
    assert "hosted by their own agency only" in errors
    assert not Cohort.objects.exists()
    response = client.post(url, _new_cohort_data(course, own, [trainer]))
    assert response.status_code == 302
    assert Cohort.objects.get().host_agency == own


def test_service_refuses_an_agency_trainer_another_host_agency():
    course = build_course(modules=1, questions=1)
    own = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    other = AgencyFactory(name="Someone Else's Police", country="TH", time_zone="Asia/Bangkok")
    trainer = _agency_trainer(course, own)
    kwargs = {
        "course": course,
        "title": "T",
        "country": "TH",
        "city": "Bangkok",
        "venue_name": "V",
        "venue_address": "A",
        "time_zone": "Asia/Bangkok",
        "language": "en",
        "capacity": 5,
        "nomination_deadline": timezone.now() + timedelta(days=3),
        "trainers": [trainer],
    }
    with pytest.raises(ValidationError, match="hosted by your own agency only") as refused:
        cohort_create(actor=trainer, host_agency=other, **kwargs)
    assert "Someone Else's Police" in refused.value.messages[0]
    assert not Cohort.objects.exists()
    # Programme-wide trainers and programme staff may host with any agency.
    for actor in (trainer_for(course), staff_user()):
        assert cohort_create(actor=actor, host_agency=other, **kwargs).host_agency == other


def test_officers_and_admins_cannot_schedule(client):
    _login(client, MembershipFactory().user)
    assert client.get(reverse("cohorts:new")).status_code == 404
    client.force_login(admin_of(AgencyFactory()))
    assert client.get(reverse("cohorts:new")).status_code == 404


def test_edit_saves_changes_and_keeps_capacity_above_seats_taken(client):
    cohort = build_cohort(capacity=5)
    seated(cohort)
    seated(cohort)
    trainer = _login(client, cohort.trainers.first())
    url = reverse("cohorts:edit", args=[cohort.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name not in ("trainers", "prerequisite_modules")
    }
    data.update(
        trainers=[str(trainer.pk)],
        deadline_date=form.initial["deadline_date"].isoformat(),
        deadline_time=form.initial["deadline_time"].strftime("%H:%M"),
        assessment="",
    )

    response = client.post(url, {**data, "capacity": "1"})
    assert response.status_code == 200
    assert "2 seats are already taken" in " ".join(response.context["form"].non_field_errors())

    response = client.post(url, {**data, "capacity": "8", "city": "Chiang Mai"})
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.capacity, cohort.city) == (8, "Chiang Mai")
    event = AuditEvent.objects.filter(action="cohort.update").latest("pk")
    assert event.details["fields"] == ["capacity", "city"]


# --- The cohort page ---------------------------------------------------------------------


def test_detail_shows_everything_and_the_viewers_own_time(client):
    cohort = build_cohort(days=2, first_day=date(2031, 1, 13))
    trainer = cohort.trainers.first()
    trainer.display_name = "Coach K"
    trainer.save()
    seoul = MembershipFactory(
        agency=cohort.host_agency, user=UserFactory(time_zone="Asia/Seoul")
    ).user
    seat = seated(cohort, user=seoul)
    _login(client, seoul)

    html = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()

    assert "Coach K" in html
    assert cohort.venue_address in html
    assert "Asia/Bangkok" in html
    assert "09:00" in html and "17:00" in html  # venue time
    assert "11:00" in html and "19:00" in html  # Seoul, two hours ahead
    assert "your time (Asia/Seoul)" in html
    assert "Seat confirmed" in html
    assert reverse("cohorts:seat_leave", args=[seat.pk]) in html
    assert reverse("cohorts:edit", args=[cohort.pk]) not in html


def test_detail_actions_follow_rights(client):
    cohort = build_cohort()
    _login(client, cohort.trainers.first())
    html = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    for name in ("edit", "sessions", "agencies", "seats", "walk_in"):
        assert reverse(f"cohorts:{name}", args=[cohort.pk]) in html
    assert "Start running" in html and "Cancel the cohort" in html

    client.force_login(admin_of(cohort.host_agency))
    html = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    assert reverse("cohorts:nominate", args=[cohort.pk]) in html
    assert reverse("cohorts:edit", args=[cohort.pk]) not in html


def test_back_to_draft_is_offered_and_allowed_only_until_someone_is_nominated(client):
    cohort = build_cohort()
    trainer = _login(client, cohort.trainers.first())
    url = reverse("cohorts:detail", args=[cohort.pk])
    assert "Back to draft" in client.get(url).content.decode()
    assert Cohort.Status.DRAFT in cohort_next_statuses(cohort=cohort)

    seated(cohort)

    assert "Back to draft" not in client.get(url).content.decode()
    assert cohort_next_statuses(cohort=cohort) == {Cohort.Status.RUNNING, Cohort.Status.CANCELLED}
    with pytest.raises(ValidationError, match="cannot go back to draft"):
        cohort_set_status(cohort=cohort, status=Cohort.Status.DRAFT, actor=trainer)


def test_detail_marks_cancelled_sessions(client):
    cohort = build_cohort(days=2)
    Session.objects.filter(pk=cohort.sessions.first().pk).update(is_cancelled=True)
    _login(client, cohort.trainers.first())
    html = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    assert 'class="cancelled"' in html and "Cancelled" in html


def test_detail_lists_trainers_by_name_and_prerequisites_in_course_order(client):
    course = build_course(modules=3, questions=1)
    _first, second, third = course.modules.order_by("order")
    Module.objects.filter(pk=second.pk).update(title='Wallets, "keys" & \\ seeds')
    Module.objects.filter(pk=third.pk).update(title="Ünïcode <b>tags</b>")
    cohort = build_cohort(course=course, trainer=trainer_for(course, full_name="Zoe Zed"))
    cohort.trainers.add(trainer_for(course, full_name="Amy Ash", display_name="Amy"))
    cohort.prerequisite_modules.set([third, second])
    _login(client, cohort.trainers.get(full_name="Zoe Zed"))

    html = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()

    assert "<li>Amy</li><li>Zoe Zed</li>" in html
    assert (
        "<li>Wallets, &quot;keys&quot; &amp; \\ seeds</li><li>Ünïcode &lt;b&gt;tags&lt;/b&gt;</li>"
    ) in html


def test_detail_shows_the_officer_their_own_seat(client):
    cohort = build_cohort(capacity=5)
    seat = seated(cohort)
    _login(client, seat.user)
    html = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    assert "Your place" in html and reverse("cohorts:seat_leave", args=[seat.pk]) in html
    other = _login(client, MembershipFactory(agency=cohort.host_agency).user)
    seat_nominate(
        cohort=cohort, user=other, agency=cohort.host_agency, actor=cohort.trainers.first()
    )
    html = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    assert reverse("cohorts:seat_leave", args=[seat.pk]) not in html
    assert "Your place" in html and "Nominated" in html


# User and the viewer's memberships (one read), the cohort (with how the viewer relates to it,
# its prerequisite modules and the viewer's own seat), participating agencies, sessions,
# trainers: the same for a trainer and for an officer.
DETAIL_QUERIES = 6


def test_detail_query_count_does_not_grow_with_seats_agencies_sessions_or_trainers(
    client, django_assert_num_queries
):
    trainer = officer = None

    def build(size: int) -> Cohort:
        nonlocal trainer, officer
        course = build_course(modules=size, questions=1)
        cohort = build_cohort(course=course, capacity=60, trainer=trainer, days=size)
        trainer = cohort.trainers.first()
        cohort.trainers.add(*[trainer_for(course) for _ in range(size - 1)])
        cohort.prerequisite_modules.set(course.modules.all())
        for _ in range(size * 2):
            take_part(cohort, AgencyFactory(), quota=20)
        agencies = list(cohort.participations.values_list("agency_id", flat=True))
        Seat.objects.bulk_create(
            Seat(cohort=cohort, user=user, agency_id=agencies[i % len(agencies)], status="approved")
            for i, user in enumerate(_bulk_users(size * 20))
        )
        if officer is not None:
            MembershipFactory(agency=cohort.host_agency, user=officer)
        officer = seated(cohort, user=officer).user
        return cohort

    few, many = build(1), build(5)
    for user in (trainer, officer):
        _login(client, user)
        for cohort, rows in ((few, 3), (many, 11)):
            with django_assert_num_queries(DETAIL_QUERIES):
                response = client.get(reverse("cohorts:detail", args=[cohort.pk]))
            assert response.status_code == 200
            assert len(response.context["participations"]) == rows


# --- Sessions ----------------------------------------------------------------------------


def test_sessions_add_edit_and_cancel(client):
    cohort = build_cohort(days=0, status="draft")
    _login(client, cohort.trainers.first())
    url = reverse("cohorts:sessions", args=[cohort.pk])
    page = client.get(url).content.decode()
    assert "Times at the venue (Asia/Bangkok)" in page
    day = (timezone.localdate() + timedelta(days=60)).isoformat()  # within the qualification

    response = client.post(
        url, {"date": day, "start_time": "09:00", "end_time": "12:30", "title": "Day 1"}
    )
    assert response.status_code == 302
    session = cohort.sessions.get()
    assert session.starts_at.astimezone(UTC).hour == 2  # 09:00 in Bangkok
    assert session.time_zone == "Asia/Bangkok"

    edit = reverse("cohorts:session_edit", args=[session.pk])
    page = client.get(edit)
    assert page.status_code == 200
    assert page.context["form"].initial["start_time"].hour == 9
    changed = {"date": day, "start_time": "10:00", "end_time": "12:30", "title": "Day 1"}
    response = client.post(edit, changed)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.start_time.hour == 10 and session.sequence == 1

    response = client.post(reverse("cohorts:session_cancel", args=[session.pk]))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_cancelled
    response = client.post(edit, {**changed, "start_time": "11:00"})
    assert "cancelled session cannot be changed" in " ".join(
        response.context["form"].non_field_errors()
    )
    assert client.get(reverse("cohorts:session_cancel", args=[session.pk])).status_code == 405


def test_session_in_a_dst_gap_is_refused_on_the_form(client):
    cohort = build_cohort(days=0, status="draft", time_zone="America/New_York")
    _login(client, cohort.trainers.first())
    response = client.post(
        reverse("cohorts:sessions", args=[cohort.pk]),
        {"date": "2030-03-10", "start_time": "02:30", "end_time": "05:00"},
    )
    assert response.status_code == 200
    assert "clocks jump forward" in " ".join(response.context["form"].non_field_errors())
    response = client.post(
        reverse("cohorts:sessions", args=[cohort.pk]),
        {"date": "2030-11-03", "start_time": "01:30", "end_time": "05:00"},
    )
    assert "clocks go back" in " ".join(response.context["form"].non_field_errors())
    assert not cohort.sessions.exists()


def test_session_ending_before_it_starts_is_refused(client):
    cohort = build_cohort(days=0, status="draft")
    _login(client, cohort.trainers.first())
    response = client.post(
        reverse("cohorts:sessions", args=[cohort.pk]),
        {"date": "2031-02-03", "start_time": "12:00", "end_time": "09:00"},
    )
    assert "end after it starts" in " ".join(response.context["form"].errors["end_time"])


# --- Agencies and status -----------------------------------------------------------------


def test_agencies_invite_change_quota_and_remove(client):
    cohort = build_cohort(capacity=10)
    _login(client, cohort.trainers.first())
    url = reverse("cohorts:agencies", args=[cohort.pk])
    partner = AgencyFactory(name="Partner Police")

    response = client.post(url, {"agency": partner.pk, "role": "participant", "seat_quota": "2"})
    assert response.status_code == 302
    participation = Participation.objects.get(cohort=cohort, agency=partner)
    assert participation.seat_quota == 2

    seated(cohort, agency=partner)
    seated(cohort, agency=partner)
    html = _follow_messages(
        client,
        client.post(url, {"participation": participation.pk, "role": "cohost", "seat_quota": "1"}),
    )
    assert "already holds 2 seats" in html
    client.post(url, {"participation": participation.pk, "role": "cohost", "seat_quota": ""})
    participation.refresh_from_db()
    assert (participation.seat_quota, participation.role) == (None, "cohost")

    remove = reverse("cohorts:participation_remove", args=[participation.pk])
    assert "withdraw them first" in _follow_messages(client, client.post(remove))
    host = cohort.participations.get(role="host")
    html = _follow_messages(
        client, client.post(reverse("cohorts:participation_remove", args=[host.pk]))
    )
    assert "host agency cannot be removed" in html

    empty = take_part(cohort, AgencyFactory())
    client.post(reverse("cohorts:participation_remove", args=[empty.pk]))
    assert not Participation.objects.filter(pk=empty.pk).exists()


def test_status_changes_and_cancel_needs_confirmation(client):
    cohort = build_cohort(days=0, status="draft")
    _login(client, cohort.trainers.first())
    url = reverse("cohorts:status", args=[cohort.pk])

    html = _follow_messages(client, client.post(url, {"status": "open"}))
    assert "Add at least one session" in html
    SessionFactory(
        cohort=cohort,
        date=timezone.localdate() + timedelta(days=9),
        start_time=time(9),
        end_time=time(12),
    )
    client.post(url, {"status": "open"})
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.OPEN

    assert "Tick the box" in _follow_messages(client, client.post(url, {"status": "cancelled"}))
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.OPEN
    client.post(url, {"status": "cancelled", "confirm": "on"})
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.CANCELLED


# --- Nominations -------------------------------------------------------------------------


def test_nominate_lists_only_own_agencys_approved_officers_not_yet_in_the_cohort(client):
    cohort = build_cohort()
    partner = AgencyFactory(name="Partner Agency")
    take_part(cohort, partner, quota=3)
    mine = MembershipFactory(agency=partner, user=UserFactory(full_name="Mine Approved")).user
    MembershipFactory(
        agency=partner, status="pending", vetted_at=None, user=UserFactory(full_name="Mine Pending")
    )
    MembershipFactory(agency=cohort.host_agency, user=UserFactory(full_name="Host Officer"))
    already = seated(cohort, agency=partner)
    _login(client, admin_of(partner))

    response = client.get(reverse("cohorts:nominate", args=[cohort.pk]))

    html = response.content.decode()
    assert "Mine Approved" in html
    assert "Mine Pending" not in html and "Host Officer" not in html
    assert already.user.full_name not in html
    assert "1 of 3 seats taken" in html
    searched = client.get(reverse("cohorts:nominate", args=[cohort.pk]) + "?q=nobody-like-this")
    assert "Mine Approved" not in searched.content.decode()
    assert "matches" in searched.content.decode()
    found = client.get(reverse("cohorts:nominate", args=[cohort.pk]) + f"?q={mine.email}")
    assert list(found.context["page"].object_list) == [mine.memberships.get()]


def test_nominate_post_reports_per_officer_and_refuses_other_agencies(client):
    cohort = build_cohort()
    partner = AgencyFactory()
    take_part(cohort, partner)
    good = MembershipFactory(agency=partner, user=UserFactory(full_name="Good Officer"))
    foreign = MembershipFactory(agency=cohort.host_agency)
    admin = _login(client, admin_of(partner))

    response = client.post(
        reverse("cohorts:nominate", args=[cohort.pk]), {"officers": [good.pk, foreign.pk]}
    )
    html = _follow_messages(client, response)

    assert "Nominated 1 officer: Good Officer." in html
    assert "1 officer was not nominated" in html
    seat = Seat.objects.get(cohort=cohort, user=good.user)
    assert seat.status == Seat.Status.NOMINATED and seat.nominated_by == admin
    assert not Seat.objects.filter(user=foreign.user).exists()

    seat_withdraw(seat=seat, actor=admin)
    again = client.post(reverse("cohorts:nominate", args=[cohort.pk]), {"officers": [good.pk]})
    assert "Good Officer was not nominated" in _follow_messages(client, again)


def test_nominating_after_the_deadline_says_why(client):
    cohort = build_cohort()
    officer = MembershipFactory(agency=cohort.host_agency, user=UserFactory(full_name="Late One"))
    Cohort.objects.filter(pk=cohort.pk).update(
        nomination_deadline=timezone.now() - timedelta(hours=1)
    )
    _login(client, admin_of(cohort.host_agency))
    url = reverse("cohorts:nominate", args=[cohort.pk])
    assert "deadline has passed" in client.get(url).content.decode()
    html = _follow_messages(client, client.post(url, {"officers": [officer.pk]}))
    assert "Late One was not nominated: The nomination deadline has passed." in html


# --- Seats -------------------------------------------------------------------------------


def test_host_approves_then_the_waiting_list_takes_over_when_full(client):
    cohort = build_cohort(capacity=1)
    first, second, third = _nominated(cohort), _nominated(cohort), _nominated(cohort)
    _login(client, cohort.trainers.first())

    client.post(reverse("cohorts:seat_approve", args=[first.pk]))
    html = _follow_messages(client, client.post(reverse("cohorts:seat_approve", args=[third.pk])))
    assert "is on the waiting list" in html
    client.post(reverse("cohorts:seat_approve", args=[second.pk]))

    first.refresh_from_db()
    assert first.status == Seat.Status.APPROVED
    page = client.get(reverse("cohorts:seats", args=[cohort.pk]))
    waitlist = next(g for g in page.context["groups"] if g["name"] == "waitlist")
    assert [s.pk for s in waitlist["seats"]] == [third.pk, second.pk]
    assert [s.position for s in waitlist["seats"]] == [1, 2]


def test_host_declines_with_a_reason_and_agency_admin_sees_only_own_seats(client):
    cohort = build_cohort(capacity=5)
    partner = AgencyFactory()
    take_part(cohort, partner)
    host_seat = _nominated(cohort)
    partner_seat = _nominated(cohort, partner)
    _login(client, admin_of(cohort.host_agency))  # host admin: DECIDE

    client.post(
        reverse("cohorts:seat_decline", args=[partner_seat.pk]), {"reason": "Not this time"}
    )
    partner_seat.refresh_from_db()
    assert partner_seat.status == Seat.Status.DECLINED
    assert partner_seat.reason == "Not this time"

    client.force_login(admin_of(partner))
    page = client.get(reverse("cohorts:seats", args=[cohort.pk]))
    shown = [s.pk for g in page.context["groups"] for s in g["seats"]]
    assert shown == [partner_seat.pk]
    assert not page.context["can_decide"]
    assert client.post(reverse("cohorts:seat_approve", args=[host_seat.pk])).status_code == 404


def test_agency_admin_withdraws_own_agencys_officer_only(client):
    cohort = build_cohort(capacity=5)
    partner = AgencyFactory()
    take_part(cohort, partner)
    partner_seat = seated(cohort, agency=partner)
    host_seat = seated(cohort)
    _login(client, admin_of(partner))

    assert client.post(reverse("cohorts:seat_withdraw", args=[host_seat.pk])).status_code == 404
    response = client.post(reverse("cohorts:seat_withdraw", args=[partner_seat.pk]))
    assert response["Location"] == reverse("cohorts:seats", args=[cohort.pk])
    partner_seat.refresh_from_db()
    assert partner_seat.status == Seat.Status.WITHDRAWN


def test_officer_claims_an_offered_seat_and_can_decline_it(client):
    cohort = build_cohort(capacity=1)
    holder = seated(cohort)
    waiting = seat_approve(seat=_nominated(cohort), actor=cohort.trainers.first())
    _login(client, holder.user)

    # Someone else's seat: not theirs to claim.
    assert client.post(reverse("cohorts:seat_claim", args=[waiting.pk])).status_code == 404
    response = client.post(
        reverse("cohorts:seat_leave", args=[holder.pk]),
        {"next": reverse("cohorts:detail", args=[cohort.pk])},
    )
    assert response["Location"] == reverse("cohorts:detail", args=[cohort.pk])
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert holder.status == Seat.Status.WITHDRAWN
    assert waiting.status == Seat.Status.OFFERED

    client.force_login(waiting.user)
    html = _follow_messages(client, client.post(reverse("cohorts:seat_claim", args=[waiting.pk])))
    assert "The seat is yours" in html
    waiting.refresh_from_db()
    assert waiting.status == Seat.Status.APPROVED
    # An evil "next" is ignored.
    response = client.post(
        reverse("cohorts:seat_leave", args=[waiting.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("cohorts:list")


def test_seats_page_query_count_is_the_same_at_10_and_600_seats(client, django_assert_num_queries):
    statuses = ["nominated", "approved", "waitlisted", "declined", "withdrawn"]

    trainer = None

    def build(seats: int) -> Cohort:
        nonlocal trainer
        cohort = build_cohort(capacity=5000, trainer=trainer)
        trainer = cohort.trainers.first()
        users = _bulk_users(seats)
        now = timezone.now()
        Seat.objects.bulk_create(
            Seat(
                cohort=cohort,
                user=user,
                agency=cohort.host_agency,
                status=statuses[i % 5],
                waitlisted_at=now + timedelta(seconds=i)
                if statuses[i % 5] == "waitlisted"
                else None,
            )
            for i, user in enumerate(users)
        )
        return cohort

    small, large = build(10), build(600)
    _login(client, trainer)
    client.get(reverse("cohorts:list"))  # the first request after signing in saves the session
    with django_assert_num_queries(SEATS_QUERIES):
        response = client.get(reverse("cohorts:seats", args=[small.pk]))
    assert response.status_code == 200
    assert sum(len(g["seats"]) for g in response.context["groups"]) == 10
    with django_assert_num_queries(SEATS_QUERIES):
        response = client.get(reverse("cohorts:seats", args=[large.pk]))
    assert response.status_code == 200
    assert sum(len(g["seats"]) for g in response.context["groups"]) == 100
    with django_assert_num_queries(SEATS_QUERIES):
        response = client.get(reverse("cohorts:seats", args=[large.pk]) + "?page=4")
    assert response.status_code == 200
    waitlist = next(g for g in response.context["groups"] if g["name"] == "waitlist")
    # 120 awaiting and 120 confirmed come first; page 4 starts at the 61st waiting place,
    # numbered in the whole waiting list.
    assert [s.position for s in waitlist["seats"]] == list(range(61, 121))
    assert waitlist["total"] == 120


# User and the viewer's memberships (one read), the cohort (with how the viewer relates to
# it), the seats counted by group (which is the pager's count too), the page's seats.
SEATS_QUERIES = 5


# --- Walk-ins ----------------------------------------------------------------------------


def test_walk_in_adds_an_approved_officer_and_explains_refusals(client):
    cohort = build_cohort(capacity=2)
    _login(client, cohort.trainers.first())
    url = reverse("cohorts:walk_in", args=[cohort.pk])
    officer = MembershipFactory(
        agency=cohort.host_agency, user=UserFactory(email="walker@agency.example")
    ).user

    response = client.post(url, {"email": "nobody@agency.example"})
    assert "No approved officer" in " ".join(response.context["form"].errors["email"])
    pending = MembershipFactory(status="pending", vetted_at=None).user
    response = client.post(url, {"email": pending.email})
    assert "No approved officer" in " ".join(response.context["form"].errors["email"])

    response = client.post(url, {"email": "WALKER@agency.example"})
    assert response.status_code == 302
    seat = Seat.objects.get(cohort=cohort, user=officer)
    assert seat.walk_in and seat.status == Seat.Status.APPROVED

    response = client.post(url, {"email": officer.email})
    assert "already has a seat" in " ".join(response.context["form"].errors["email"])

    seated(cohort)
    response = client.post(url, {"email": MembershipFactory(agency=cohort.host_agency).user.email})
    assert "The cohort is full" in " ".join(response.context["form"].errors["email"])


def test_walk_in_refuses_an_officer_of_an_agency_not_taking_part(client):
    cohort = build_cohort(capacity=5)
    cohost = AgencyFactory(country="KR")
    participant = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    ParticipationFactory(cohort=cohort, agency=cohost, role=Participation.Role.COHOST)
    take_part(cohort, participant, quota=2)
    outsider = MembershipFactory(agency=AgencyFactory(country="PH")).user
    _login(client, cohort.trainers.first())
    url = reverse("cohorts:walk_in", args=[cohort.pk])

    response = client.post(url, {"email": outsider.email})
    assert response.status_code == 200
    assert "No approved officer" in " ".join(response.context["form"].errors["email"])
    assert not Seat.objects.filter(cohort=cohort).exists()

    # Officers of the host, a co-host and a participating agency may walk in.
    for agency in (cohort.host_agency, cohost, participant):
        officer = MembershipFactory(agency=agency).user
        assert client.post(url, {"email": officer.email}).status_code == 302
        assert Seat.objects.get(cohort=cohort, user=officer).agency == agency


def _without_token_and_email(response, email: str) -> bytes:
    """The page with the echoed address and the CSRF token (masked anew on every render)
    blanked: what is left is what the answer says about the address."""
    body = response.content.replace(email.encode(), b"EMAIL")
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"TOKEN", body)


# A refused walk-in lookup: the same queries whether the address is unknown or out of scope.
UNKNOWN_WALK_IN_QUERIES = 6


def test_walk_in_answers_unknown_and_out_of_scope_emails_identically(
    client, django_assert_num_queries
):
    cohort = build_cohort(capacity=5)
    _login(client, cohort.trainers.first())
    url = reverse("cohorts:walk_in", args=[cohort.pk])
    unknown = "nobody-at-all@agency.example"
    other_agency = MembershipFactory(
        agency=AgencyFactory(country="PH"), user=UserFactory(email="other-agency@agency.example")
    ).user.email
    pending_here = MembershipFactory(
        agency=cohort.host_agency,
        status=Membership.Status.PENDING,
        vetted_at=None,
        user=UserFactory(email="pending-here@agency.example"),
    ).user.email
    lapsed_here = MembershipFactory(
        agency=cohort.host_agency,
        vetted_at=timezone.now() - timedelta(days=800),
        user=UserFactory(email="lapsed-here@agency.example"),
    ).user.email
    client.post(url, {"email": unknown})  # warm the session and caches alike for all

    answers = {}
    for email in (unknown, other_agency, pending_here, lapsed_here):
        with django_assert_num_queries(UNKNOWN_WALK_IN_QUERIES):
            response = client.post(url, {"email": email})
        assert response.status_code == 200
        answers[email] = _without_token_and_email(response, email)
    assert len(set(answers.values())) == 1, "the answer tells the addresses apart"
    assert b"No approved officer" in answers[unknown]
    assert not Seat.objects.filter(cohort=cohort).exists()


# --- Who gets in -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "other_admin", "unassigned_trainer"])
def test_pages_are_404_for_people_without_the_right(client, who):
    cohort = build_cohort()
    seat = seated(cohort)
    session = cohort.sessions.first()
    users = {
        "officer": lambda: MembershipFactory(agency=cohort.host_agency).user,
        "other_admin": lambda: admin_of(AgencyFactory()),
        "unassigned_trainer": lambda: trainer_for(cohort.course),
    }
    _login(client, users[who]())
    c, s = {"cohort_id": cohort.pk}, {"seat_id": seat.pk}
    gets = [
        ("detail", c),
        ("edit", c),
        ("sessions", c),
        ("agencies", c),
        ("nominate", c),
        ("seats", c),
        ("walk_in", c),
        ("session_edit", {"session_id": session.pk}),
    ]
    for name, kwargs in gets:
        assert client.get(reverse(f"cohorts:{name}", kwargs=kwargs)).status_code == 404, name
    posts = [
        ("status", c),
        ("session_cancel", {"session_id": session.pk}),
        ("participation_remove", {"participation_id": cohort.participations.first().pk}),
        ("seat_approve", s),
        ("seat_decline", s),
        ("seat_withdraw", s),
        ("seat_claim", s),
        ("seat_leave", s),
    ]
    for name, kwargs in posts:
        assert client.post(reverse(f"cohorts:{name}", kwargs=kwargs)).status_code == 404, name
    seat.refresh_from_db()
    assert seat.status == Seat.Status.APPROVED


def test_staff_run_every_cohort(client):
    cohort = build_cohort()
    _login(client, staff_user())
    assert client.get(reverse("cohorts:edit", args=[cohort.pk])).status_code == 200
    assert client.get(reverse("cohorts:seats", args=[cohort.pk])).status_code == 200
    assert cohort.title in client.get(reverse("cohorts:list")).content.decode()


def test_agency_scoped_trainer_with_a_qualification_is_offered(client):
    course = build_course(modules=1, questions=1)
    agency = AgencyFactory()
    trainer = MembershipFactory(
        agency=agency, role="trainer", user=UserFactory(full_name="Agency Trainer")
    ).user
    with_totp(trainer)
    TrainerQualificationFactory(
        user=trainer,
        title="Q",
        course_slug=course.slug,
        expires_on=timezone.localdate() + timedelta(days=400),
    )
    _login(client, trainer)
    response = client.get(reverse("cohorts:new") + f"?course={course.slug}")
    option = response.context["form"].options[trainer.pk]
    assert option.problem is None and option.where == agency.name


def test_a_session_after_the_trainers_qualification_ends_is_refused():
    from cohorts.services.schedule import session_save
    from tests.factories import build_course, trainer_for

    course = build_course(modules=1, questions=1)
    trainer = trainer_for(course, expires_in_days=30)
    cohort = build_cohort(course=course, trainer=trainer, days=1)
    later = timezone.localdate() + timedelta(days=40)
    with pytest.raises(ValidationError, match="not qualified"):
        session_save(cohort=cohort, actor=trainer, day=later, start_time=time(9), end_time=time(12))
    assert cohort.sessions.count() == 1


def test_schedule_sets_the_training_category_practical_unless_chosen(client):
    course, eligible, *_ = _eligibility_setup()
    host = AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    _login(client, eligible)
    url = reverse("cohorts:new") + f"?course={course.slug}"
    client.post(url, _new_cohort_data(course, host, [eligible], category="tracing"))
    client.post(url, _new_cohort_data(course, host, [eligible], title="Untagged"))
    assert Cohort.objects.get(title="Tracing in Bangkok").category == "tracing"
    assert Cohort.objects.get(title="Untagged").category == "practical"
    response = client.get(url)
    assert 'name="category"' in response.content.decode()


def test_edit_changes_the_training_category_with_an_audit_row(client):
    cohort = build_cohort()
    trainer = _login(client, cohort.trainers.first())
    url = reverse("cohorts:edit", args=[cohort.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name not in ("trainers", "prerequisite_modules")
    }
    data.update(
        trainers=[str(trainer.pk)],
        deadline_date=form.initial["deadline_date"].isoformat(),
        deadline_time=form.initial["deadline_time"].strftime("%H:%M"),
        assessment="",
        category="legal",
    )
    assert client.post(url, data).status_code == 302
    cohort.refresh_from_db()
    assert cohort.category == "legal"
    event = AuditEvent.objects.filter(action="cohort.update").latest("pk")
    assert event.details["fields"] == ["category"]
