"""Table exports in the request: CSV and XLSX carry the same cells (formula-like text written
as text in both), the table's scope before the password, the password for personal data,
an audit row per file, the include's links, and flat query counts."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from reports.exports.writers import write_csv, write_xlsx
from reports.models import ExportJob
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_cohort,
    reauthenticated_now,
    seated,
)

pytestmark = pytest.mark.django_db

FORMULA_LIKE = ["=1+1", "+31 6 1234 5678", "@SUM(A1)", "-2"]
NAMES = ["김민준", "สมชาย ใจดี", *FORMULA_LIKE]
# User and the viewer's memberships (MFA policy and device in the same read), the roster's
# scope for the check, the count and the rows (2 each), the count, the rows (one cursor),
# the audit row (6 with its savepoints and chain lock). No session write.
EXPORT_QUERIES = 17
VETTED = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)  # 10:30 in Seoul


def export_url(table: str, fmt: str, **params) -> str:
    url = reverse("reports:export", kwargs={"table": table, "fmt": fmt})
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{url}?{query}" if query else url


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets need for UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    rows = []
    for row in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in row)  # never a formula
        rows.append([cell.value for cell in row])
    return rows


def same_cell(csv_cell: str, xlsx_value) -> bool:
    """Whether an XLSX cell shows what the CSV cell says (CSV times carry their offset)."""
    if xlsx_value is None:
        return csv_cell == ""
    if isinstance(xlsx_value, datetime):
        if xlsx_value.time() == datetime.min.time() and len(csv_cell) == 10:
            return csv_cell == xlsx_value.date().isoformat()
        return csv_cell.startswith(xlsx_value.strftime("%Y-%m-%dT%H:%M"))
    if isinstance(xlsx_value, int | float):
        return Decimal(csv_cell) == Decimal(str(xlsx_value))
    return csv_cell == xlsx_value


@pytest.fixture
def agency():
    return AgencyFactory(name="Seoul Metropolitan Police", country="KR", time_zone="Asia/Seoul")


@pytest.fixture
def admin(agency):
    return admin_of(agency, time_zone="Asia/Seoul")


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    reauthenticated_now(client, admin)
    return client


def officers(agency, names, **fields):
    return [
        MembershipFactory(agency=agency, user=UserFactory(full_name=name), **fields).user
        for name in names
    ]


# The two formats


def test_xlsx_matches_csv_with_korean_thai_and_formula_like_names(signed_in, agency):
    officers(agency, NAMES, vetted_at=VETTED)

    csv_rows = read_csv(signed_in.get(export_url("roster", "csv", agency=agency.pk)).content)
    xlsx_rows = read_xlsx(signed_in.get(export_url("roster", "xlsx", agency=agency.pk)).content)

    assert csv_rows[0] == xlsx_rows[0]
    assert csv_rows[0][:2] == ["Full name", "Email"]
    assert len(csv_rows) == len(xlsx_rows) == len(NAMES) + 2  # header, officers, the admin
    for csv_row, xlsx_row in zip(csv_rows[1:], xlsx_rows[1:], strict=True):
        assert len(csv_row) == len(xlsx_row)
        for csv_cell, xlsx_value in zip(csv_row, xlsx_row, strict=True):
            assert same_cell(csv_cell, xlsx_value), (csv_cell, xlsx_value)
    names = [row[0] for row in xlsx_rows[1:]]
    assert {"김민준", "สมชาย ใจดี"} <= set(names)
    assert {"'" + text for text in FORMULA_LIKE} <= set(names)
    assert not any(str(cell).startswith(("=", "+", "-", "@")) for row in csv_rows for cell in row)


def test_times_are_in_the_viewers_time_zone_in_both_formats(signed_in, agency):
    officers(agency, ["Kim Officer"], vetted_at=VETTED)
    csv_rows = read_csv(signed_in.get(export_url("roster", "csv", agency=agency.pk)).content)
    xlsx_rows = read_xlsx(signed_in.get(export_url("roster", "xlsx", agency=agency.pk)).content)
    vetted_column = csv_rows[0].index("Vetted")
    csv_row = next(row for row in csv_rows if row[0] == "Kim Officer")
    xlsx_row = next(row for row in xlsx_rows if row[0] == "Kim Officer")
    assert csv_row[vetted_column] == "2026-03-01T10:30+09:00"
    assert xlsx_row[vetted_column] == datetime(2026, 3, 1, 10, 30)  # noqa: DTZ001 (no zones in XLSX)


def test_xlsx_header_is_bold_numbers_are_numbers_and_dates_are_date_cells():
    content = write_xlsx(
        "Report: [all]",
        ["Name", "Hours", "Day"],
        [["=cmd|' /C calc'!A0", Decimal("3.50"), date(2026, 1, 2)], ["\tTab", 7, None]],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Report   all"  # characters a sheet name may not hold are gone
    assert all(cell.font.b for cell in sheet[1])
    name, hours, day = sheet[2]
    assert (name.value, name.data_type) == ("'=cmd|' /C calc'!A0", "s")
    assert (hours.value, hours.data_type) == (3.5, "n")
    assert day.is_date and day.number_format == "yyyy-mm-dd"
    assert sheet[3][0].value == "'\tTab" and sheet[3][1].value == 7


def test_writers_report_progress_every_n_rows_and_at_the_end():
    rows = ([str(n)] for n in range(7))
    seen = []
    write_csv(["n"], rows, progress=seen.append, every=3)
    assert seen == [3, 6, 7]
    seen = []
    write_xlsx("t", ["n"], ([n] for n in range(4)), progress=seen.append, every=2)
    assert seen == [2, 4, 4]


# Access, password, audit


def test_personal_table_asks_for_the_password_again(client, agency, admin):
    client.force_login(admin)  # a sign-in is not a re-authentication
    for fmt in ("csv", "xlsx"):
        response = client.get(export_url("roster", fmt, agency=agency.pk))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEvent.objects.filter(action__startswith="report.export").exists()


def test_another_agency_gets_404_before_any_password_prompt(client, agency):
    other_admin = admin_of(AgencyFactory(name="Busan Police", country="KR"))
    client.force_login(other_admin)  # not re-authenticated: a prompt would show the table exists
    assert client.get(export_url("roster", "csv", agency=agency.pk)).status_code == 404
    reauthenticated_now(client, other_admin)
    assert client.get(export_url("roster", "xlsx", agency=agency.pk)).status_code == 404
    assert client.post(export_url("roster", "xlsx", agency=agency.pk)).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        export_url("roster", "pdf", agency=1),
        export_url("no_such_table", "csv"),
        export_url("roster", "csv"),
        export_url("roster", "csv", agency="x"),
        export_url("roster", "csv", agency=999_999),
    ],
    ids=["format", "table", "no agency", "malformed agency", "missing agency"],
)
def test_unknown_table_format_or_object_is_404(signed_in, url):
    assert signed_in.get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, agency):
    response = client.get(export_url("roster", "csv", agency=agency.pk))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_each_download_writes_an_audit_row(signed_in, agency, admin):
    officers(agency, ["Kim Officer", "Lee Officer"])
    for fmt in ("csv", "xlsx"):
        response = signed_in.get(export_url("roster", fmt, agency=agency.pk, role="officer"))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="roster-')
        assert response["Content-Disposition"].endswith(f'.{fmt}"')
    events = list(AuditEvent.objects.filter(action="report.export").order_by("pk"))
    assert [event.details["format"] for event in events] == ["csv", "xlsx"]
    for event in events:
        assert event.actor == admin and event.agency == agency
        assert event.details["table"] == "roster"
        assert event.details["params"] == {"agency": str(agency.pk), "role": "officer"}
        assert event.details["rows"] == 2


def test_small_export_is_sent_at_once_without_a_job(signed_in, agency, settings):
    settings.EXPORT_ASYNC_ROWS = 3
    officers(agency, ["A One", "B Two"])  # and the admin: 3 rows
    response = signed_in.get(export_url("roster", "xlsx", agency=agency.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()


def test_export_query_count_does_not_grow_with_rows(signed_in, agency, django_assert_num_queries):
    officers(agency, [f"Officer {n:02d}" for n in range(2)])
    for size in (2, 20):
        officers(agency, [f"Officer {n:02d}" for n in range(2, size)] if size > 2 else [])
        for fmt in ("csv", "xlsx"):
            with django_assert_num_queries(EXPORT_QUERIES):
                assert signed_in.get(export_url("roster", fmt, agency=agency.pk)).status_code == 200


# The roster and cohort report pages


def test_roster_page_links_both_formats_with_its_filters(signed_in, agency):
    response = signed_in.get(
        reverse("reports:roster", args=[agency.pk]), {"q": "kim", "role": "officer", "page": "1"}
    )
    for fmt, label in (("csv", "Download CSV"), ("xlsx", "Download XLSX")):
        url = export_url("roster", fmt, q="kim", role="officer", agency=agency.pk)
        assert f'href="{url.replace("&", "&amp;")}">{label}</a>' in response.text


def test_old_roster_csv_url_gives_the_same_file_as_the_table(signed_in, agency):
    officers(agency, NAMES, vetted_at=VETTED)
    old = signed_in.get(reverse("reports:roster_export", args=[agency.pk]), {"role": "officer"})
    new = signed_in.get(export_url("roster", "csv", agency=agency.pk, role="officer"))
    assert old.status_code == new.status_code == 200
    assert old.content == new.content


def test_cohort_report_exports_the_same_cells_as_its_csv_url(client):
    cohort = build_cohort(capacity=5)
    for name in ("Nattapong Srisuk", "=HYPERLINK(1)"):
        seated(
            cohort,
            user=MembershipFactory(
                agency=cohort.host_agency, user=UserFactory(full_name=name)
            ).user,
        )
    trainer = cohort.trainers.first()
    client.force_login(trainer)
    reauthenticated_now(client, trainer)

    page = client.get(reverse("reports:cohort_report", args=[cohort.pk]))
    assert export_url("cohort_report", "xlsx", cohort=cohort.pk) in page.text
    old = client.get(reverse("reports:cohort_report_export", args=[cohort.pk]))
    new = client.get(export_url("cohort_report", "csv", cohort=cohort.pk))
    assert old.content == new.content
    csv_rows = read_csv(new.content)
    xlsx_rows = read_xlsx(client.get(export_url("cohort_report", "xlsx", cohort=cohort.pk)).content)
    assert csv_rows[0] == xlsx_rows[0]
    for csv_row, xlsx_row in zip(csv_rows[1:], xlsx_rows[1:], strict=True):
        assert all(same_cell(c, x) for c, x in zip(csv_row, xlsx_row, strict=True))
    assert "'=HYPERLINK(1)" in [row[0] for row in xlsx_rows]
    event = AuditEvent.objects.filter(action="report.export").latest("pk")
    assert event.agency == cohort.host_agency and event.details["rows"] == 2


def test_cohort_report_of_another_agency_is_404_before_the_password(client):
    cohort = build_cohort()
    stranger = admin_of(AgencyFactory(name="Elsewhere", country="MD"))
    client.force_login(stranger)
    assert client.get(export_url("cohort_report", "csv", cohort=cohort.pk)).status_code == 404


def test_include_adds_the_ids_from_the_page_path_and_drops_the_page_number(rf):
    from django.template.loader import render_to_string

    request = rf.get("/anything/", {"page": "3", "status": "overdue"})
    html = render_to_string(
        "reports/includes/export_buttons.html",
        {"table": "transcript", "user_id": 7, "country_code": "TH", "request": request},
    )
    url = reverse("reports:export", kwargs={"table": "transcript", "fmt": "csv"})
    assert f'href="{url}?status=overdue&amp;user_id=7&amp;country=TH"' in html
    assert "page=" not in html
