"""The monthly compliance summary to agency admins: who gets one, once a month, what it says."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError

from accounts.models import AuditEvent, Membership
from core.models import OutboxMessage
from reports.models import AgencyRequirement, ComplianceSummary, RequirementSet
from reports.services.compliance_summary import (
    compliance_summaries_queue,
    render_compliance_summary,
)
from reports.tasks import compliance_summaries_task
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, admin_of

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
KIND = "reports.tasks.compliance_summary_send_task"


def seoul(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def requirement_set(**fields) -> RequirementSet:
    values = {
        "slug": "knpa",
        "name": "KNPA cyber investigators (demo)",
        "is_demo": True,
        "cycle_months": 12,
        "anchor": RequirementSet.Anchor.FIXED,
        "anchor_date": date(2026, 1, 1),
        "minimum_hours": {"tracing": "1"},
        "source_path": "content/requirements/knpa.yaml",
        "content_hash": "0" * 64,
    }
    values.update(fields)
    return RequirementSet.objects.get_or_create(slug=values["slug"], defaults=values)[0]


def following_agency(**fields):
    agency = AgencyFactory(country="KR", time_zone="Asia/Seoul", **fields)
    AgencyRequirement.objects.create(agency=agency, requirement_set=requirement_set())
    return agency


def officer(agency, name: str, started: datetime):
    return MembershipFactory(agency=agency, user=UserFactory(full_name=name), created_at=started)


def test_queue_writes_one_summary_per_approved_admin_of_an_agency_with_a_requirement():
    agency = following_agency()
    admin = admin_of(agency)
    pending = admin_of(agency)
    Membership.objects.filter(user=pending).update(status=Membership.Status.PENDING)
    admin_of(AgencyFactory())  # an agency without a requirement
    MembershipFactory(agency=agency)  # an officer
    with time_machine.travel(seoul(2026, 6, 1, 9), tick=False):
        ids = compliance_summaries_queue()
    (summary,) = ComplianceSummary.objects.all()
    assert ids == [summary.pk]
    assert (summary.agency, summary.user, summary.month) == (agency, admin, date(2026, 6, 1))
    assert OutboxMessage.objects.filter(kind=KIND, payload={"summary_id": summary.pk}).exists()


def test_queue_sends_once_a_month_in_the_agencys_time_zone():
    agency = following_agency()
    admin_of(agency)
    with time_machine.travel(seoul(2026, 6, 1, 0, 30), tick=False):  # 31 May in UTC
        assert len(compliance_summaries_queue()) == 1
    with time_machine.travel(seoul(2026, 6, 30, 23), tick=False):
        assert compliance_summaries_queue() == []
        assert compliance_summaries_task() == 0
    with time_machine.travel(seoul(2026, 7, 1, 0, 30), tick=False):
        assert len(compliance_summaries_queue()) == 1
    months = ComplianceSummary.objects.order_by("month").values_list("month", flat=True)
    assert list(months) == [date(2026, 6, 1), date(2026, 7, 1)]
    assert OutboxMessage.objects.filter(kind=KIND).count() == 2


def test_the_database_refuses_a_second_summary_for_the_same_month():
    agency = following_agency()
    admin = admin_of(agency)
    ComplianceSummary.objects.create(agency=agency, user=admin, month=date(2026, 6, 1))
    with pytest.raises(IntegrityError):
        ComplianceSummary.objects.create(agency=agency, user=admin, month=date(2026, 6, 1))


def test_summary_counts_each_state_lists_names_and_links_the_dashboard(deliver_outbox, settings):
    settings.SITE_URL = "https://training.example"
    agency = following_agency()
    admin = admin_of(agency, full_name="Admin Park", email="park@knpa.example")
    officer(agency, "Overdue Officer", seoul(2025, 1, 1))
    officer(agency, "At-risk Officer", seoul(2026, 3, 1))
    officer(agency, "Fresh Officer", seoul(2026, 3, 1))
    with time_machine.travel(seoul(2026, 11, 15, 9), tick=False):
        compliance_summaries_queue()
        deliver_outbox()
    (message,) = mail.outbox
    assert message.to == ["park@knpa.example"]
    assert message.subject == f"Training compliance in {agency.name}, November 2026"
    body = message.body
    assert "Hello Admin Park," in body
    assert "KNPA cyber investigators (demo)" in body
    assert "It is not a real legal requirement." in body
    assert "- Compliant: 0\n- At risk: 2\n- Overdue: 1\n" in body
    assert "Overdue:\n- Overdue Officer\n" in body
    assert "At risk:\n- At-risk Officer\n- Fresh Officer\n" in body
    assert f"https://training.example/dashboards/agency/{agency.pk}/" in body
    assert f"https://training.example/agency/{agency.pk}/requirements/" in body
    summary = ComplianceSummary.objects.get()
    assert summary.sent_at is not None and summary.attempts == 1
    event = AuditEvent.objects.get(action="reports.compliance_summary_send")
    assert (event.agency, event.target_id) == (agency, str(admin.pk))


def test_summary_lists_50_names_and_counts_the_rest(deliver_outbox):
    agency = following_agency()
    admin_of(agency)
    for index in range(53):
        officer(agency, f"Officer {index:02d}", seoul(2025, 1, 1))
    with time_machine.travel(seoul(2026, 6, 1, 9), tick=False):
        compliance_summaries_queue()
        deliver_outbox()
    body = mail.outbox[0].body
    assert "- Overdue: 53" in body
    assert "- Officer 49\n" in body and "Officer 50" not in body
    assert "and 3 more" in body


def test_summary_is_written_in_the_admins_language():
    agency = following_agency()
    admin = admin_of(agency, language="ko")
    summary = ComplianceSummary.objects.create(agency=agency, user=admin, month=date(2026, 6, 1))
    with time_machine.travel(seoul(2026, 6, 1, 9), tick=False):
        subject, _body = render_compliance_summary(summary)
    assert "2026년 6월" in subject


def test_summary_query_count_does_not_grow_with_officers(django_assert_num_queries):
    agency = following_agency()
    summary = ComplianceSummary.objects.create(
        agency=agency, user=admin_of(agency), month=date(2026, 6, 1)
    )
    summary = ComplianceSummary.objects.select_related("agency", "user").get(pk=summary.pk)
    # The requirement, the officers, theirs (requirements, hours online and in person).
    for total in (2, 20):
        while Membership.objects.filter(agency=agency, role="officer").count() < total:
            officer(agency, "Officer", seoul(2025, 1, 1))
        with (
            time_machine.travel(seoul(2026, 6, 1, 9), tick=False),
            django_assert_num_queries(5),
        ):
            render_compliance_summary(summary)


def test_a_summary_to_someone_no_longer_admin_is_skipped(deliver_outbox):
    agency = following_agency()
    admin = admin_of(agency)
    with time_machine.travel(seoul(2026, 6, 1, 9), tick=False):
        compliance_summaries_queue()
        Membership.objects.filter(user=admin).update(status=Membership.Status.LEFT)
        deliver_outbox()
    assert mail.outbox == []
    summary = ComplianceSummary.objects.get()
    assert summary.sent_at is not None
    assert "no longer an approved admin" in summary.last_error
    assert AuditEvent.objects.filter(action="reports.compliance_summary_skip").exists()
