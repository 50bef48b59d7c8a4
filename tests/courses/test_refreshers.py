"""Version pinning: a material change flags exactly the officers who read an older version."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Membership
from courses.models import Course, Lesson
from courses.pipeline.sync import content_sync
from courses.selectors import refreshers_for_agencies, refreshers_for_user
from courses.services import enrollment_create, lesson_complete
from tests.courses.test_content import write_course
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, with_totp

pytestmark = pytest.mark.django_db


def edit(path, *, material: bool, note: str) -> None:
    text = path.read_text().replace("material: true\n", "")
    if material:
        text = text.replace("access: public\n", "access: public\nmaterial: true\n")
    path.write_text(text + f"\n{note}\n")


@pytest.fixture
def setup(tmp_path):
    module = write_course(tmp_path)
    content_sync(root=tmp_path)
    course = Course.objects.get()
    agency = AgencyFactory()
    people = {}
    for name in ("early", "late", "never", "other_agency"):
        user = UserFactory()
        MembershipFactory(user=user, agency=agency if name != "other_agency" else AgencyFactory())
        people[name] = (user, enrollment_create(user=user, course=course))
    return tmp_path, module, course, agency, people


def test_material_change_flags_only_readers_of_older_versions(setup):
    root, module, _course, agency, people = setup
    lesson = Lesson.objects.get(slug="one")
    lesson_complete(enrollment=people["early"][1], lesson=lesson)
    lesson_complete(enrollment=people["other_agency"][1], lesson=lesson)

    edit(module / "01-one.md", material=True, note="New guidance on freezing.")
    content_sync(root=root)
    lesson.refresh_from_db()
    assert lesson.current_version.number == 2 and lesson.current_version.is_material
    lesson_complete(enrollment=people["late"][1], lesson=lesson)  # reads v2

    assert [p.lesson for p in refreshers_for_user(user=people["early"][0])] == [lesson]
    assert list(refreshers_for_user(user=people["late"][0])) == []
    assert list(refreshers_for_user(user=people["never"][0])) == []
    flagged = {p.enrollment.user for p in refreshers_for_agencies(agency_ids=[agency.pk])}
    assert flagged == {people["early"][0]}  # not the officer of another agency


def test_minor_change_flags_nobody(setup):
    root, module, _course, _agency, people = setup
    lesson = Lesson.objects.get(slug="one")
    lesson_complete(enrollment=people["early"][1], lesson=lesson)
    edit(module / "01-one.md", material=False, note="Typo fixed.")
    content_sync(root=root)
    lesson.refresh_from_db()
    assert lesson.current_version.number == 2 and not lesson.current_version.is_material
    assert list(refreshers_for_user(user=people["early"][0])) == []


def test_officer_rereads_and_the_flag_clears(setup, client):
    root, module, _course, _agency, people = setup
    user, enrollment = people["early"]
    lesson = Lesson.objects.get(slug="one")
    lesson_complete(enrollment=enrollment, lesson=lesson)
    edit(module / "01-one.md", material=True, note="Changed.")
    content_sync(root=root)

    client.force_login(user)
    dashboard = client.get(reverse("certificates:dashboard"))
    assert "Lessons to read again" in dashboard.text
    page = client.get(lesson.get_absolute_url())
    assert "changed in an important way" in page.text
    url = reverse("courses:lesson_refresh", args=["basics", "module-one", "one"])
    assert client.post(url).status_code == 302
    assert list(refreshers_for_user(user=user)) == []
    assert AuditEvent.objects.filter(action="lesson.refresh", actor=user).count() == 1


def test_agency_admin_sees_refreshers_of_their_agency_only(setup, client):
    root, module, _course, agency, people = setup
    lesson = Lesson.objects.get(slug="one")
    lesson_complete(enrollment=people["early"][1], lesson=lesson)
    lesson_complete(enrollment=people["other_agency"][1], lesson=lesson)
    edit(module / "01-one.md", material=True, note="Changed.")
    content_sync(root=root)
    admin = MembershipFactory(agency=agency, role=Membership.Role.AGENCY_ADMIN).user
    with_totp(admin)
    client.force_login(admin)
    response = client.get(reverse("courses:agency_refreshers"))
    assert response.status_code == 200
    assert people["early"][0].full_name in response.text
    assert people["other_agency"][0].full_name not in response.text


def test_agency_refreshers_is_404_for_officers(client, officer):
    client.force_login(officer)
    assert client.get(reverse("courses:agency_refreshers")).status_code == 404
