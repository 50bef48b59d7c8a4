"""The agency roster: who sees which agency, search and filters, paging, the CSV export."""

import csv
import io
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership
from certificates.models import Certificate
from courses.models import Enrollment
from tests.factories import (
    AgencyFactory,
    CertificateFactory,
    CourseFactory,
    EnrollmentFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    coordinator_of,
    reauthenticated_now,
    with_totp,
)

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = Membership.Status
# allauth keeps a list of how and when the session's user authenticated; re-authentication
# records carry "reauthenticated": True (allauth.account.internal.flows.login).
AUTH_RECORDS_KEY = "account_authentication_methods"
AUTH_RECORDS_USER_KEY = "account_authentication_methods_user"
# User, the viewer's memberships (one read for MFA, time zone, the permission checks and the
# navigation), the access check's agency, page count, page rows.
ROSTER_QUERIES = 5
# The same sign-in, then the agencies the viewer oversees with their counts.
AGENCIES_QUERIES = 3


def member(agency, *, full_name: str = "", email: str = "", **kwargs) -> Membership:
    user_kwargs = {}
    if full_name:
        user_kwargs["full_name"] = full_name
    if email:
        user_kwargs["email"] = email
    return MembershipFactory(agency=agency, user=UserFactory(**user_kwargs), **kwargs)


def enroll(user, course=None) -> Enrollment:
    return EnrollmentFactory(user=user, course=course or CourseFactory())


def certificate(enrollment: Enrollment, *, status=Certificate.Status.ISSUED) -> Certificate:
    issued = status == Certificate.Status.ISSUED
    return CertificateFactory(
        enrollment=enrollment,
        status=status,
        issued_at=timezone.now() if issued else None,
        pdf="certificates/test.pdf" if issued else "",
    )


def roster_url(agency) -> str:
    return reverse("reports:roster", args=[agency.pk])


def export_url(agency) -> str:
    return reverse("reports:roster_export", args=[agency.pk])


def names_on(response) -> list[str]:
    return [m.user.full_name for m in response.context["members"]]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def agency():
    return AgencyFactory(name="Seoul Metropolitan Police", country="KR")


@pytest.fixture
def other_agency():
    return AgencyFactory(name="Busan Police", country="KR")


@pytest.fixture
def admin_client(client, agency):
    client.force_login(admin_of(agency))
    return client


# Who sees what


def test_admin_sees_own_agency_roster(admin_client, agency):
    kim = member(agency, full_name="Kim Min-jun")
    response = admin_client.get(roster_url(agency))
    assert response.status_code == 200
    assert "Kim Min-jun" in names_on(response)
    assert f'href="{reverse("accounts:member", args=[kim.pk])}"' in response.text


def test_admin_gets_404_for_another_agency_on_every_url(client, agency, other_agency):
    admin = admin_of(agency)
    member(other_agency, full_name="Secret Officer")
    client.force_login(admin)
    reauthenticated_now(client, admin)  # even a fresh re-authentication opens nothing
    for url in (
        roster_url(other_agency),
        export_url(other_agency),
        reverse("reports:roster", args=[999_999]),
        reverse("reports:roster_export", args=[999_999]),
    ):
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("reports:agencies"))
    assert [a.name for a in listing.context["agencies"]] == [agency.name]
    assert "Busan Police" not in listing.text
    assert not AuditEvent.objects.filter(action="roster.export").exists()


def test_agency_list_counts_members_by_status(admin_client, agency):
    stale = timezone.now() - timedelta(days=400)
    member(agency)  # approved officer, vetted now
    member(agency, status=Status.PENDING, vetted_at=None)
    member(agency, status=Status.PENDING, vetted_at=None)
    member(agency, vetted_at=stale)  # lapsed
    member(agency, status=Status.REJECTED)
    member(agency, status=Status.LEFT)
    response = admin_client.get(reverse("reports:agencies"))
    assert response.status_code == 200
    (row,) = response.context["agencies"]
    # The admin's own membership is an approved member too.
    assert (
        row.members_pending,
        row.members_approved,
        row.members_lapsed,
        row.members_rejected,
        row.members_left,
        row.members_total,
    ) == (2, 2, 1, 1, 1, 7)
    assert roster_url(agency) in response.text


def test_coordinator_sees_agencies_of_their_country_only(client, agency, other_agency):
    abroad = AgencyFactory(name="Royal Thai Police", country="TH", time_zone="Asia/Bangkok")
    client.force_login(coordinator_of("KR"))
    listing = client.get(reverse("reports:agencies"))
    assert {a.name for a in listing.context["agencies"]} == {agency.name, other_agency.name}
    assert client.get(roster_url(agency)).status_code == 200
    assert client.get(roster_url(other_agency)).status_code == 200
    assert client.get(roster_url(abroad)).status_code == 404
    assert client.get(export_url(abroad)).status_code == 404


def test_staff_see_every_agency(client, agency, other_agency):
    staff = UserFactory(is_staff=True)
    with_totp(staff)
    client.force_login(staff)
    listing = client.get(reverse("reports:agencies"))
    assert {agency.name, other_agency.name} <= {a.name for a in listing.context["agencies"]}
    assert client.get(roster_url(other_agency)).status_code == 200


def test_officer_gets_404_everywhere(client, agency):
    officer = member(agency).user
    client.force_login(officer)
    assert client.get(reverse("reports:agencies")).status_code == 404
    assert client.get(roster_url(agency)).status_code == 404
    assert client.get(export_url(agency)).status_code == 404


def test_admin_whose_membership_is_not_approved_gets_404(client, agency):
    admin = MembershipFactory(agency=agency, role=Role.AGENCY_ADMIN, status=Status.LEFT).user
    with_totp(admin)
    client.force_login(admin)
    assert client.get(reverse("reports:agencies")).status_code == 404
    assert client.get(roster_url(agency)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, agency):
    response = client.get(roster_url(agency))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# Columns, search and filters


def test_roster_rows_show_status_vetting_and_training_counts(admin_client, agency):
    officer = member(agency, full_name="Park Ji-woo", email="park@spp.example").user
    first, second = enroll(officer), enroll(officer)
    certificate(first)
    certificate(second, status=Certificate.Status.PENDING)  # not issued: not counted
    enroll(member(AgencyFactory()).user)  # someone else's enrollment
    response = admin_client.get(roster_url(agency))
    row = next(m for m in response.context["members"] if m.user == officer)
    assert (row.roster_status, row.enrollment_count, row.certificate_count) == ("approved", 2, 1)
    assert "park@spp.example" in response.text
    assert "Approved" in response.text


def test_search_matches_name_or_email(admin_client, agency):
    member(agency, full_name="Lee Seo-yeon", email="lee@spp.example")
    member(agency, full_name="Choi Ha-eun", email="hachoi@spp.example")
    member(agency, full_name="Jung Do-yun", email="jung@spp.example")
    by_name = admin_client.get(roster_url(agency), {"q": "seo-YEON"})
    assert names_on(by_name) == ["Lee Seo-yeon"]
    by_email = admin_client.get(roster_url(agency), {"q": "HACHOI@"})
    assert names_on(by_email) == ["Choi Ha-eun"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", ["Pending Person"]),
        ("approved", ["Approved Person"]),
        ("rejected", ["Rejected Person"]),
        ("left", ["Left Person"]),
        ("lapsed", ["Lapsed Person", "Never Vetted Person"]),
    ],
)
def test_status_filter(admin_client, agency, status, expected):
    stale = timezone.now() - timedelta(days=400)
    member(agency, full_name="Pending Person", status=Status.PENDING, vetted_at=None)
    member(agency, full_name="Approved Person")
    member(agency, full_name="Rejected Person", status=Status.REJECTED)
    member(agency, full_name="Left Person", status=Status.LEFT)
    member(agency, full_name="Lapsed Person", vetted_at=stale)
    member(agency, full_name="Never Vetted Person", vetted_at=None)
    response = admin_client.get(roster_url(agency), {"status": status, "role": "officer"})
    assert names_on(response) == expected


def test_lapsed_is_only_for_officers_and_shows_in_the_status_column(admin_client, agency, settings):
    settings.VETTING_RECONFIRM_DAYS = 30
    member(agency, full_name="Lapsed Officer", vetted_at=timezone.now() - timedelta(days=31))
    member(agency, full_name="Fresh Officer", vetted_at=timezone.now() - timedelta(days=29))
    member(
        agency,
        full_name="Old Trainer",
        role=Role.TRAINER,
        vetted_at=timezone.now() - timedelta(days=90),
    )
    response = admin_client.get(roster_url(agency), {"status": "lapsed"})
    assert names_on(response) == ["Lapsed Officer"]
    assert "Lapsed" in response.text
    approved = admin_client.get(roster_url(agency), {"status": "approved"})
    assert "Lapsed Officer" not in names_on(approved)
    assert {"Fresh Officer", "Old Trainer"} <= set(names_on(approved))


def test_role_filter(admin_client, agency):
    member(agency, full_name="A Trainer", role=Role.TRAINER)
    member(agency, full_name="An Officer")
    trainers = admin_client.get(roster_url(agency), {"role": "trainer"})
    assert names_on(trainers) == ["A Trainer"]
    admins = admin_client.get(roster_url(agency), {"role": "agency_admin"})
    assert len(names_on(admins)) == 1 and "An Officer" not in names_on(admins)


def test_unknown_filter_value_is_reported_and_ignored(admin_client, agency):
    member(agency, full_name="Somebody")
    response = admin_client.get(roster_url(agency), {"status": "bogus"})
    assert response.status_code == 200
    assert "Somebody" in names_on(response)
    assert response.context["form"].errors["status"]


# Paging and query count


def test_pagination_keeps_filters_in_page_links(admin_client, agency):
    for index in range(30):
        member(agency, full_name=f"Officer {index:02d}")
    first = admin_client.get(roster_url(agency), {"role": "officer", "q": "officer"})
    assert len(first.context["members"]) == 25
    assert first.context["page_obj"].paginator.count == 30
    assert "?role=officer&amp;q=officer&amp;page=2" in first.text
    export = reverse("reports:export", kwargs={"table": "roster", "fmt": "xlsx"})
    assert f"{export}?role=officer&amp;q=officer&amp;agency={agency.pk}" in first.text
    second = admin_client.get(roster_url(agency), {"role": "officer", "q": "officer", "page": 2})
    assert names_on(second) == [f"Officer {index:02d}" for index in range(25, 30)]
    assert "?role=officer&amp;q=officer&amp;page=1" in second.text


@pytest.mark.parametrize("members", [3, 30])
def test_roster_query_count_does_not_grow_with_members(
    admin_client, agency, members, django_assert_num_queries
):
    course = CourseFactory()
    for _ in range(members):
        officer = member(agency).user
        certificate(enroll(officer, course))
    with django_assert_num_queries(ROSTER_QUERIES):
        response = admin_client.get(roster_url(agency))
    assert response.status_code == 200
    assert len(response.context["members"]) == min(members + 1, 25)


@pytest.mark.parametrize("agencies", [1, 4])
def test_agency_list_query_count_does_not_grow_with_agencies(
    client, agencies, django_assert_num_queries
):
    coordinator = coordinator_of("KR", time_zone="Asia/Seoul")
    for _ in range(agencies):
        agency = AgencyFactory(country="KR")
        member(agency)
        member(agency, status=Status.PENDING, vetted_at=None)
    client.force_login(coordinator)
    with django_assert_num_queries(AGENCIES_QUERIES):
        response = client.get(reverse("reports:agencies"))
    assert response.status_code == 200
    assert len(response.context["agencies"]) == agencies


# The CSV export


def test_export_requires_recent_reauthentication(client, agency):
    admin = admin_of(agency)
    client.force_login(admin)  # a sign-in is not a re-authentication
    response = client.get(export_url(agency), {"status": "approved"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEvent.objects.filter(action="roster.export").exists()


def test_stale_reauthentication_is_not_enough(client, agency, settings):
    admin = admin_of(agency)
    client.force_login(admin)
    session = client.session
    session[AUTH_RECORDS_KEY] = [
        {
            "method": "password",
            "at": time.time() - settings.ACCOUNT_REAUTHENTICATION_TIMEOUT - 1,
            "reauthenticated": True,
        }
    ]
    session[AUTH_RECORDS_USER_KEY] = str(admin.pk)
    session.save()
    assert client.get(export_url(agency)).status_code == 302


def test_export_has_the_filtered_rows_and_escapes_formulas(client, agency):
    admin = admin_of(agency)
    evil = member(agency, full_name='=HYPERLINK("http://evil.example","x")').user
    certificate(enroll(evil))
    member(agency, full_name="+plus", email="-minus@spp.example")
    member(agency, full_name="@at sign")
    member(agency, full_name="Pending Person", status=Status.PENDING, vetted_at=None)
    member(AgencyFactory(), full_name="Elsewhere Officer")
    client.force_login(admin)
    reauthenticated_now(client, admin)

    response = client.get(export_url(agency), {"role": "officer", "status": "approved"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="roster-')
    header, *rows = read_csv(response)
    assert header == [
        "Full name",
        "Email",
        "Role",
        "Status",
        "Vetted",
        "Last sign-in",
        "Course enrollments",
        "Certificates issued",
    ]
    names = [row[0] for row in rows]
    assert names == sorted(names) and len(rows) == 3
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert {"'+plus", "'@at sign"} <= set(names)
    assert "Pending Person" not in names and "Elsewhere Officer" not in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    evil_row = next(row for row in rows if "HYPERLINK" in row[0])
    assert evil_row[2:4] == ["Officer", "Approved"]
    assert evil_row[6:] == ["1", "1"]
    assert next(row for row in rows if row[0] == "'+plus")[1] == "'-minus@spp.example"


def test_export_writes_an_audit_row(client, agency):
    admin = admin_of(agency)
    member(agency, full_name="Lapsed One", vetted_at=timezone.now() - timedelta(days=999))
    member(agency, full_name="Current One")
    client.force_login(admin)
    reauthenticated_now(client, admin)
    response = client.get(export_url(agency), {"status": "lapsed", "q": "one"})
    assert response.status_code == 200
    assert len(read_csv(response)) == 2  # header and one row
    event = AuditEvent.objects.get(action="roster.export")
    assert event.actor == admin
    assert event.agency == agency
    assert event.details == {
        "filters": {"q": "one", "status": "lapsed", "role": ""},
        "rows": 1,
    }


def test_coordinator_may_export_agencies_of_their_country(client, agency):
    coordinator = coordinator_of("KR")
    member(agency, full_name="Kim Officer")
    client.force_login(coordinator)
    reauthenticated_now(client, coordinator)
    response = client.get(export_url(agency))
    assert response.status_code == 200
    assert "Kim Officer" in [row[0] for row in read_csv(response)]
