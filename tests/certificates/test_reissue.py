"""Reissue (same serial, next revision) and the status list entries every certificate gets."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from certificates.models import Certificate
from certificates.selectors import newest_revision
from certificates.services import (
    certificate_reissue,
    certificate_render,
    certificate_revoke,
)
from tests.certificates.issuing import issued_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(officer, course):
    return issued_certificate(officer, course)


def test_every_certificate_gets_distinct_revocation_and_suspension_entries(issued):
    assert issued.revocation_list.purpose == "revocation"
    assert issued.suspension_list.purpose == "suspension"
    assert issued.revocation_index.isdigit()
    assert int(issued.revocation_index) < issued.revocation_list.size


def test_reissue_keeps_the_serial_and_supersedes_the_old_once_the_new_is_issued(issued, admin_user):
    new = certificate_reissue(
        certificate=issued, actor=admin_user, reason="Name misspelt", holder_name="Kim Ji-woo"
    )
    assert (new.serial, new.revision, new.status) == (issued.serial, 2, "pending")
    issued.refresh_from_db()
    # The old one stays valid while the new PDF is prepared.
    assert issued.status == Certificate.Status.ISSUED
    new = certificate_render(certificate_id=new.pk)
    issued.refresh_from_db()
    assert new.status == Certificate.Status.ISSUED
    assert issued.status == Certificate.Status.SUPERSEDED
    assert issued.superseded_at == new.issued_at
    assert issued.superseded_by == new and new.supersedes == issued
    assert newest_revision(issued) == new
    assert new.pdf.name != issued.pdf.name
    assert new.revocation_index and (new.revocation_list_id, new.revocation_index) != (
        issued.revocation_list_id,
        issued.revocation_index,
    )
    assert AuditEvent.objects.filter(action="certificate.reissue").count() == 1
    assert AuditEvent.objects.filter(action="certificate.supersede").count() == 1


def test_reissuing_twice_returns_the_same_successor(issued, admin_user):
    first = certificate_reissue(certificate=issued, actor=admin_user, reason="Template 2")
    second = certificate_reissue(certificate=issued, actor=admin_user, reason="Template 2")
    assert first.pk == second.pk
    assert Certificate.objects.filter(serial=issued.serial).count() == 2


def test_a_revoked_certificate_is_not_reissued(issued, admin_user):
    certificate_revoke(
        certificate=issued, actor=admin_user, reason_category="other", reason="Issued in error"
    )
    with pytest.raises(ValueError):
        certificate_reissue(certificate=issued, actor=admin_user, reason="Try")


def test_the_database_refuses_a_second_first_certificate_for_one_completion(issued):
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            enrollment=issued.enrollment,
            user=issued.user,
            course=issued.course,
            content_version=issued.content_version,
            holder_name="X",
            course_title="Y",
            hours=1,
            completed_at=timezone.now(),
        )
