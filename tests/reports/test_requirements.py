"""The agency's requirements page: who may open it, what it shows, the audited choice."""

from datetime import date

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import reverse

from accounts.models import AuditEvent, Membership
from reports.models import AgencyRequirement, RequirementSet
from reports.services.requirements import agency_requirement_choose
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    ModuleFactory,
    admin_of,
    coordinator_of,
    staff_user,
    with_totp,
)

pytestmark = pytest.mark.django_db


def requirement_set(slug: str, **fields) -> RequirementSet:
    values = {
        "slug": slug,
        "name": f"{slug.title()} investigators (demo)",
        "country": "KR",
        "is_demo": True,
        "description": "A demonstration, not a real legal requirement.",
        "cycle_months": 12,
        "anchor": RequirementSet.Anchor.FIXED,
        "anchor_date": date(2026, 1, 1),
        "minimum_hours": {"tracing": "6", "total": "16"},
        "required": [],
        "certificate_current": True,
        "source_path": f"content/requirements/{slug}.yaml",
        "content_hash": "0" * 64,
    }
    values.update(fields)
    return RequirementSet.objects.create(**values)


def trainer_of(agency):
    user = MembershipFactory(agency=agency, role=Membership.Role.TRAINER).user
    with_totp(user)
    return user


def page_url(agency) -> str:
    return reverse("reports:agency_requirements", args=[agency.pk])


@pytest.fixture
def agency():
    return AgencyFactory(name="Seoul Metropolitan Police", country="KR")


def test_admin_sees_each_set_described_with_its_demo_marker(client, agency):
    module = ModuleFactory(title="Tracing stolen funds", course__title="Crypto investigation")
    requirement_set(
        "knpa",
        minimum_hours={"total": "16", "tracing": "6", "legal": "2.5"},
        required=[f"{module.course.slug}/{module.slug}"],
    )
    requirement_set(
        "start", name="Real set", is_demo=False, anchor="start", anchor_date=None, required=[]
    )
    client.force_login(admin_of(agency))
    response = client.get(page_url(agency))
    assert response.status_code == 200
    text = response.text
    assert "Knpa investigators (demo)" in text
    assert "Demonstration, not a real legal requirement" in text
    assert "6 h of Tracing and analysis" in text
    assert "2.50 h of Legal process and cooperation" in text
    assert "16 h in total" in text
    assert text.index("Tracing and analysis") < text.index("Legal process") < text.index("in total")
    assert "Crypto investigation: Tracing stolen funds" in text
    assert "Every 12 months, in cycles counted from" in text
    assert "counted from each officer's start" in text
    assert "A current certificate of a required course" in text
    assert "Overdue:" in text and "At risk:" in text
    assert "Your agency follows no requirement set" in text


def test_a_demo_set_named_without_the_marker_still_shows_it(client, agency):
    requirement_set("plain", name="Plain name", is_demo=True)
    client.force_login(admin_of(agency))
    assert "Plain name (demo)" in client.get(page_url(agency)).text


def test_admin_chooses_a_set_then_none_and_each_choice_is_audited(client, agency):
    chosen = requirement_set("knpa")
    admin = admin_of(agency)
    client.force_login(admin)
    response = client.post(page_url(agency), {"requirement_set": chosen.pk})
    assert response.status_code == 302
    row = AgencyRequirement.objects.get(agency=agency)
    assert (row.requirement_set, row.chosen_by) == (chosen, admin)
    assert "Your agency follows" in client.get(page_url(agency)).text

    client.post(page_url(agency), {"requirement_set": ""})
    assert not AgencyRequirement.objects.filter(agency=agency).exists()
    events = AuditEvent.objects.filter(action="requirements.choose").order_by("pk")
    assert [e.details for e in events] == [
        {"requirement_set": "knpa", "previous": None},
        {"requirement_set": None, "previous": "knpa"},
    ]
    assert all(e.actor == admin and e.agency == agency for e in events)


def test_an_unknown_set_is_refused_without_a_change(client, agency):
    client.force_login(admin_of(agency))
    response = client.post(page_url(agency), {"requirement_set": 999_999})
    assert response.status_code == 200
    assert not AgencyRequirement.objects.exists()
    assert not AuditEvent.objects.filter(action="requirements.choose").exists()


def test_choosing_the_same_set_again_writes_nothing(agency):
    chosen = requirement_set("knpa")
    admin = admin_of(agency)
    agency_requirement_choose(agency=agency, requirement_set=chosen, actor=admin)
    agency_requirement_choose(agency=agency, requirement_set=chosen, actor=admin)
    assert AuditEvent.objects.filter(action="requirements.choose").count() == 1


def test_changing_the_set_keeps_one_row_per_agency(agency):
    first, second = requirement_set("one"), requirement_set("two")
    admin = admin_of(agency)
    agency_requirement_choose(agency=agency, requirement_set=first, actor=admin)
    agency_requirement_choose(agency=agency, requirement_set=second, actor=admin)
    assert list(AgencyRequirement.objects.values_list("requirement_set__slug", flat=True)) == [
        "two"
    ]


def test_staff_may_choose_for_any_agency(client, agency):
    chosen = requirement_set("knpa")
    client.force_login(staff_user())
    assert client.get(page_url(agency)).status_code == 200
    client.post(page_url(agency), {"requirement_set": chosen.pk})
    assert AgencyRequirement.objects.filter(agency=agency, requirement_set=chosen).exists()


@pytest.mark.parametrize("who", ["other_admin", "coordinator", "officer", "trainer"])
def test_others_get_404_and_change_nothing(client, agency, who):
    chosen = requirement_set("knpa")
    users = {
        "other_admin": lambda: admin_of(AgencyFactory(country="KR")),
        "coordinator": lambda: coordinator_of("KR"),
        "officer": lambda: MembershipFactory(agency=agency).user,
        "trainer": lambda: trainer_of(agency),
    }
    client.force_login(users[who]())
    assert client.get(page_url(agency)).status_code == 404
    assert client.post(page_url(agency), {"requirement_set": chosen.pk}).status_code == 404
    assert client.get(reverse("reports:agency_requirements", args=[999_999])).status_code == 404
    assert not AgencyRequirement.objects.exists()


def test_roster_links_to_the_page_for_those_who_may_choose(client, agency):
    link = f'href="{page_url(agency)}"'
    client.force_login(admin_of(agency))
    assert link in client.get(reverse("reports:roster", args=[agency.pk])).text
    client.force_login(coordinator_of("KR"))
    roster = client.get(reverse("reports:roster", args=[agency.pk]))
    assert roster.status_code == 200
    assert link not in roster.text


@pytest.mark.parametrize("sets", [1, 4])
def test_page_query_count_does_not_grow_with_sets(client, agency, sets, django_assert_num_queries):
    for index in range(sets):
        module = ModuleFactory()
        requirement_set(
            f"set-{index}", required=[module.course.slug, f"{module.course.slug}/{module.slug}"]
        )
    client.force_login(admin_of(agency))
    client.get(page_url(agency))
    # User, the viewer's memberships (MFA, time zone, access, navigation), the access check's
    # agency, current choice, sets, courses, modules.
    with django_assert_num_queries(7):
        response = client.get(page_url(agency))
    assert response.status_code == 200


def test_requirement_sets_are_read_only_in_the_django_admin(rf):
    model_admin = admin_site._registry[RequirementSet]
    request = rf.get("/")
    request.user = staff_user(is_superuser=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert AgencyRequirement in admin_site._registry


def test_choosing_in_the_django_admin_goes_through_the_audited_service(client, agency):
    chosen = requirement_set("knpa")
    staff = staff_user(is_superuser=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:reports_agencyrequirement_add"),
        {"agency": agency.pk, "requirement_set": chosen.pk},
    )
    assert response.status_code == 302, response.content[:2000]
    row = AgencyRequirement.objects.get(agency=agency)
    assert (row.requirement_set, row.chosen_by) == (chosen, staff)
    event = AuditEvent.objects.get(action="requirements.choose")
    assert event.actor == staff and event.agency == agency
