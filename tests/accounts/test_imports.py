"""Bulk invitations from a CSV file: caps, a per-row report, a signed confirmation, and all or
nothing."""

import re
import time

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.imports import IMPORT_SALT, invitation_import, parse_invitation_csv
from accounts.models import AuditEvent, Invitation
from accounts.services import invitation_create
from core.imports import ImportProblems
from tests.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    reauthenticated_now,
    staff_user,
)

pytestmark = pytest.mark.django_db

# Checking a file on the page: the user and the admin's memberships (one read), the agency,
# then two queries whatever the number of rows (members and open invitations).
UPLOAD_QUERIES = 5


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    data = "\r\n".join(lines).encode()
    return (b"\xef\xbb\xbf" + data) if bom else data


def upload(name: str, data: bytes, content_type: str = "text/csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def payload_from(response) -> str:
    return re.search(r'name="payload" value="([^"]+)"', response.text).group(1)


@pytest.fixture
def admin_client(client, agency):
    admin = admin_of(agency)
    client.force_login(admin)
    client.admin = admin
    return client


@pytest.fixture
def staff_client(client):
    staff = staff_user()
    client.force_login(staff)
    client.admin = staff
    return client


def import_url(agency) -> str:
    return reverse("accounts:invitation_import", args=[agency.pk])


# --- parsing and checking -------------------------------------------------------------------


def test_parse_reads_utf8_with_bom_and_defaults_the_role_to_officer(agency):
    rows, problems = parse_invitation_csv(
        data=csv_bytes(
            "Email,Full Name,Role",
            "Kim.A@Mail.example,Kim Ah-young,",
            "b@mail.example,Björn Ünal,TRAINER",
            "",
            "c@mail.example,,agency_admin",
            bom=True,
        ),
        agency=agency,
        actor=staff_user(),
    )
    assert problems == []
    assert rows == [
        {"row": 2, "email": "kim.a@mail.example", "full_name": "Kim Ah-young", "role": "officer"},
        {"row": 3, "email": "b@mail.example", "full_name": "Björn Ünal", "role": "trainer"},
        {"row": 5, "email": "c@mail.example", "full_name": "", "role": "agency_admin"},
    ]


def test_parse_accepts_a_file_with_only_an_email_column(agency):
    rows, problems = parse_invitation_csv(
        data=csv_bytes("email", "a@mail.example"), agency=agency, actor=admin_of(agency)
    )
    assert problems == []
    assert rows[0]["role"] == "officer"


def test_parse_reports_every_bad_row_with_its_number(agency):
    admin = admin_of(agency)
    MembershipFactory(agency=agency, user=UserFactory(email="member@knpa.example"))
    invitation_create(agency=agency, email="invited@mail.example", actor=admin, send=False)
    rows, problems = parse_invitation_csv(
        data=csv_bytes(
            "email,full_name,role",
            "good@mail.example,Good,officer",
            "not-an-email,Bad,officer",
            "GOOD@mail.example,Twice,officer",
            "x@mail.example,X,chief",
            "MEMBER@knpa.example,Member,officer",
            "invited@mail.example,Invited,officer",
            ",No email,officer",
            "y@mail.example,Y,officer,extra",
            "z@mail.example," + "n" * 151 + ",officer",
        ),
        agency=agency,
        actor=admin,
    )
    assert len(rows) == 9
    by_row = {p["row"]: " ".join(p["messages"]) for p in problems}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "not a valid email" in by_row[3]
    assert "already on row 2" in by_row[4]
    assert "role must be one of" in by_row[5]
    assert "already belongs" in by_row[6]
    assert "open invitation" in by_row[7]
    assert "email is missing" in by_row[8]
    assert "more cells" in by_row[9]
    assert "longer than 150" in by_row[10]


def test_an_invitation_to_another_agency_does_not_block_the_row(agency):
    invitation_create(
        agency=AgencyFactory(), email="a@mail.example", actor=admin_of(agency), send=False
    )
    _rows, problems = parse_invitation_csv(
        data=csv_bytes("email", "a@mail.example"), agency=agency, actor=admin_of(agency)
    )
    assert problems == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (csv_bytes("email,full_name"), "header but no rows"),
        (csv_bytes("name,role", "a,officer"), "first row must name the columns"),
        (csv_bytes("a@mail.example,A,officer"), "first row must name the columns"),
        (csv_bytes("email,email", "a@mail.example,b@mail.example"), "first row must name"),
        ("email\nkim@mail.example\n".encode("utf-16"), "not a CSV text file"),
        (b"email\n\xff\xfe@mail.example\n", "not UTF-8"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV text file"),
        (b"email\n" + b"a" * (512 * 1024), "larger than 512 KB"),
    ],
)
def test_parse_refuses_unusable_files_as_a_whole(agency, data, message):
    rows, problems = parse_invitation_csv(data=data, agency=agency, actor=admin_of(agency))
    assert rows == []
    assert len(problems) == 1
    assert problems[0]["row"] is None
    assert message in problems[0]["messages"][0]


def test_parse_refuses_more_than_1000_rows(agency):
    lines = ["email"] + [f"p{n}@mail.example" for n in range(1001)]
    admin = admin_of(agency)
    rows, problems = parse_invitation_csv(data=csv_bytes(*lines), agency=agency, actor=admin)
    assert rows == []
    assert "more than 1000 rows" in problems[0]["messages"][0]
    rows, problems = parse_invitation_csv(data=csv_bytes(*lines[:1001]), agency=agency, actor=admin)
    assert problems == []
    assert len(rows) == 1000


def test_checking_rows_takes_the_same_queries_for_many_rows(agency, django_assert_num_queries):
    few = csv_bytes("email", *[f"p{n}@mail.example" for n in range(3)])
    many = csv_bytes("email", *[f"p{n}@mail.example" for n in range(300)])
    admin = admin_of(agency)
    with django_assert_num_queries(2):
        parse_invitation_csv(data=few, agency=agency, actor=admin)
    with django_assert_num_queries(2):
        parse_invitation_csv(data=many, agency=agency, actor=admin)


def test_parse_refuses_rows_above_officer_for_an_agency_admin(agency):
    rows, problems = parse_invitation_csv(
        data=csv_bytes(
            "email,role",
            "a@mail.example,officer",
            "b@mail.example,trainer",
            "c@mail.example,agency_admin",
        ),
        agency=agency,
        actor=admin_of(agency),
    )
    assert len(rows) == 3
    by_row = {p["row"]: " ".join(p["messages"]) for p in problems}
    assert sorted(by_row) == [3, 4]
    assert "Only programme staff can grant the trainer role" in by_row[3]
    assert "Only programme staff can grant the agency admin role" in by_row[4]


def test_checking_a_trainer_row_asks_once_who_may_grant_it(agency, django_assert_num_queries):
    admin = admin_of(agency)
    many = csv_bytes("email,role", *[f"p{n}@mail.example,trainer" for n in range(300)])
    with django_assert_num_queries(3):  # the rows' two, and the admin's memberships once
        _rows, problems = parse_invitation_csv(data=many, agency=agency, actor=admin)
    assert len(problems) == 300


# --- the service ----------------------------------------------------------------------------


def test_import_creates_every_invitation_with_one_import_audit_row(
    agency, django_capture_on_commit_callbacks, deliver_outbox
):
    admin = staff_user()  # a trainer row: only programme staff may import it
    rows, _ = parse_invitation_csv(
        data=csv_bytes("email,role", "a@mail.example,", "b@mail.example,trainer"),
        agency=agency,
        actor=admin,
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = invitation_import(agency=agency, rows=rows, actor=admin)
    assert [i.email for i in created] == ["a@mail.example", "b@mail.example"]
    assert Invitation.objects.filter(agency=agency, sent_count=1).count() == 2
    event = AuditEvent.objects.get(action="invitation.import")
    assert (event.actor, event.agency, event.details) == (admin, agency, {"count": 2})
    assert AuditEvent.objects.filter(action="invitation.create").count() == 2
    deliver_outbox()  # what the worker does
    assert sorted(m.to[0] for m in mail.outbox) == ["a@mail.example", "b@mail.example"]


def test_import_with_one_bad_row_writes_nothing_and_sends_nothing(
    agency, django_capture_on_commit_callbacks, deliver_outbox
):
    admin = admin_of(agency)
    rows = [
        {"row": 2, "email": "a@mail.example", "full_name": "", "role": "officer"},
        {"row": 3, "email": "b@mail.example", "full_name": "", "role": "officer"},
        {"row": 4, "email": "a@mail.example", "full_name": "", "role": "officer"},
    ]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ImportProblems) as err:
        invitation_import(agency=agency, rows=rows, actor=admin)
    assert [p["row"] for p in err.value.problems] == [4]
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="invitation.").exists()
    deliver_outbox()  # what the worker does
    assert mail.outbox == []


def test_import_by_an_agency_admin_refuses_a_trainer_row_and_writes_nothing(
    agency, django_capture_on_commit_callbacks, deliver_outbox
):
    # Rows handed straight to the service, as a crafted confirmation would.
    admin = admin_of(agency)
    rows = [
        {"row": 2, "email": "a@mail.example", "full_name": "", "role": "officer"},
        {"row": 3, "email": "b@mail.example", "full_name": "", "role": "trainer"},
    ]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ImportProblems) as err:
        invitation_import(agency=agency, rows=rows, actor=admin)
    assert [p["row"] for p in err.value.problems] == [3]
    assert "Only programme staff can grant the trainer role" in err.value.problems[0]["messages"][0]
    assert not Invitation.objects.exists()
    deliver_outbox()  # what the worker does
    assert mail.outbox == []


def test_import_refuses_no_rows_and_too_many_rows(agency):
    admin = admin_of(agency)
    with pytest.raises(ImportProblems):
        invitation_import(agency=agency, rows=[], actor=admin)
    rows = [
        {"row": n + 2, "email": f"p{n}@mail.example", "full_name": "", "role": "officer"}
        for n in range(1001)
    ]
    with pytest.raises(ImportProblems):
        invitation_import(agency=agency, rows=rows, actor=admin)
    assert not Invitation.objects.exists()


# --- the pages ------------------------------------------------------------------------------


def test_upload_shows_a_summary_and_writes_nothing_then_confirm_invites_everyone(
    staff_client, agency, django_capture_on_commit_callbacks, deliver_outbox
):
    admin_client = staff_client  # a trainer row: only programme staff may import it
    reauthenticated_now(admin_client, admin_client.admin)
    data = csv_bytes(
        "email,full_name,role",
        "a@mail.example,Ann,officer",
        "b@mail.example,Ben,trainer",
        "c@mail.example,Cho,",
        bom=True,
    )
    page = admin_client.get(import_url(agency))
    assert page.status_code == 200
    assert 'type="file"' in page.text

    report = admin_client.post(import_url(agency), {"file": upload("people.csv", data)})
    assert report.status_code == 200
    assert "Send 3 invitations" in report.text
    assert "b@mail.example" in report.text
    assert not Invitation.objects.exists()
    deliver_outbox()  # what the worker does
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(import_url(agency), {"payload": payload_from(report)})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:invitations", args=[agency.pk])
    invitations = Invitation.objects.filter(agency=agency).order_by("email")
    assert [(i.email, i.full_name, i.role) for i in invitations] == [
        ("a@mail.example", "Ann", "officer"),
        ("b@mail.example", "Ben", "trainer"),
        ("c@mail.example", "Cho", "officer"),
    ]
    assert all(i.invited_by == admin_client.admin for i in invitations)
    deliver_outbox()  # what the worker does
    assert len(mail.outbox) == 3
    assert AuditEvent.objects.get(action="invitation.import").details == {"count": 3}
    assert "3 invitations were sent" in admin_client.get(done["Location"]).text


def test_admin_upload_with_a_trainer_row_is_refused_on_that_row_and_imports_nothing(
    admin_client, agency
):
    data = csv_bytes(
        "email,full_name,role",
        "a@mail.example,Ann,officer",
        "b@mail.example,Ben,trainer",
    )
    response = admin_client.post(import_url(agency), {"file": upload("people.csv", data)})
    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    assert "<td>3</td>" in response.text
    assert "Only programme staff can grant the trainer role" in response.text
    assert 'name="payload"' not in response.text
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="invitation.").exists()


def test_staff_confirming_rows_above_officer_is_asked_for_the_password_first(
    staff_client, agency, django_capture_on_commit_callbacks
):
    data = csv_bytes("email,role", "a@mail.example,officer", "b@mail.example,agency_admin")
    report = staff_client.post(import_url(agency), {"file": upload("people.csv", data)})
    assert "Send 2 invitations" in report.text
    asked = staff_client.post(import_url(agency), {"payload": payload_from(report)})
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not Invitation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = staff_client.post(asked["Location"], {"password": TEST_PASSWORD})
    assert done.status_code == 302
    assert sorted(Invitation.objects.values_list("email", "role")) == [
        ("a@mail.example", "officer"),
        ("b@mail.example", "agency_admin"),
    ]
    assert AuditEvent.objects.filter(
        action="invitation.create", actor=staff_client.admin, details__role="agency_admin"
    ).exists()


def test_officer_rows_are_confirmed_without_asking_for_the_password(admin_client, agency):
    report = admin_client.post(
        import_url(agency), {"file": upload("p.csv", csv_bytes("email", "a@mail.example"))}
    )
    done = admin_client.post(import_url(agency), {"payload": payload_from(report)})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:invitations", args=[agency.pk])
    assert Invitation.objects.get().role == "officer"


def test_upload_with_one_bad_row_reports_it_by_number_and_writes_nothing(admin_client, agency):
    data = csv_bytes(
        "email,full_name,role",
        "a@mail.example,Ann,officer",
        "b@mail.example,Ben,sergeant",
        "c@mail.example,Cho,officer",
    )
    response = admin_client.post(import_url(agency), {"file": upload("people.csv", data)})
    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    assert "<td>3</td>" in response.text
    assert "b@mail.example" in response.text
    assert "role must be one of" in response.text
    assert 'name="payload"' not in response.text
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="invitation.").exists()


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("people.xlsx", b"PK\x03\x04", "application/vnd.ms-excel", "Upload a .csv file"),
        ("people.txt", b"email\na@mail.example\n", "text/plain", "Upload a .csv file"),
        ("people.csv", b"%PDF-1.7", "application/pdf", "Upload a .csv file"),
        ("people.csv", b"email\n" + b"a" * (512 * 1024), "text/csv", "larger than 512 KB"),
    ],
)
def test_upload_refuses_files_that_are_not_small_csv_files(
    admin_client, agency, name, data, content_type, message
):
    response = admin_client.post(
        import_url(agency), {"file": upload(name, data, content_type=content_type)}
    )
    assert response.status_code == 200
    assert message in response.text
    assert 'name="payload"' not in response.text
    assert not Invitation.objects.exists()


def test_upload_refuses_too_many_rows(admin_client, agency):
    data = csv_bytes("email", *[f"p{n}@mail.example" for n in range(1001)])
    response = admin_client.post(import_url(agency), {"file": upload("people.csv", data)})
    assert "more than 1000 rows" in response.text
    assert 'name="payload"' not in response.text


def test_upload_of_a_binary_file_named_csv_is_refused(admin_client, agency):
    response = admin_client.post(
        import_url(agency), {"file": upload("people.csv", b"PK\x03\x04\x00\x00\x00")}
    )
    assert "not a CSV text file" in response.text
    assert 'name="payload"' not in response.text


def test_checking_a_file_on_the_page_takes_the_same_queries_for_many_rows(
    admin_client, agency, django_assert_num_queries
):
    few = csv_bytes("email", *[f"p{n}@mail.example" for n in range(3)])
    many = csv_bytes("email", *[f"p{n}@mail.example" for n in range(300)])
    for data in (few, many):
        with django_assert_num_queries(UPLOAD_QUERIES):
            response = admin_client.post(import_url(agency), {"file": upload("p.csv", data)})
        assert 'name="payload"' in response.text


def test_tampered_payload_is_refused_and_writes_nothing(admin_client, agency):
    report = admin_client.post(
        import_url(agency), {"file": upload("p.csv", csv_bytes("email", "a@mail.example"))}
    )
    payload = payload_from(report)
    value, signature = payload.rsplit(":", 1)
    for forged in (
        value + ":" + signature[::-1],
        payload[:-2],
        "",
        signing.dumps({"agency": agency.pk, "rows": []}, salt="another-salt"),
    ):
        response = admin_client.post(import_url(agency), {"payload": forged})
        assert response.status_code == 400
        assert "expired or was changed" in response.text
    assert not Invitation.objects.exists()


def test_payload_signed_with_an_attacker_row_list_is_refused(admin_client, agency):
    rows = [{"row": 2, "email": "evil@mail.example", "full_name": "", "role": "agency_admin"}]
    unsigned = signing.b64_encode(
        signing.JSONSerializer().dumps(
            {"agency": agency.pk, "user": admin_client.admin.pk, "rows": rows}
        )
    ).decode()
    response = admin_client.post(import_url(agency), {"payload": unsigned + ":x:y"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_expired_payload_is_refused(admin_client, agency):
    class HourOldSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 3601)

    rows = [{"row": 2, "email": "late@mail.example", "full_name": "", "role": "officer"}]
    payload = HourOldSigner(salt=IMPORT_SALT).sign_object(
        {"agency": agency.pk, "user": admin_client.admin.pk, "rows": rows}, compress=True
    )
    response = admin_client.post(import_url(agency), {"payload": payload})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_payload_for_another_agency_or_admin_is_refused(admin_client, agency):
    other = AgencyFactory()
    rows = [{"row": 2, "email": "moved@mail.example", "full_name": "", "role": "officer"}]
    for value in (
        {"agency": other.pk, "user": admin_client.admin.pk, "rows": rows},
        {"agency": agency.pk, "user": UserFactory().pk, "rows": rows},
    ):
        payload = signing.dumps(value, salt=IMPORT_SALT, compress=True)
        response = admin_client.post(import_url(agency), {"payload": payload})
        assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_confirm_checks_the_rows_again(
    admin_client, agency, django_capture_on_commit_callbacks, deliver_outbox
):
    report = admin_client.post(
        import_url(agency),
        {"file": upload("p.csv", csv_bytes("email", "a@mail.example", "b@mail.example"))},
    )
    # Someone invites b@ while the admin reads the summary.
    invitation_create(agency=agency, email="b@mail.example", actor=admin_client.admin, send=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(import_url(agency), {"payload": payload_from(report)})
    assert response.status_code == 400  # a refused submission, as for the attendance import
    assert "Nothing was imported" in response.text
    assert "<td>3</td>" in response.text
    assert list(Invitation.objects.values_list("email", flat=True)) == ["b@mail.example"]
    assert not AuditEvent.objects.filter(action="invitation.import").exists()
    deliver_outbox()  # what the worker does
    assert mail.outbox == []
