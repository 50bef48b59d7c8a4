"""The officer compliance summary (reports.ComplianceState): written by the refresh service,
kept current by the evidence writes (through the outbox), by the requirement chosen and daily;
the dashboards count it instead of judging every officer per view."""

import io
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership
from certificates.services import certificate_revoke
from cohorts.models import Attendance
from cohorts.services.attendance import attendance_mark
from courses.models import Lesson
from courses.services import enrollment_create, lesson_complete
from reports.models import AgencyRequirement, ComplianceState, RequirementSet
from reports.selectors.compliance import (
    AT_RISK,
    COMPLIANT,
    OVERDUE,
    officers_compliance,
    shortfall_lines,
)
from reports.selectors.dashboards import agency_dashboard, dashboard_officers
from reports.services.compliance_states import compliance_states_refresh
from reports.services.requirements import agency_requirement_choose
from reports.tasks import compliance_states_daily_task
from tests.certificates.issuing import issued_certificate
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_cohort,
    build_course,
    seated,
    staff_user,
)
from tests.reports.dashboard_data import Scene, grow

pytestmark = pytest.mark.django_db


def requirement(**fields) -> RequirementSet:
    """Twelve-month cycles from a fixed anchor; the current cycle ends in 35 days (under the
    60 days of REPORTS_AT_RISK_DAYS left)."""
    values = {
        "slug": "cstate-test",
        "name": "Compliance state test set (demo)",
        "country": "KR",
        "cycle_months": 12,
        "anchor": RequirementSet.Anchor.FIXED,
        "anchor_date": timezone.localdate() - timedelta(days=330),
        "minimum_hours": {"total": "0.25"},
        "source_path": "content/requirements/cstate-test.yaml",
        "content_hash": "0" * 64,
    }
    values.update(fields)
    return RequirementSet.objects.create(**values)


def following(requirement_set: RequirementSet, **fields):
    agency = AgencyFactory(country="KR", time_zone="UTC", **fields)
    AgencyRequirement.objects.create(agency=agency, requirement_set=requirement_set)
    return agency


def officer(agency, *, days_ago: int = 100):
    return MembershipFactory(
        agency=agency, user=UserFactory(), created_at=timezone.now() - timedelta(days=days_ago)
    )


def state_of(membership) -> str:
    return ComplianceState.objects.get(membership=membership).state


def test_refresh_writes_one_row_per_officer_membership_with_facts_not_text():
    agency = following(requirement())
    membership = officer(agency)
    admin_of(agency)  # not an officer: no row
    assert compliance_states_refresh(agency_id=agency.pk) == 1
    row = ComplianceState.objects.get()
    assert (row.membership, row.user, row.agency) == (membership, membership.user, agency)
    assert row.state == AT_RISK
    assert row.shortfalls == [["hours", "total", "0.25"]]
    assert row.hours["total"] == "0"
    # Worded in the viewer's language when shown, not when stored.
    with translation.override("en"):
        assert shortfall_lines(row.shortfalls) == ["0.3 h in total"]


def test_a_lesson_completed_changes_the_officers_state_once_the_outbox_is_delivered(
    deliver_outbox,
):
    agency = following(requirement())
    membership = officer(agency)
    compliance_states_refresh(agency_id=agency.pk)
    assert state_of(membership) == AT_RISK
    course = build_course(modules=1, lessons_per_module=1, questions=1)
    enrollment = enrollment_create(user=membership.user, course=course)
    lesson_complete(enrollment=enrollment, lesson=Lesson.objects.get(module__course=course))
    assert state_of(membership) == AT_RISK  # not before the worker's turn
    assert "reports.tasks.compliance_state_refresh_task" in deliver_outbox()
    assert state_of(membership) == COMPLIANT


def test_an_officer_whose_agency_follows_no_requirement_queues_no_refresh(deliver_outbox):
    """Most events happen where no requirement is followed: no outbox row, no task."""
    membership = officer(AgencyFactory())
    course = build_course(modules=1, lessons_per_module=1, questions=1)
    enrollment = enrollment_create(user=membership.user, course=course)
    lesson_complete(enrollment=enrollment, lesson=Lesson.objects.get(module__course=course))
    assert "reports.tasks.compliance_state_refresh_task" not in deliver_outbox()
    assert not ComplianceState.objects.exists()


def test_attendance_marked_changes_the_officers_state(deliver_outbox):
    agency = following(requirement())
    cohort = build_cohort(
        host=agency, days=1, time_zone="UTC", first_day=timezone.localdate() - timedelta(days=2)
    )
    seat = seated(cohort)
    membership = Membership.objects.get(user=seat.user, agency=agency)
    compliance_states_refresh(agency_id=agency.pk)
    assert state_of(membership) == AT_RISK
    attendance_mark(
        session=cohort.sessions.get(),
        seat=seat,
        status=Attendance.Status.PRESENT,
        actor=cohort.trainers.first(),
    )
    deliver_outbox()
    assert state_of(membership) == COMPLIANT


def test_a_certificate_revoked_loses_the_current_certificate_requirement(deliver_outbox):
    agency = following(requirement(minimum_hours={}, certificate_current=True))
    membership = officer(agency)
    certificate = issued_certificate(membership.user)
    deliver_outbox()
    assert state_of(membership) == COMPLIANT
    certificate_revoke(
        certificate=certificate,
        actor=staff_user(),
        reason_category=certificate.RevocationReason.values[0],
        reason="Obtained by fraud",
    )
    deliver_outbox()
    row = ComplianceState.objects.get(membership=membership)
    assert row.state == AT_RISK
    assert row.shortfalls == [["certificate"]]


def test_choosing_a_requirement_refreshes_the_whole_agency(deliver_outbox):
    agency = AgencyFactory(country="KR", time_zone="UTC")
    memberships = [officer(agency) for _ in range(3)]
    chosen = requirement()
    agency_requirement_choose(agency=agency, requirement_set=chosen, actor=admin_of(agency))
    assert not ComplianceState.objects.exists()
    assert deliver_outbox() == ["reports.tasks.compliance_states_refresh_task"]
    rows = ComplianceState.objects.filter(agency=agency)
    assert {row.membership_id for row in rows} == {m.pk for m in memberships}
    assert {row.requirement_set_id for row in rows} == {chosen.pk}
    # No requirement any more: the rows go.
    agency_requirement_choose(agency=agency, requirement_set=None, actor=admin_of(agency))
    deliver_outbox()
    assert not ComplianceState.objects.filter(agency=agency).exists()


def test_the_daily_refresh_moves_an_officer_from_at_risk_to_overdue_across_a_cycle_end():
    agency = following(requirement())
    # Started before the current cycle (not bound by the previous one): at risk now; after
    # the cycle ends they were bound by the one that ended, short in it: overdue.
    membership = officer(agency, days_ago=400)
    compliance_states_daily_task()
    assert state_of(membership) == AT_RISK
    row = ComplianceState.objects.get(membership=membership)
    with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
        compliance_states_daily_task()
    moved = ComplianceState.objects.get(membership=membership)
    assert moved.state == OVERDUE
    assert moved.cycle_start == row.cycle_end
    assert moved.computed_at > row.computed_at


def test_rows_of_memberships_no_longer_there_go():
    agency = following(requirement())
    stays, goes = officer(agency), officer(agency)
    compliance_states_refresh(agency_id=agency.pk)
    assert ComplianceState.objects.count() == 2
    Membership.objects.filter(pk=goes.pk).update(role=Membership.Role.AGENCY_ADMIN)
    compliance_states_refresh(agency_id=agency.pk)
    assert list(ComplianceState.objects.values_list("membership_id", flat=True)) == [stays.pk]


def test_the_dashboards_split_equals_the_compliance_selectors_on_the_scene():
    scene = Scene()
    AgencyRequirement.objects.create(
        agency=scene.agency, requirement_set=requirement(minimum_hours={"total": "0.5"})
    )
    grow(scene, 6)
    for index, membership in enumerate(
        Membership.objects.filter(agency=scene.agency, role=Membership.Role.OFFICER)
    ):
        # Some bound by the previous cycle (overdue when short), some not (at risk).
        if index % 2:
            Membership.objects.filter(pk=membership.pk).update(
                created_at=timezone.now() - timedelta(days=800)
            )
    compliance_states_refresh(agency_id=scene.agency.pk)
    data = agency_dashboard(agency=scene.agency, filters=scene.filters())
    vetted = dashboard_officers(agency=scene.agency, figure="vetted", filters=scene.filters())
    judged = officers_compliance(officers=[(m.user_id, m.agency_id, m.created_at) for m in vetted])
    expected = Counter(result.state for result in judged.values())
    assert {state: n for state, n in data.headline.compliance.items() if n} == dict(expected)
    assert len(expected) >= 2  # the scene has more than one state
    for state in expected:
        listed = dashboard_officers(agency=scene.agency, figure=state, filters=scene.filters())
        assert {m.user_id for m in listed} == {
            user_id for user_id, result in judged.items() if result.state == state
        }


# With a requirement, the agency page read the officers, the requirement sets, hours (2),
# required courses, completions and certificates to judge every officer; now the summary's
# one GROUP BY: the same count as without a requirement (tests/reports/test_dashboards.py).
PINNED_WITH_REQUIREMENT = {"agency": 15, "officers": 7}


@pytest.mark.parametrize("view", ["agency", "officers"])
def test_dashboard_query_counts_with_a_requirement_are_pinned_and_flat(
    client, view, django_assert_num_queries
):
    scene = Scene()
    AgencyRequirement.objects.create(agency=scene.agency, requirement_set=requirement())
    client.force_login(scene.admin)
    url = reverse("reports:dashboard_agency", args=[scene.agency.pk])
    if view == "officers":
        url = reverse("reports:dashboard_officers", args=[scene.agency.pk]) + "?figure=at_risk"
    grow(scene, 2)
    compliance_states_refresh(agency_id=scene.agency.pk)
    with django_assert_num_queries(PINNED_WITH_REQUIREMENT[view]):
        assert client.get(url).status_code == 200
    grow(scene, 18)
    compliance_states_refresh(agency_id=scene.agency.pk)
    with django_assert_num_queries(PINNED_WITH_REQUIREMENT[view]):
        response = client.get(url)
        assert response.status_code == 200
    if view == "agency":
        assert b"Compliance as of" in response.content
        assert b"Not yet evaluated" not in response.content


def test_officers_without_a_summary_yet_are_shown_as_not_yet_evaluated(client):
    scene = Scene()
    AgencyRequirement.objects.create(agency=scene.agency, requirement_set=requirement())
    client.force_login(scene.admin)
    response = client.get(reverse("reports:dashboard_agency", args=[scene.agency.pk]))
    assert response.context["data"].headline.compliance["pending"] == 4
    assert b"Not yet evaluated" in response.content
    listed = dashboard_officers(agency=scene.agency, figure="pending", filters=scene.filters())
    assert {m.user_id for m in listed} == {scene.o1.pk, scene.o2.pk, scene.o3.pk, scene.o4.pk}


def test_the_compliance_refresh_command_writes_what_the_daily_task_would():
    """Run once after migrating, so the dashboards need not wait for the nightly run."""
    agency = following(requirement())
    first, second = officer(agency), officer(agency)
    out = io.StringIO()

    call_command("compliance_refresh", "--dry-run", stdout=out)
    assert not ComplianceState.objects.exists()
    assert "would judge 2 officer membership(s) of 1 agency(ies)" in out.getvalue()

    call_command("compliance_refresh", stdout=out)
    assert {state_of(first), state_of(second)} == {AT_RISK}
    assert "2 officer compliance state(s) written" in out.getvalue()
