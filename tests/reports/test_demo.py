"""seed_demo's last step (reports.demo): each demo agency follows its country's demonstration
requirement set, chosen through the audited service; a second run changes nothing."""

import io

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent
from reports.models import AgencyRequirement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug(settings):
    settings.DEBUG = True


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_each_demo_agency_follows_its_countrys_demo_set_once(curriculum):
    output = seed()
    followed = {
        (r.agency.country, r.requirement_set.country, r.requirement_set.is_demo)
        for r in AgencyRequirement.objects.select_related("agency", "requirement_set")
    }
    again = seed()

    assert followed == {("KR", "KR", True), ("TH", "TH", True), ("MD", "MD", True)}
    assert output.count("Demo agency now follows:") == 3
    assert again.count("Demo agency already follows:") == 3
    assert AuditEvent.objects.filter(action="requirements.choose").count() == 3


def test_a_dry_run_chooses_nothing(curriculum):
    output = seed(dry_run=True)

    assert output.count("Demo agency would follow:") == 3
    assert not AgencyRequirement.objects.exists()
