"""The two halves of `make test`: each xdist process has a Redis database of its own, and the
closing check catches a test that no half ran, or that two did, and counts it as failed."""

import json

import pytest

from tests.parallel import redis_url_for_worker
from tests.suite_split import main, selection_problems


def test_each_xdist_process_gets_its_own_redis_database():
    assert redis_url_for_worker("redis://127.0.0.1:6379/7", "gw0") == "redis://127.0.0.1:6379/7"
    assert redis_url_for_worker("redis://127.0.0.1:6379/7", "gw1") == "redis://127.0.0.1:6379/8"
    # Past Redis's last database (15), the processes count down instead.
    assert redis_url_for_worker("redis://:pw@h:6379/15", "gw1") == "redis://:pw@h:6379/14"
    with pytest.raises(ValueError):
        redis_url_for_worker("redis://127.0.0.1:6379/0", "gw16")


def test_two_halves_that_split_the_suite_have_no_problems():
    suite = ["a", "b", "c"]
    halves = [{"all": suite, "selected": ["a", "c"]}, {"all": suite, "selected": ["b"]}]
    assert selection_problems(halves) == []


def test_a_test_in_no_half_or_in_both_is_named():
    suite = ["a", "b", "c"]
    halves = [{"all": suite, "selected": ["a", "b"]}, {"all": suite, "selected": ["b"]}]
    assert selection_problems(halves) == ["in no half: c", "in more than one half: b"]
    other = [{"all": suite, "selected": suite}, {"all": ["a"], "selected": []}]
    assert selection_problems(other) == ["half 2 collected a different suite than half 1"]


def _half(folder, name, selected, suite, *, tests, failures=0, errors=0, skipped=0):
    record = folder / f"{name}.json"
    record.write_text(json.dumps({"all": suite, "selected": selected}))
    report = folder / f"{name}.xml"
    report.write_text(
        f'<testsuites><testsuite tests="{tests}" failures="{failures}" errors="{errors}" '
        f'skipped="{skipped}"/></testsuites>'
    )
    return [str(record), str(report)]


def test_the_closing_line_totals_both_halves(tmp_path, capsys):
    suite = ["a", "b", "c", "d"]
    first = _half(tmp_path, "first", ["a", "b", "c"], suite, tests=3, failures=1)
    second = _half(tmp_path, "second", ["d"], suite, tests=1, errors=1)
    # The halves' own exit status fails the make; the check only adds up.
    assert main([*first, *second]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 passed, 2 failed"


def test_a_lost_test_fails_the_check_and_counts_as_failed(tmp_path, capsys):
    suite = ["a", "b", "c"]
    first = _half(tmp_path, "first", ["a"], suite, tests=1)
    second = _half(tmp_path, "second", ["b"], suite, tests=1)
    assert main([*first, *second]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "suite split: in no half: c" in out
    assert out[-1] == "2 passed, 1 failed"


def test_a_half_that_did_not_run_fails_the_check(tmp_path, capsys):
    first = _half(tmp_path, "first", ["a"], ["a"], tests=1)
    assert main([*first, str(tmp_path / "none.json"), str(tmp_path / "none.xml")]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "0 passed, 2 failed"
