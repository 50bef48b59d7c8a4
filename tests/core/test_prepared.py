"""core.prepared: reads compiled once per process give what the queryset gives, with each
call's values and nothing of an earlier call's; functions that would freeze a value are
refused on their first call."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.db.models import Count, Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Agency, Membership, User
from core.prepared import PreparedQueryError, prepared
from courses.models import Enrollment, LessonProgress
from tests.factories import (
    AgencyFactory,
    EnrollmentFactory,
    MembershipFactory,
    UserFactory,
    build_course,
    lesson_read,
)

pytestmark = pytest.mark.django_db

BUILT = []


@prepared
def enrollments_of(*, user_id: int):
    BUILT.append(user_id)
    return (
        Enrollment.objects.filter(user_id=user_id)
        .select_related("course")
        .annotate(done=Count("progress"))
        .prefetch_related(Prefetch("progress", queryset=LessonProgress.objects.order_by("pk")))
        .order_by("pk")
    )


@prepared
def members_since(*, agency_id: int, since, email: str):
    return Membership.objects.filter(
        agency_id=agency_id, created_at__gte=since, user__email=email
    ).values_list("user__email", "role")


@prepared
def memberships_of_agency(*, agency_id: int):
    return Membership.objects.filter(agency_id=agency_id).order_by("pk")


def _two_officers():
    course = build_course(lessons_per_module=2, modules=1)
    people = []
    for read in (1, 2):
        enrollment = EnrollmentFactory(user=UserFactory(), course=course)
        for lesson in list(course.modules.get().lessons.order_by("order"))[:read]:
            lesson_read(enrollment, lesson)
        people.append(enrollment.user)
    return people


def test_each_call_gets_its_own_rows_built_as_the_orm_builds_them():
    first, second = _two_officers()
    BUILT.clear()
    for user in (first, second, first):
        expected = list(enrollments_of.build(user_id=user.pk))
        got = enrollments_of(user_id=user.pk)
        assert [e.pk for e in got] == [e.pk for e in expected]
        assert [e.done for e in got] == [e.done for e in expected]
        assert got[0].course.title == expected[0].course.title  # select_related
        with CaptureQueriesContext(connection) as queries:
            progress = [p.pk for p in got[0].progress.all()]  # prefetched
        assert progress == [p.pk for p in expected[0].progress.all()]
        assert len(queries) == 0
    assert [e.done for e in enrollments_of(user_id=first.pk)] == [1]
    assert [e.done for e in enrollments_of(user_id=second.pk)] == [2]
    # Built twice with stand-ins on the first call, then never again (the three direct
    # .build calls above are the test's own).
    assert len(BUILT) == 2 + 3


def test_a_call_runs_one_statement_plus_its_prefetch():
    first, _second = _two_officers()
    enrollments_of(user_id=first.pk)
    with CaptureQueriesContext(connection) as queries:
        enrollments_of(user_id=first.pk)
    assert len(queries) == 2  # the enrollments, then their progress (prefetch_related)
    assert str(first.pk) in queries[0]["sql"]


def test_strings_datetimes_and_values_list():
    agency = AgencyFactory()
    officer = MembershipFactory(agency=agency, user=UserFactory(email="a@agency.example"))
    MembershipFactory(agency=agency, user=UserFactory(email="b@agency.example"))
    since = officer.created_at - timedelta(minutes=1)
    assert members_since(agency_id=agency.pk, since=since, email="a@agency.example") == [
        ("a@agency.example", officer.role)
    ]
    assert members_since(agency_id=agency.pk, since=since, email="b@agency.example") == [
        ("b@agency.example", officer.role)
    ]
    later = timezone.now() + timedelta(days=1)
    assert members_since(agency_id=agency.pk, since=later, email="a@agency.example") == []


def test_a_none_takes_the_orms_path_and_gets_is_null():
    MembershipFactory(agency=None, country="TH", role=Membership.Role.COORDINATOR)
    agency = AgencyFactory()
    MembershipFactory(agency=agency)
    assert [m.country for m in memberships_of_agency(agency_id=None)] == ["TH"]
    assert [m.agency_id for m in memberships_of_agency(agency_id=agency.pk)] == [agency.pk]
    assert [m.country for m in memberships_of_agency(agency_id=None)] == ["TH"]


def test_a_value_taken_from_elsewhere_is_refused():
    @prepared
    def recent(*, user_id: int):
        return User.objects.filter(pk=user_id, date_joined__lte=timezone.now())

    with pytest.raises(PreparedQueryError, match="not an argument's value"):
        recent(user_id=1)


def test_a_value_the_orm_transforms_is_refused():
    @prepared
    def named(*, text: str):
        return User.objects.filter(full_name__icontains=text)

    with pytest.raises(PreparedQueryError, match="not an argument's value"):
        named(text="lee")


def test_an_argument_that_reaches_no_parameter_is_refused():
    @prepared
    def everyone(*, user_id: int):
        return User.objects.all()

    with pytest.raises(PreparedQueryError, match="reach no parameter"):
        everyone(user_id=1)


def test_a_closure_and_an_unknown_type_are_refused():
    user_id = 1
    with pytest.raises(PreparedQueryError, match="enclosing function"):

        @prepared
        def mine():
            return User.objects.filter(pk=user_id)

    with pytest.raises(PreparedQueryError, match="takes int, str, date or datetime"):
        memberships_of_agency(agency_id=True)
    with pytest.raises(TypeError):
        memberships_of_agency(agency=1)


def test_user_get_by_pk_is_prepared_and_keeps_the_managers_answers():
    user = UserFactory()
    assert User.objects.get(pk=user.pk) == user
    assert User.objects.get(pk=str(user.pk)) == user  # not an int: the ORM's way
    assert User.objects.get(email=user.email) == user
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=user.pk + 1000)
    with CaptureQueriesContext(connection) as queries:
        User.objects.get(pk=user.pk)
    assert len(queries) == 1


@prepared(shape=("staff_only",))
def people(*, email: str, staff_only: bool):
    users = User.objects.filter(email=email)
    if staff_only:
        users = users.filter(is_staff=True)
    return users


def test_shape_arguments_choose_among_forms_compiled_apart():
    staff = UserFactory(email="s@agency.example", is_staff=True)
    officer = UserFactory(email="o@agency.example")
    assert people(email=officer.email, staff_only=False) == [officer]
    assert people(email=officer.email, staff_only=True) == []
    assert people(email=staff.email, staff_only=True) == [staff]
    assert len(people._statements) == 2


@prepared
def agency_domains(*, agency_id: int):
    return Agency.objects.filter(pk=agency_id).values_list("email_domains", flat=True)


@pytest.mark.django_db(transaction=True)
def test_converters_are_worked_out_once_per_connection():
    """A JSON column needs its field's converter: the statement keeps the compiler's
    converters per connection (they are bound to it), and each thread's connection gets its
    own."""
    first = AgencyFactory(email_domains=["knpa.example"])
    second = AgencyFactory(email_domains=["rtp.example", "dsi.example"])
    assert agency_domains(agency_id=first.pk) == [["knpa.example"]]
    assert agency_domains(agency_id=second.pk) == [["rtp.example", "dsi.example"]]
    (statement,) = agency_domains._statements.values()
    assert list(statement.converters) == [connections["default"]]
    seen = {}

    def other_thread():
        seen["rows"] = agency_domains(agency_id=second.pk)
        seen["connections"] = len(statement.converters)
        connections.close_all()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert seen == {"rows": [["rtp.example", "dsi.example"]], "connections": 2}
