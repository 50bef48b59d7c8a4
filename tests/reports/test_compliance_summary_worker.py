"""The monthly compliance summary through a real Celery worker on Redis (Django's file
backend for the email it sends): however often the tasks run, one email."""

import pytest

from core.models import OutboxMessage
from reports.models import AgencyRequirement, ComplianceSummary
from reports.services.compliance_summary import compliance_summaries_queue
from reports.tasks import compliance_summaries_task, compliance_summary_send_task
from tests.cohorts.test_notices_worker import read_messages
from tests.factories import AgencyFactory, MembershipFactory, admin_of
from tests.polling import wait_for
from tests.reports.test_compliance_summary import requirement_set

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_the_summary_email_is_written_once_when_the_tasks_run_twice(celery_worker):
    agency = AgencyFactory(country="KR", time_zone="Asia/Seoul")
    AgencyRequirement.objects.create(agency=agency, requirement_set=requirement_set())
    admin = admin_of(agency, email="summary-admin@knpa.example")
    MembershipFactory(agency=agency)

    first, second = compliance_summaries_task.delay(), compliance_summaries_task.delay()
    first.get(timeout=30)
    second.get(timeout=30)
    summary = wait_for(
        lambda: ComplianceSummary.objects.filter(user=admin, sent_at__isnull=False).first(),
        message="the worker did not send the summary in time",
    )
    # The send task itself, run again for the same summary, sends nothing more.
    compliance_summary_send_task.delay(summary_id=summary.pk).get(timeout=30)
    assert compliance_summaries_queue() == []

    mine = wait_for(
        lambda: [m for m in read_messages(celery_worker["mail"]) if m["To"] == admin.email],
        message="no message file",
    )
    assert len(mine) == 1
    assert "KNPA cyber investigators (demo)" in mine[0].get_content()
    assert ComplianceSummary.objects.filter(agency=agency).count() == 1
    kind = "reports.tasks.compliance_summary_send_task"
    assert OutboxMessage.objects.filter(kind=kind, payload={"summary_id": summary.pk}).count() == 1
