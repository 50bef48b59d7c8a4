"""Small-cell suppression: counts from 1 to k-1 hidden, zero shown, complementary cells hidden
so that no hidden count can be recovered by subtracting from a total, rates withheld when they
would reveal a small count; and on the country dashboard over HTTP."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment
from reports.suppression import COMPLEMENT, SMALL, Cell, rate_hidden, suppress, suppress_table
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_course,
    coordinator_of,
    staff_user,
)

K = 5


def test_counts_below_k_are_hidden_and_zero_is_shown():
    hidden = suppress({"a": 0, "b": 1, "c": 4, "d": 5, "e": 40}, [], k=K)
    assert hidden == {"b": SMALL, "c": SMALL}


def test_a_lone_hidden_cell_in_a_group_hides_the_next_smallest():
    # Agencies of 3 and 40 officers, country total 43: showing 40 and 43 gives away the 3.
    cells = {"small": 3, "large": 40, "total": 43}
    hidden = suppress(cells, [["small", "large", "total"]], k=K)
    assert hidden == {"small": SMALL, "large": COMPLEMENT}


def test_the_complement_is_the_smallest_shown_non_zero_cell():
    cells = {"a": 2, "b": 0, "c": 9, "d": 30, "total": 41}
    hidden = suppress(cells, [["a", "b", "c", "d", "total"]], k=K)
    assert hidden == {"a": SMALL, "c": COMPLEMENT}


def test_two_hidden_cells_in_a_group_need_no_complement():
    cells = {"a": 2, "b": 3, "c": 30, "total": 35}
    assert suppress(cells, [["a", "b", "c", "total"]], k=K) == {"a": SMALL, "b": SMALL}


def test_complements_repeat_across_crossing_groups_until_none_is_alone():
    # Two rows (agencies) by two columns (parts of a row total), with column totals:
    #            part1  part2  row total
    #   agency1    3     20      23
    #   agency2   10     12      22
    #   total     13     32      45
    cells = {
        ("a1", "p1"): 3,
        ("a1", "p2"): 20,
        ("a1", "t"): 23,
        ("a2", "p1"): 10,
        ("a2", "p2"): 12,
        ("a2", "t"): 22,
        ("T", "p1"): 13,
        ("T", "p2"): 32,
        ("T", "t"): 45,
    }
    groups = [[("a1", c), ("a2", c), ("T", c)] for c in ("p1", "p2", "t")] + [
        [(r, "p1"), (r, "p2"), (r, "t")] for r in ("a1", "a2", "T")
    ]
    hidden = suppress(cells, groups, k=K)
    assert hidden[("a1", "p1")] == SMALL
    for group in groups:
        assert sum(1 for key in group if key in hidden) != 1, group


def test_rates_are_hidden_when_a_part_or_their_difference_is_small():
    assert rate_hidden(38, 40, k=K)  # 2 did not: the rate names them
    assert rate_hidden(3, 40, k=K)
    assert rate_hidden(10, 40, denominator_hidden=True, k=K)
    assert not rate_hidden(20, 40, k=K)
    assert not rate_hidden(40, 40, k=K)  # all of them: the difference is 0, shown like a 0
    assert not rate_hidden(0, 40, k=K)


def test_hidden_cells_carry_no_value_and_say_why():
    rows, total = suppress_table(
        [("x", "X", {"n": 3, "m": 10}), ("y", "Y", {"n": 40, "m": 10})],
        {"n": 43, "m": 20},
        columns=["n", "m"],
        row_groups=[],
        rates={"rate": ("n", "m")},
        k=K,
    )
    small, complement = rows[0].cells["n"], rows[1].cells["n"]
    assert small == Cell(value=None, hidden=SMALL) and small.label == "<5"
    assert complement == Cell(value=None, hidden=COMPLEMENT) and complement.label == "hidden"
    assert total.cells["n"].value == 43
    assert not rows[0].rates["rate"].shown and not rows[1].rates["rate"].shown


@pytest.mark.django_db
def test_country_dashboard_does_not_let_the_total_give_away_a_small_agency(client, settings):
    settings.REPORTS_SMALL_CELL_K = K
    course = build_course(modules=1, questions=1)
    small = AgencyFactory(country="MD", name="Small Moldovan Unit")
    large = AgencyFactory(country="MD", name="Large Moldovan Police")
    for agency, officers in ((small, 3), (large, 40)):
        for _ in range(officers):
            user = MembershipFactory(agency=agency, user=UserFactory()).user
            Enrollment.objects.create(user=user, course=course)
    client.force_login(coordinator_of("MD"))
    response = client.get(reverse("reports:dashboard_country", args=["MD"]), {"course": course.pk})
    html = response.content.decode()
    assert response.status_code == 200
    rows, total = response.context["rows"], response.context["total"]
    by_name = {row.label: row for row in rows}
    # Vetted and enrolled: 3 and 40 of 43. The 3 is "<5", the 40 is hidden too, and the
    # total shows 43: no subtraction gives either back.
    for column in ("vetted", "enrolled"):
        assert by_name["Small Moldovan Unit"].cells[column].hidden == SMALL
        assert by_name["Large Moldovan Police"].cells[column].hidden == COMPLEMENT
        assert total.cells[column].value == 43
    assert "&lt;5" in html
    # 40 appears nowhere as a figure of the large agency: no cell of its row shows it.
    assert ">40<" not in html
    # A hidden cell is not a link: the agency's name and its shown cells are.
    large_row = by_name["Large Moldovan Police"]
    shown = sum(1 for cell in large_row.cells.values() if cell.shown)
    assert shown < len(large_row.cells)
    large_url = reverse("reports:dashboard_agency", args=[large.pk])
    assert html.count(f'href="{large_url}') == 1 + shown


@pytest.mark.django_db
def test_one_agency_dashboard_shows_exact_numbers_to_its_admin_and_to_staff(client, settings):
    settings.REPORTS_SMALL_CELL_K = K
    agency = AgencyFactory(country="MD", name="Small Moldovan Unit")
    course = build_course(modules=1, questions=1)
    for _ in range(3):
        user = MembershipFactory(agency=agency, user=UserFactory()).user
        Enrollment.objects.create(user=user, course=course, completed_at=timezone.now())
    url = reverse("reports:dashboard_agency", args=[agency.pk])
    for viewer in (admin_of(agency), staff_user()):
        client.force_login(viewer)
        response = client.get(url, {"course": course.pk})
        assert response.context["data"].headline.enrolled == 3
        assert "&lt;5" not in response.content.decode()


@pytest.mark.django_db
def test_programme_dashboard_suppresses_small_countries(client, settings):
    settings.REPORTS_SMALL_CELL_K = K
    course = build_course(modules=1, questions=1)
    for country, officers in (("TH", 2), ("KR", 12), ("MD", 9)):
        agency = AgencyFactory(country=country, name=f"Police {country}")
        for _ in range(officers):
            MembershipFactory(
                agency=agency, user=UserFactory(), vetted_at=timezone.now() - timedelta(days=1)
            )
    client.force_login(staff_user())
    response = client.get(reverse("reports:dashboard_programme"), {"course": course.pk})
    rows = {row.key: row for row in response.context["rows"]}
    assert rows["TH"].cells["vetted"].hidden == SMALL
    assert rows["MD"].cells["vetted"].hidden == COMPLEMENT  # 9 < 12: the next smallest
    assert rows["KR"].cells["vetted"].value == 12
    assert response.context["total"].cells["vetted"].value == 23
