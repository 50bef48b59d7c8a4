"""Seats: capacity and quotas (also under concurrent requests), the waiting list, offers and
their claim window, walk-ins."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from cohorts.models import Cohort, Notice, Participation, Seat
from cohorts.services.seats import (
    seat_add_walk_in,
    seat_approve,
    seat_claim,
    seat_decline,
    seat_nominate,
    seat_offers_expire,
    seat_withdraw,
    seats_nominate,
)
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_cohort,
    seated,
    take_part,
)

pytestmark = pytest.mark.django_db


def _nominated(cohort, agency=None):
    agency = agency or cohort.host_agency
    user = MembershipFactory(agency=agency).user
    return seat_nominate(cohort=cohort, user=user, agency=agency, actor=cohort.trainers.first())


def test_approval_takes_a_seat_and_fills_the_cohort():
    cohort = build_cohort(capacity=2)
    seated(cohort)
    seat = seated(cohort)
    cohort.refresh_from_db()
    assert seat.status == Seat.Status.APPROVED
    assert cohort.seats_taken == 2
    assert cohort.status == Cohort.Status.FULL
    assert Notice.objects.filter(seat=seat, kind=Notice.Kind.CONFIRMED).exists()
    assert AuditEvent.objects.filter(action="cohort.seat_approve").count() == 2


def test_approval_beyond_capacity_goes_to_the_waiting_list_in_order():
    cohort = build_cohort(capacity=1)
    seated(cohort)
    first, second = _nominated(cohort), _nominated(cohort)
    actor = cohort.trainers.first()
    second = seat_approve(seat=second, actor=actor)
    first = seat_approve(seat=first, actor=actor)
    assert (first.status, second.status) == (Seat.Status.WAITLISTED, Seat.Status.WAITLISTED)
    assert second.waitlisted_at < first.waitlisted_at
    assert Notice.objects.filter(seat=first, kind=Notice.Kind.WAITLISTED).exists()


def test_agency_quota_waitlists_its_officers_but_not_others():
    cohort = build_cohort(capacity=5)
    other = AgencyFactory(country="KR", time_zone="Asia/Seoul")
    take_part(cohort, other, quota=1)
    seated(cohort, agency=other)
    over_quota = seat_approve(seat=_nominated(cohort, other), actor=cohort.trainers.first())
    host_seat = seated(cohort)
    assert over_quota.status == Seat.Status.WAITLISTED
    assert host_seat.status == Seat.Status.APPROVED
    assert Participation.objects.get(cohort=cohort, agency=other).seats_taken == 1


def test_withdrawal_offers_the_seat_to_the_next_on_the_waiting_list():
    cohort = build_cohort(capacity=1)
    holder = seated(cohort)
    waiting = seat_approve(seat=_nominated(cohort), actor=cohort.trainers.first())
    later = seat_approve(seat=_nominated(cohort), actor=cohort.trainers.first())

    seat_withdraw(seat=holder, actor=holder.user)

    waiting.refresh_from_db()
    later.refresh_from_db()
    cohort.refresh_from_db()
    assert waiting.status == Seat.Status.OFFERED
    expected = timezone.now() + timedelta(hours=48)
    assert abs((waiting.offer_expires_at - expected).total_seconds()) < 60
    assert later.status == Seat.Status.WAITLISTED
    assert cohort.seats_taken == 1  # the offer holds the seat while it is open
    assert Notice.objects.filter(seat=waiting, kind=Notice.Kind.OFFERED).exists()

    claimed = seat_claim(seat=waiting, actor=waiting.user)
    assert claimed.status == Seat.Status.APPROVED


def test_unclaimed_offer_expires_and_moves_on(settings):
    settings.COHORT_CLAIM_WINDOW_HOURS = 48
    cohort = build_cohort(capacity=1)
    holder = seated(cohort)
    first = seat_approve(seat=_nominated(cohort), actor=cohort.trainers.first())
    second = seat_approve(seat=_nominated(cohort), actor=cohort.trainers.first())
    seat_withdraw(seat=holder, actor=holder.user)

    assert seat_offers_expire() == []  # nothing is due yet
    with time_machine.travel(timezone.now() + timedelta(hours=48, minutes=1), tick=False):
        assert seat_offers_expire() == [first.pk]
        with pytest.raises(ValidationError):
            seat_claim(seat=first, actor=first.user)

    first.refresh_from_db()
    second.refresh_from_db()
    cohort.refresh_from_db()
    assert first.status == Seat.Status.EXPIRED
    assert second.status == Seat.Status.OFFERED
    assert cohort.seats_taken == 1
    assert Notice.objects.filter(seat=first, kind=Notice.Kind.EXPIRED).exists()


def test_claim_just_before_the_window_closes_keeps_the_seat():
    cohort = build_cohort(capacity=1)
    holder = seated(cohort)
    waiting = seat_approve(seat=_nominated(cohort), actor=cohort.trainers.first())
    seat_withdraw(seat=holder, actor=holder.user)
    with time_machine.travel(timezone.now() + timedelta(hours=47, minutes=59), tick=False):
        assert seat_claim(seat=waiting, actor=waiting.user).status == Seat.Status.APPROVED
        assert seat_offers_expire() == []


def test_offer_skips_an_officer_whose_agency_quota_is_full():
    cohort = build_cohort(capacity=2)
    limited = AgencyFactory(country="VN", time_zone="Asia/Ho_Chi_Minh")
    take_part(cohort, limited, quota=1)
    seated(cohort, agency=limited)
    host_holder = seated(cohort)
    blocked = seat_approve(seat=_nominated(cohort, limited), actor=cohort.trainers.first())
    eligible = seat_approve(seat=_nominated(cohort), actor=cohort.trainers.first())

    seat_withdraw(seat=host_holder, actor=host_holder.user)

    blocked.refresh_from_db()
    eligible.refresh_from_db()
    assert blocked.status == Seat.Status.WAITLISTED
    assert eligible.status == Seat.Status.OFFERED


def test_nomination_rules():
    cohort = build_cohort(capacity=3)
    outsider = AgencyFactory(country="MD", time_zone="Europe/Chisinau")
    officer = MembershipFactory(agency=outsider).user
    with pytest.raises(ValidationError, match="does not take part"):
        seat_nominate(cohort=cohort, user=officer, agency=outsider, actor=officer)
    pending = MembershipFactory(agency=cohort.host_agency, status="pending").user
    with pytest.raises(ValidationError, match="approved officers"):
        seat_nominate(cohort=cohort, user=pending, agency=cohort.host_agency, actor=officer)
    seat = _nominated(cohort)
    with pytest.raises(ValidationError, match="already been nominated"):
        seat_nominate(cohort=cohort, user=seat.user, agency=cohort.host_agency, actor=officer)
    late = build_cohort(nomination_deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="deadline"):
        _nominated(late)


def test_declined_nomination_keeps_no_seat():
    cohort = build_cohort(capacity=1)
    seat = seat_decline(seat=_nominated(cohort), actor=cohort.trainers.first(), reason="No")
    cohort.refresh_from_db()
    assert seat.status == Seat.Status.DECLINED
    assert cohort.seats_taken == 0


def test_walk_in_takes_a_room_seat_but_not_the_quota():
    cohort = build_cohort(capacity=2)
    other = AgencyFactory(country="PH", time_zone="Asia/Manila")
    take_part(cohort, other, quota=0)
    officer = MembershipFactory(agency=other).user
    seat = seat_add_walk_in(cohort=cohort, user=officer, actor=cohort.trainers.first())
    assert seat.walk_in and seat.status == Seat.Status.APPROVED
    assert Participation.objects.get(cohort=cohort, agency=other).seats_taken == 0
    seated(cohort)
    with pytest.raises(ValidationError, match="full"):
        seat_add_walk_in(
            cohort=cohort,
            user=MembershipFactory(agency=cohort.host_agency).user,
            actor=cohort.trainers.first(),
        )


def test_walk_in_of_an_officer_of_an_agency_not_taking_part_is_refused():
    cohort = build_cohort(capacity=5)
    outsider = MembershipFactory(agency=AgencyFactory(country="PH")).user
    with pytest.raises(ValidationError, match="of an agency taking part in the cohort"):
        seat_add_walk_in(cohort=cohort, user=outsider, actor=cohort.trainers.first())
    assert not Seat.objects.filter(cohort=cohort).exists()
    cohort.refresh_from_db()
    assert cohort.seats_taken == 0
    # Once the agency takes part, the same officer may walk in.
    take_part(cohort, outsider.memberships.get().agency, quota=1)
    seat = seat_add_walk_in(cohort=cohort, user=outsider, actor=cohort.trainers.first())
    assert seat.walk_in and seat.agency == outsider.memberships.get().agency


def test_database_refuses_more_seats_than_capacity():
    cohort = build_cohort(capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cohort.objects.filter(pk=cohort.pk).update(seats_taken=2)


def test_database_refuses_more_seats_than_quota():
    cohort = build_cohort(capacity=10)
    participation = take_part(cohort, AgencyFactory(), quota=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.filter(pk=participation.pk).update(seats_taken=2)


def _race(functions) -> list:
    """Run each function in its own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # collected for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_exceed_capacity_or_quota():
    cohort = build_cohort(capacity=5)
    limited = AgencyFactory(country="KR", time_zone="Asia/Seoul")
    take_part(cohort, limited, quota=2)
    actor = cohort.trainers.first()
    seats = [_nominated(cohort) for _ in range(8)] + [_nominated(cohort, limited) for _ in range(8)]

    results = _race([lambda seat=seat: seat_approve(seat=seat, actor=actor) for seat in seats])

    assert not [r for r in results if isinstance(r, Exception)]
    cohort.refresh_from_db()
    approved = Seat.objects.filter(cohort=cohort, status=Seat.Status.APPROVED)
    assert approved.count() == 5 == cohort.seats_taken
    assert approved.filter(agency=limited).count() <= 2
    assert Participation.objects.get(cohort=cohort, agency=limited).seats_taken == (
        approved.filter(agency=limited).count()
    )
    assert Seat.objects.filter(cohort=cohort, status=Seat.Status.WAITLISTED).count() == 11
    assert cohort.status == Cohort.Status.FULL


@pytest.mark.django_db(transaction=True)
def test_concurrent_nominations_of_one_officer_make_one_seat():
    cohort = build_cohort(capacity=5)
    officer = MembershipFactory(agency=cohort.host_agency).user
    actor = cohort.trainers.first()
    results = _race(
        [
            lambda: seat_nominate(
                cohort=cohort, user=officer, agency=cohort.host_agency, actor=actor
            )
            for _ in range(6)
        ]
    )
    assert sum(isinstance(r, Seat) for r in results) == 1
    assert Seat.objects.filter(cohort=cohort, user=officer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_walk_ins_and_claims_never_exceed_capacity():
    cohort = build_cohort(capacity=3, status=Cohort.Status.OPEN)
    actor = cohort.trainers.first()
    holder = seated(cohort)
    waiting = seat_approve(seat=_nominated(cohort), actor=actor)
    seated(cohort)
    seated(cohort)
    seat_withdraw(seat=holder, actor=holder.user)  # the seat is offered to `waiting`
    walkers = [MembershipFactory(agency=cohort.host_agency).user for _ in range(6)]

    results = _race(
        [lambda: seat_claim(seat=waiting, actor=waiting.user)]
        + [lambda u=u: seat_add_walk_in(cohort=cohort, user=u, actor=actor) for u in walkers]
    )

    assert isinstance(results[0], Seat)
    cohort.refresh_from_db()
    assert cohort.seats_taken == 3
    assert Seat.objects.filter(cohort=cohort, status__in=Seat.HOLDING).count() == 3


def test_seats_nominate_reports_each_officer_and_nominates_each_in_its_own_transaction():
    cohort = build_cohort()
    partner = AgencyFactory()
    take_part(cohort, partner)
    admin = admin_of(partner)
    good = MembershipFactory(agency=partner, user=UserFactory(full_name="Good Officer"))
    twice = MembershipFactory(agency=partner, user=UserFactory(full_name="Twice Nominated"))
    seat_nominate(cohort=cohort, user=twice.user, agency=partner, actor=admin)
    foreign = MembershipFactory(agency=cohort.host_agency)

    result = seats_nominate(
        cohort=cohort,
        membership_ids=[good.pk, twice.pk, foreign.pk],
        agency_ids={partner.pk},
        actor=admin,
    )

    assert result.nominated == ["Good Officer"]
    assert result.refused == [("Twice Nominated", "This officer has already been nominated.")]
    assert result.not_eligible == 1
    seat = Seat.objects.get(cohort=cohort, user=good.user)
    assert seat.status == Seat.Status.NOMINATED and seat.nominated_by == admin
    assert not Seat.objects.filter(user=foreign.user).exists()
    assert AuditEvent.objects.filter(action="cohort.nominate", actor=admin).count() == 2
