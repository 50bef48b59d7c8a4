"""Report services: the person's own data export reads their data and records the export."""

import pytest

from accounts.models import AuditEvent
from core.audit import AuditContext
from reports.services.exports import personal_data_export
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_personal_data_export_returns_the_data_and_writes_one_audit_row():
    person = UserFactory(email="me@knpa.example")
    context = AuditContext(ip="198.51.100.20", user_agent="Safari/18", request_id="r-2")
    data = personal_data_export(user=person, context=context)
    assert "me@knpa.example" in str(data)
    event = AuditEvent.objects.get(action="account.export")
    assert (event.actor, event.target_id, event.ip_address, event.request_id) == (
        person,
        str(person.pk),
        "198.51.100.20",
        "r-2",
    )
