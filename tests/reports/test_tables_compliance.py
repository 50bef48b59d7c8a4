"""The "compliance" export table: who may take it, its columns and rows."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404

from reports.exports.registry import export_table
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    ModuleFactory,
    UnitFactory,
    UserFactory,
    admin_of,
    coordinator_of,
)
from tests.reports.test_compliance import agency_following, complete_lessons, requirement_set

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def test_the_table_is_registered_as_personal():
    table = export_table("compliance")
    assert table is not None and table.personal


def test_rows_give_state_cycle_hours_and_what_is_still_to_do():
    agency = agency_following(requirement_set(minimum_hours={"tracing": "2"}))
    unit = UnitFactory(agency=agency, name="Cyber unit")
    started = datetime(2025, 1, 1, tzinfo=SEOUL)
    kim = MembershipFactory(
        agency=agency, unit=unit, created_at=started, user=UserFactory(full_name="Kim Ji-woo")
    )
    MembershipFactory(agency=agency, created_at=started, user=UserFactory(full_name="Lee"))
    complete_lessons(
        kim.user, ModuleFactory(category="tracing"), datetime(2026, 2, 1, tzinfo=SEOUL), 4
    )
    table = export_table("compliance")
    admin = admin_of(agency)
    params = {"agency": str(agency.pk)}
    columns = table.columns(params)
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=SEOUL), tick=False):
        assert table.scope(admin, params) == agency
        assert table.count(admin, params) == 2
        rows = list(table.rows(admin, params))
    assert columns[:6] == [
        "Full name",
        "Email",
        "Unit",
        "Compliance",
        "Cycle start",
        "Cycle's last day",
    ]
    assert columns[-2:] == ["Total hours", "Still to do"]
    assert "Tracing and analysis (hours)" in columns
    by_name = {row[0]: dict(zip(columns, row, strict=True)) for row in rows}
    assert by_name["Kim Ji-woo"]["Unit"] == "Cyber unit"
    assert by_name["Kim Ji-woo"]["Compliance"] == "Compliant"
    assert by_name["Kim Ji-woo"]["Cycle start"] == date(2026, 1, 1)
    assert by_name["Kim Ji-woo"]["Cycle's last day"] == date(2026, 12, 31)
    assert by_name["Kim Ji-woo"]["Tracing and analysis (hours)"] == Decimal("2.00")
    assert by_name["Kim Ji-woo"]["Total hours"] == Decimal("2.00")
    assert by_name["Kim Ji-woo"]["Still to do"] == ""
    assert by_name["Lee"]["Compliance"] == "Overdue"
    assert by_name["Lee"]["Still to do"] == "2 h of Tracing and analysis"


def test_an_agency_without_a_requirement_exports_no_requirement():
    agency = AgencyFactory()
    MembershipFactory(agency=agency)
    admin = admin_of(agency)
    (row,) = export_table("compliance").rows(admin, {"agency": str(agency.pk)})
    assert row[3] == "No requirement"
    assert row[4] is None and row[-1] == ""


@pytest.mark.parametrize("params", [{"agency": "other"}, {"agency": "x"}, {}])
def test_others_and_bad_parameters_get_404(params):
    agency, other = AgencyFactory(country="KR"), AgencyFactory(country="TH")
    values = {"other": str(other.pk)}
    params = {key: values.get(value, value) for key, value in params.items()}
    with pytest.raises(Http404):
        export_table("compliance").scope(admin_of(agency), params)


def test_a_coordinator_may_take_the_table_of_their_countrys_agency_only():
    kr, th = AgencyFactory(country="KR"), AgencyFactory(country="TH")
    coordinator = coordinator_of("KR")
    table = export_table("compliance")
    assert table.scope(coordinator, {"agency": str(kr.pk)}) == kr
    with pytest.raises(Http404):
        table.scope(coordinator, {"agency": str(th.pk)})
