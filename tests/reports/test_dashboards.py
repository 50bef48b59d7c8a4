"""The completion dashboards: figures on a small known data set, filters, the officers behind
each figure, who may open which dashboard, and query counts that do not grow with officers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from cohorts.models import Attendance, Seat
from courses.models import Enrollment
from reports.selectors.dashboards import (
    agency_dashboard,
    country_dashboard,
    dashboard_officers,
    programme_dashboard,
)
from reports.services.compliance_states import compliance_states_refresh
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_cohort,
    build_course,
    coordinator_of,
    staff_user,
    with_totp,
)
from tests.reports.dashboard_data import Scene, filters_for, grow

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def scene():
    return Scene()


def test_agency_headline_figures_count_current_officers_of_the_agency(scene):
    data = agency_dashboard(agency=scene.agency, filters=scene.filters())
    h = data.headline
    assert (h.vetted, h.enrolled, h.completed, h.certified, h.expiring) == (4, 3, 1, 1, 1)
    # Nobody follows a requirement set yet: every vetted officer has none.
    assert h.compliance == {"compliant": 0, "at_risk": 0, "overdue": 0, "none": 4, "pending": 0}


def test_agency_funnel_counts_lessons_read_and_quizzes_passed_per_module(scene):
    data = agency_dashboard(agency=scene.agency, filters=scene.filters())
    funnel = [(m.title, m.enrolled, m.read_all, m.passed) for m in data.modules]
    assert funnel == [(scene.m1.title, 3, 2, 1), (scene.m2.title, 3, 1, 1)]


def test_agency_pass_rates_and_first_attempt_pass_rates(scene):
    data = agency_dashboard(agency=scene.agency, filters=scene.filters())
    m1, m2 = data.modules
    assert (m1.tried, m1.passed, m1.first_tried, m1.first_passed) == (2, 1, 2, 1)
    assert (m2.tried, m2.passed, m2.first_tried, m2.first_passed) == (1, 1, 1, 0)
    assert m1.pass_rate == 50 and m1.first_pass_rate == 50
    assert m2.pass_rate == 100 and m2.first_pass_rate == 0


def test_completions_per_month_cover_twelve_months_with_zeros(scene):
    data = agency_dashboard(agency=scene.agency, filters=scene.filters())
    assert len(data.months) == 12
    assert data.months[-1] == (timezone.localdate().replace(day=1), 1)
    assert sum(n for _month, n in data.months) == 1


def test_completions_per_month_use_the_viewers_time_zone(scene):
    # Completed at 23:30 UTC on the last day of a month: already the next month in Seoul.
    enrollment = Enrollment.objects.get(user=scene.o1)
    month_end = timezone.localdate().replace(day=1) - timedelta(days=1)
    enrollment.completed_at = timezone.datetime(
        month_end.year, month_end.month, month_end.day, 23, 30, tzinfo=timezone.UTC
    )
    enrollment.save()
    with timezone.override("Asia/Seoul"):
        seoul = dict(agency_dashboard(agency=scene.agency, filters=scene.filters()).months)
    with timezone.override("UTC"):
        utc = dict(agency_dashboard(agency=scene.agency, filters=scene.filters()).months)
    assert utc[month_end.replace(day=1)] == 1
    assert seoul.get(month_end.replace(day=1), 0) == 0


def test_filters_narrow_the_selection_by_unit_status_role_and_period(scene):
    by_unit = agency_dashboard(agency=scene.agency, filters=scene.filters(unit_id=scene.unit.pk))
    assert (by_unit.headline.vetted, by_unit.headline.enrolled) == (1, 1)
    lapsed = agency_dashboard(agency=scene.agency, filters=scene.filters(status="lapsed"))
    assert (lapsed.headline.vetted, lapsed.headline.enrolled, lapsed.headline.completed) == (
        0,
        1,
        1,
    )
    admins = agency_dashboard(agency=scene.agency, filters=scene.filters(role=Role.AGENCY_ADMIN))
    assert admins.headline.vetted == 1 and admins.headline.enrolled == 0
    long_ago = timezone.localdate() - timedelta(days=400)
    past = agency_dashboard(
        agency=scene.agency,
        filters=scene.filters(date_from=long_ago, date_to=long_ago + timedelta(days=30)),
    )
    # Dated measures only: completions and passes fall outside; enrolment does not.
    assert (past.headline.enrolled, past.headline.completed) == (3, 0)
    assert [m.passed for m in past.modules] == [0, 0]


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        ("vetted", {"o1", "o2", "o3", "o4"}),
        ("enrolled", {"o1", "o2", "o3"}),
        ("completed", {"o1"}),
        ("certified", {"o1"}),
        ("expiring", {"o1"}),
        ("none", {"o1", "o2", "o3", "o4"}),
        ("overdue", set()),
    ],
)
def test_officers_behind_each_headline_figure_match_the_figure(scene, figure, expected):
    filters = scene.filters()
    names = {getattr(scene, key).pk: key for key in ("o1", "o2", "o3", "o4")}
    members = dashboard_officers(agency=scene.agency, figure=figure, filters=filters)
    assert {names[m.user_id] for m in members} == expected
    headline = agency_dashboard(agency=scene.agency, filters=filters).headline
    assert len(members) == headline.get(figure)


def test_officers_behind_module_figures_match_the_funnel_and_pass_rates(scene):
    filters = scene.filters()
    m1 = scene.m1.pk

    def ids(figure):
        return {
            m.user_id
            for m in dashboard_officers(agency=scene.agency, figure=figure, filters=filters)
        }

    assert ids(f"read:{m1}") == {scene.o1.pk, scene.o2.pk}
    assert ids(f"tried:{m1}") == {scene.o1.pk, scene.o2.pk}
    assert ids(f"passed:{m1}") == {scene.o1.pk}
    assert ids(f"first:{scene.m2.pk}") == set()


def test_agency_cohorts_show_attendance_of_the_agencys_held_seats(scene):
    cohort = build_cohort(
        course=scene.course,
        host=scene.agency,
        days=2,
        first_day=timezone.localdate() - timedelta(days=5),
    )
    sessions = list(cohort.sessions.order_by("starts_at"))
    seats = [
        Seat.objects.create(
            cohort=cohort, user=user, agency=scene.agency, status=Seat.Status.APPROVED
        )
        for user in (scene.o1, scene.o2)
    ]
    # 3 of 4 possible marks attended (present or late); an excused mark does not count.
    for seat, session, status in [
        (seats[0], sessions[0], "present"),
        (seats[0], sessions[1], "late"),
        (seats[1], sessions[0], "present"),
        (seats[1], sessions[1], "excused"),
    ]:
        Attendance.objects.create(seat=seat, session=session, status=status, source="roster")
    data = agency_dashboard(agency=scene.agency, filters=scene.filters())
    (row,) = data.cohorts
    assert (row.held, row.sessions_held, row.attended, row.hosted) == (2, 2, 3, True)
    assert row.attendance_rate == 75


def test_country_and_programme_dashboards_add_up_per_agency_and_country(scene):
    AgencyFactory(country="TH", name="Royal Thai Police")
    data = country_dashboard(country="KR", filters=scene.filters())
    rows = {row.label: row.headline for row in data.rows}
    assert rows["Seoul Police"].enrolled == 3
    assert rows["Busan Police"].enrolled == 1
    assert data.total.enrolled == 4 and data.total.vetted == 5
    programme = programme_dashboard(filters=scene.filters())
    by_country = {row.key: row.headline for row in programme.rows}
    assert by_country["KR"].completed == 2
    assert by_country["TH"].vetted == 0
    assert programme.total.completed == 2


# Over HTTP ----------------------------------------------------------------------------


def urls(scene) -> dict[str, str]:
    return {
        "index": reverse("reports:dashboards"),
        "agency": reverse("reports:dashboard_agency", args=[scene.agency.pk]),
        "officers": reverse("reports:dashboard_officers", args=[scene.agency.pk])
        + "?figure=enrolled",
        "country": reverse("reports:dashboard_country", args=["KR"]),
        "programme": reverse("reports:dashboard_programme"),
    }


def people(scene) -> dict:
    trainer = MembershipFactory(agency=scene.agency, role=Role.TRAINER, user=UserFactory()).user
    with_totp(trainer)  # the role requires MFA; without it every page sends them to set it up
    return {
        "anonymous": None,
        "officer": scene.o1,
        "trainer": trainer,
        "admin": scene.admin,
        "other_admin": admin_of(scene.other),
        "coordinator": coordinator_of("KR"),
        "other_coordinator": coordinator_of("TH"),
        "staff": staff_user(),
    }


# Expected status per (person, page); the index redirects to one scope or lists several.
MATRIX = {
    "anonymous": {"index": 302, "agency": 302, "officers": 302, "country": 302, "programme": 302},
    "officer": {"index": 404, "agency": 404, "officers": 404, "country": 404, "programme": 404},
    "trainer": {"index": 404, "agency": 404, "officers": 404, "country": 404, "programme": 404},
    "admin": {"index": 302, "agency": 200, "officers": 200, "country": 404, "programme": 404},
    "other_admin": {
        "index": 302,
        "agency": 404,
        "officers": 404,
        "country": 404,
        "programme": 404,
    },
    "coordinator": {"index": 302, "agency": 200, "officers": 200, "country": 200, "programme": 404},
    "other_coordinator": {
        "index": 302,
        "agency": 404,
        "officers": 404,
        "country": 404,
        "programme": 404,
    },
    "staff": {"index": 302, "agency": 200, "officers": 200, "country": 200, "programme": 200},
}


def test_role_by_dashboard_matrix_over_http(client, scene):
    pages = urls(scene)
    for who, user in people(scene).items():
        client.logout()
        if user is not None:
            client.force_login(user)
        got = {page: client.get(url).status_code for page, url in pages.items()}
        assert got == MATRIX[who], who


def test_index_redirects_each_role_to_its_one_dashboard(client, scene):
    cases = [
        (scene.admin, reverse("reports:dashboard_agency", args=[scene.agency.pk])),
        (coordinator_of("KR"), reverse("reports:dashboard_country", args=["KR"])),
        (staff_user(), reverse("reports:dashboard_programme")),
    ]
    for user, target in cases:
        client.force_login(user)
        response = client.get(reverse("reports:dashboards"))
        assert response.status_code == 302 and response.url == target


def test_agency_dashboard_page_shows_figures_charts_and_tables(client, scene):
    client.force_login(scene.admin)
    response = client.get(reverse("reports:dashboard_agency", args=[scene.agency.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<canvas") == 4
    assert html.count('role="img"') == 4
    assert 'id="dashboard-data"' in html
    assert "<script>" not in html and "style=" not in html
    officers = reverse("reports:dashboard_officers", args=[scene.agency.pk])
    assert f"{officers}?figure=completed" in html


def test_officer_list_page_lists_the_officers_of_a_figure(client, scene):
    client.force_login(scene.admin)
    url = reverse("reports:dashboard_officers", args=[scene.agency.pk])
    response = client.get(url, {"figure": "enrolled"})
    html = response.content.decode()
    for user in (scene.o1, scene.o2, scene.o3):
        assert user.email in html
    assert scene.o4.email not in html
    assert client.get(url, {"figure": "nonsense"}).status_code == 404


def test_officer_names_link_to_their_record_only_for_those_who_may_open_it(client, scene):
    """The agency admin may open each officer's training record; a coordinator of the country
    sees the same list (the figures) without the links (no VIEW_TRANSCRIPT)."""
    url = reverse("reports:dashboard_officers", args=[scene.agency.pk])
    record = reverse("reports:transcript", kwargs={"user_id": scene.o1.pk})
    client.force_login(scene.admin)
    assert record in client.get(url, {"figure": "enrolled"}).content.decode()
    client.force_login(coordinator_of(scene.agency.country))
    html = client.get(url, {"figure": "enrolled"}).content.decode()
    assert scene.o1.email in html
    assert record not in html


# Queries of each page for an agency admin: the user and the viewer's memberships (one read
# for the MFA policy and device, the access check and the navigation's roles), the filter
# form's courses and units, then the dashboard's own reads. The session is read from Redis
# and not written on a read.
# Agency: headline (1), compliance (1: the summary, reports.ComplianceState), modules,
# lessons read, pass rates (one window query), months (4), cohorts (4: held seats, the
# cohorts, sessions held, attended marks). Officers: the
# figure's list and its count, and whose training records the viewer may open (1).
# Country and programme: agencies or countries (1), headline (1), compliance (1); staff
# have no membership to read for the access check.
PINNED = {
    "agency": 15,
    "officers": 7,
    "country": 7,
    "programme": 7,
}


@pytest.mark.parametrize("view", ["agency", "officers", "country", "programme"])
def test_dashboard_query_counts_are_pinned_and_flat_at_2_and_20_officers(
    client, scene, view, django_assert_num_queries
):
    viewer = {"country": coordinator_of("KR"), "programme": staff_user()}.get(view, scene.admin)
    client.force_login(viewer)
    url = urls(scene)[view]
    grow(scene, 2)
    with django_assert_num_queries(PINNED[view]):
        assert client.get(url).status_code == 200
    grow(scene, 18)
    with django_assert_num_queries(PINNED[view]):
        assert client.get(url).status_code == 200


def test_compliance_split_and_its_officer_lists_follow_the_agencys_requirement(client):
    from reports.models import AgencyRequirement, RequirementSet

    today = timezone.localdate()
    # Twelve-month cycles, the current one ending in 35 days: under 60 days left.
    requirement = RequirementSet.objects.create(
        slug="dashboard-test",
        name="Dashboard test set (demo)",
        country="KR",
        cycle_months=12,
        anchor=RequirementSet.Anchor.FIXED,
        anchor_date=today - timedelta(days=330),
        minimum_hours={"total": "1"},
        source_path="content/requirements/dashboard-test.yaml",
        content_hash="0" * 64,
    )
    agency = AgencyFactory(country="KR", time_zone="Asia/Seoul", name="Incheon Police")
    AgencyRequirement.objects.create(agency=agency, requirement_set=requirement)
    # Bound by the previous cycle and short in it: overdue. Started in this cycle: at risk.
    overdue = MembershipFactory(
        agency=agency, user=UserFactory(), created_at=timezone.now() - timedelta(days=800)
    ).user
    at_risk = MembershipFactory(
        agency=agency, user=UserFactory(), created_at=timezone.now() - timedelta(days=100)
    ).user
    filters = filters_for(build_course(modules=1, questions=1))
    # Before the summary is written: not yet evaluated (shown only then).
    data = agency_dashboard(agency=agency, filters=filters)
    assert data.headline.compliance == {
        "compliant": 0,
        "at_risk": 0,
        "overdue": 0,
        "none": 0,
        "pending": 2,
    }
    assert data.headline.compliance_as_of is None
    compliance_states_refresh(agency_id=agency.pk)
    data = agency_dashboard(agency=agency, filters=filters)
    assert data.headline.compliance == {
        "compliant": 0,
        "at_risk": 1,
        "overdue": 1,
        "none": 0,
        "pending": 0,
    }
    assert data.headline.compliance_as_of is not None
    assert data.headline.vetted == 2
    for figure, user in (("overdue", overdue), ("at_risk", at_risk)):
        listed = dashboard_officers(agency=agency, figure=figure, filters=filters)
        assert [m.user_id for m in listed] == [user.pk]
    client.force_login(admin_of(agency))
    response = client.get(reverse("reports:dashboard_agency", args=[agency.pk]))
    assert response.context["chart_data"]["compliance"]["series"][0]["data"] == [0, 1, 1, 0]


def _read_all_from_lesson_progress(scene):
    """The funnel's "all lessons read" and its officers' dates the old way: aggregated from
    LessonProgress (a count of the module's lessons read reaching its lesson count)."""
    from django.db.models import Count, Max

    from courses.models import LessonProgress

    members = Membership.objects.filter(
        pk__in=[
            m.pk
            for m in dashboard_officers(
                agency=scene.agency, figure="enrolled", filters=scene.filters()
            )
        ]
    )
    per_module = {}
    for module in (scene.m1, scene.m2):
        rows = (
            LessonProgress.objects.filter(
                enrollment__course=scene.course,
                enrollment__user_id__in=members.values("user_id"),
                lesson__module=module,
            )
            .values("enrollment__user_id")
            .annotate(n=Count("pk"), last=Max("completed_at"))
            .filter(n__gte=module.lessons.count())
        )
        per_module[module.pk] = {row["enrollment__user_id"]: row["last"] for row in rows}
    return per_module


def test_funnel_and_officers_from_module_progress_equal_the_lesson_progress_aggregate(scene):
    """The funnel and the officer list behind "all lessons read" read the module summaries
    (courses.ModuleProgress) and give what aggregating LessonProgress gives, dates included."""
    from tests.factories import lesson_read

    # o3 part-way through both modules (one lesson of each, one of them read yesterday).
    partial = Enrollment.objects.get(user=scene.o3, course=scene.course)
    lesson_read(partial, scene.m2.lessons.first())
    lesson_read(partial, scene.m1.lessons.first(), completed_at=timezone.now() - timedelta(1))
    filters = scene.filters()
    expected = _read_all_from_lesson_progress(scene)

    data = agency_dashboard(agency=scene.agency, filters=filters)

    assert {m.module_id: m.read_all for m in data.modules} == {
        pk: len(users) for pk, users in expected.items()
    }
    for module_id, users in expected.items():
        listed = dashboard_officers(
            agency=scene.agency, figure=f"read:{module_id}", filters=filters
        )
        assert {m.user_id: m.figure_date for m in listed} == users
