"""The officer compliance summary through a real Celery worker on Redis: a lesson completed
leads, through the outbox and the worker, to the officer's refreshed state."""

import pytest

from courses.models import Lesson
from courses.services import enrollment_create, lesson_complete
from reports.models import ComplianceState
from reports.selectors.compliance import AT_RISK, COMPLIANT
from reports.services.compliance_states import compliance_states_refresh
from tests.factories import build_course
from tests.polling import wait_for
from tests.reports.test_compliance_states import following, officer, requirement

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_lesson_completed_leads_to_the_refreshed_state_in_the_worker(celery_worker):
    agency = following(requirement())
    membership = officer(agency)
    compliance_states_refresh(agency_id=agency.pk)
    assert ComplianceState.objects.get(membership=membership).state == AT_RISK
    course = build_course(modules=1, lessons_per_module=1, questions=1)
    enrollment = enrollment_create(user=membership.user, course=course)

    lesson_complete(enrollment=enrollment, lesson=Lesson.objects.get(module__course=course))

    row = wait_for(
        lambda: ComplianceState.objects.filter(membership=membership, state=COMPLIANT).first(),
        message="the worker did not refresh the officer's compliance state",
    )
    assert row.hours["total"] == "0.25"
    assert row.shortfalls == []
