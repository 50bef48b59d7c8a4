"""Requirement sets in content/requirements/: checked by sync_content --check, imported by
sync_content into RequirementSet rows."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from courses.pipeline.sync import ContentInvalid, content_sync
from reports.models import AgencyRequirement, RequirementSet
from tests.courses.test_editorial import write_reviewed_course
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

GOOD = """\
name: Test investigators (demo)
country: KR
demo: true
description: A demonstration, not a real legal requirement.
cycle: {months: 12, anchor: fixed, date: 2026-01-01}
minimum_hours: {tracing: 6, legal: 2.5, total: 16}
required: [basics, basics/module-one]
certificate_current: true
"""


def content_with(tmp_path: Path, **files: str) -> Path:
    write_reviewed_course(tmp_path)  # one that also passes --check's editorial review
    folder = tmp_path / "requirements"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text)
    return tmp_path


def check_errors(root: Path, capsys) -> str:
    with pytest.raises(CommandError):
        call_command("sync_content", "--check", "--path", str(root))
    return capsys.readouterr().err


def test_check_passes_on_the_shipped_content_and_its_three_demo_sets(capsys):
    call_command("sync_content", "--check")
    assert "content OK" in capsys.readouterr().out
    shipped = sorted((settings.CONTENT_DIR / "requirements").glob("*.yaml"))
    assert len(shipped) == 3


def test_shipped_demo_sets_cover_korea_thailand_and_moldova_and_say_they_are_demos(curriculum):
    sets = RequirementSet.objects.all()
    assert sorted(s.country for s in sets) == ["KR", "MD", "TH"]
    for requirement_set in sets:
        assert requirement_set.is_demo
        assert requirement_set.name.endswith("(demo)")
        assert "not a real legal" in requirement_set.description


def test_check_passes_a_good_set(tmp_path, capsys):
    call_command("sync_content", "--check", "--path", str(content_with(tmp_path, good=GOOD)))
    assert "content OK" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + "colour: blue\n", "unknown key 'colour'"),
        (GOOD.replace("tracing: 6", "forensics: 6"), "unknown category 'forensics'"),
        (GOOD.replace("tracing: 6", "tracing: -1"), "hours of 'tracing' cannot be negative"),
        (GOOD.replace("tracing: 6", "tracing: lots"), "hours of 'tracing' must be a number"),
        (GOOD.replace("tracing: 6", "tracing: true"), "hours of 'tracing' must be a number"),
        (GOOD.replace("basics/module-one", "basics/nope"), "required 'basics/nope' is not"),
        (GOOD.replace("[basics,", "[advanced,"), "required 'advanced' is not"),
        (GOOD.replace("months: 12", "months: 0"), "'months' must be a whole number from 1"),
        (GOOD.replace("months: 12", "months: 121"), "'months' must be a whole number from 1"),
        (GOOD.replace(", date: 2026-01-01", ""), "a fixed cycle needs a 'date'"),
        (GOOD.replace("anchor: fixed", "anchor: start"), "takes no 'date'"),
        (GOOD.replace("anchor: fixed", "anchor: monthly"), "'anchor' must be 'fixed' or"),
        (GOOD.replace("name: Test investigators (demo)\n", ""), "'name' is required"),
        (GOOD.replace("demo: true", "demo: maybe"), "'demo' must be true or false"),
        (GOOD.replace("(demo)", ""), "must end with '(demo)'"),
        (GOOD.replace("cycle: {months: 12, anchor: fixed, date: 2026-01-01}\n", ""), "'cycle'"),
        ("name: [unclosed\n", "invalid YAML"),
    ],
    ids=[
        "unknown-key",
        "bad-category",
        "negative-hours",
        "non-numeric-hours",
        "boolean-hours",
        "unknown-module",
        "unknown-course",
        "zero-months",
        "too-many-months",
        "fixed-without-date",
        "start-with-date",
        "bad-anchor",
        "missing-name",
        "demo-not-boolean",
        "demo-without-marker",
        "missing-cycle",
        "bad-yaml",
    ],
)
def test_check_fails_on_a_bad_set(tmp_path, capsys, text, message):
    root = content_with(tmp_path, bad=text)
    err = check_errors(root, capsys)
    assert message in err
    assert "requirements/bad.yaml:" in err


def test_check_fails_on_a_duplicate_slug(tmp_path, capsys):
    root = content_with(tmp_path, one=GOOD + "slug: same\n", two=GOOD + "slug: same\n")
    assert "duplicate requirement set slug 'same'" in check_errors(root, capsys)


def test_check_fails_on_a_yml_file(tmp_path, capsys):
    root = content_with(tmp_path)
    (root / "requirements" / "set.yml").write_text(GOOD)
    assert "requirement sets are .yaml files" in check_errors(root, capsys)


def test_sync_upserts_sets_by_slug_with_source_and_hash(tmp_path):
    root = content_with(tmp_path, good=GOOD)
    report = content_sync(root=root)
    assert "requirements good" in report.created
    row = RequirementSet.objects.get(slug="good")
    assert row.source_path.endswith("requirements/good.yaml")
    assert len(row.content_hash) == 64
    assert row.minimum_hours == {"tracing": "6", "legal": "2.5", "total": "16"}
    assert row.required == ["basics", "basics/module-one"]
    assert (row.cycle_months, row.anchor, row.anchor_date) == (12, "fixed", date(2026, 1, 1))
    assert row.certificate_current and row.is_demo

    (root / "requirements" / "good.yaml").write_text(GOOD.replace("tracing: 6", "tracing: 8"))
    report = content_sync(root=root)
    assert "requirements good" in report.updated
    row.refresh_from_db()
    assert row.minimum_hours["tracing"] == "8"
    assert RequirementSet.objects.count() == 1


def test_sync_deletes_a_removed_set_nobody_follows(tmp_path):
    root = content_with(tmp_path, good=GOOD, other=GOOD)
    content_sync(root=root)
    (root / "requirements" / "other.yaml").unlink()
    report = content_sync(root=root)
    assert "requirements other" in report.removed
    assert list(RequirementSet.objects.values_list("slug", flat=True)) == ["good"]


def test_sync_refuses_to_delete_a_set_an_agency_follows(tmp_path):
    root = content_with(tmp_path, good=GOOD, other=GOOD)
    content_sync(root=root)
    AgencyRequirement.objects.create(
        agency=AgencyFactory(), requirement_set=RequirementSet.objects.get(slug="other")
    )
    (root / "requirements" / "other.yaml").unlink()
    with pytest.raises(ContentInvalid, match="an agency follows it"):
        content_sync(root=root)
    assert RequirementSet.objects.filter(slug="other").exists()
