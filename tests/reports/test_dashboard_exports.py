"""The dashboards' export tables: the officers behind a figure (personal: password asked again,
another agency gets 404 first) and the country and programme rows, suppressed exactly as the
pages are."""

import csv
import io

import pytest
from django.urls import reverse

from courses.models import Enrollment
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_course,
    coordinator_of,
    reauthenticated_now,
    staff_user,
)
from tests.reports.dashboard_data import Scene

pytestmark = pytest.mark.django_db


def export_url(table: str, fmt: str, **params) -> str:
    url = reverse("reports:export", kwargs={"table": table, "fmt": fmt})
    return url + "?" + "&".join(f"{key}={value}" for key, value in params.items())


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_officer_list_export_asks_for_the_password_then_lists_the_figure(client):
    scene = Scene()
    url = export_url("dashboard_officers", "csv", agency=scene.agency.pk, figure="enrolled")
    client.force_login(scene.admin)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticated_now(client, scene.admin)
    rows = read_csv(client.get(url))
    assert rows[0][:2] == ["Full name", "Email"]
    assert {row[1] for row in rows[1:]} == {scene.o1.email, scene.o2.email, scene.o3.email}


def test_officer_list_export_of_another_agency_is_404_before_the_password(client):
    scene = Scene()
    other = admin_of(scene.other)
    client.force_login(other)
    url = export_url("dashboard_officers", "csv", agency=scene.agency.pk, figure="enrolled")
    assert client.get(url).status_code == 404


def test_country_export_is_suppressed_like_the_page(client, settings):
    settings.REPORTS_SMALL_CELL_K = 5
    course = build_course(modules=1, questions=1)
    for name, officers in (("Small Moldovan Unit", 3), ("Large Moldovan Police", 40)):
        agency = AgencyFactory(country="MD", name=name)
        for _ in range(officers):
            user = MembershipFactory(agency=agency, user=UserFactory()).user
            Enrollment.objects.create(user=user, course=course)
    client.force_login(coordinator_of("MD"))
    rows = read_csv(client.get(export_url("dashboard_country", "csv", country="MD")))
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Small Moldovan Unit"][1:3] == ["<5", "<5"]
    assert by_name["Large Moldovan Police"][1:3] == ["hidden", "hidden"]
    assert by_name["Total"][1:3] == ["43", "43"]
    assert client.get(export_url("dashboard_country", "csv", country="KR")).status_code == 404


def test_programme_export_is_for_staff_only(client):
    AgencyFactory(country="TH", name="Royal Thai Police")
    client.force_login(coordinator_of("TH"))
    assert client.get(export_url("dashboard_programme", "csv")).status_code == 404
    client.force_login(staff_user())
    response = client.get(export_url("dashboard_programme", "csv"))
    assert response.status_code == 200
    assert read_csv(response)[-1][0] == "Total"
