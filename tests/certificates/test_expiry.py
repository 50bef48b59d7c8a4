"""Expiry: valid_until from the course's valid_for_months at issue, and the 90/30/7-day
reminders (once each, the nearest only when a run was missed, never for a certificate that is
not the newest of its line)."""

from datetime import timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from certificates.models import Certificate, CertificateReminder
from certificates.services import (
    certificate_reissue,
    certificate_reminders_queue,
    certificate_render,
    certificate_revoke,
)
from courses.models import Lesson
from tests.certificates.issuing import issued_certificate
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def expiring_course(course):
    course.valid_for_months = 12
    course.save(update_fields=["valid_for_months"])
    return course


@pytest.fixture
def issued(officer, expiring_course):
    return issued_certificate(officer, expiring_course)


def test_valid_until_is_the_issue_time_plus_the_courses_months(issued):
    assert issued.valid_until == issued.issued_at + relativedelta(months=12)
    assert Certificate.objects.get(pk=issued.pk).valid_until == issued.valid_until


def test_valid_until_counts_calendar_months_from_the_issue_day(officer, course):
    course.valid_for_months = 1
    course.save(update_fields=["valid_for_months"])
    with time_machine.travel("2027-01-31 10:00Z", tick=False):
        certificate = issued_certificate(officer, course)
    assert certificate.valid_until.isoformat() == "2027-02-28T10:00:00+00:00"


def test_a_course_without_valid_for_months_issues_certificates_that_never_expire(officer, course):
    certificate = issued_certificate(officer, course)
    assert certificate.valid_until is None
    assert certificate.public_status() == "valid"


def test_the_certificate_pins_the_lesson_versions_it_was_earned_on(issued):
    lessons = Lesson.objects.filter(module__course=issued.course)
    assert issued.lesson_versions == {str(lesson.pk): 1 for lesson in lessons}


def test_a_reissue_keeps_the_old_validity(issued, admin_user):
    with time_machine.travel(timezone.now() + timedelta(days=100)):
        new = certificate_reissue(certificate=issued, actor=admin_user, reason="Name misspelt")
        new = certificate_render(certificate_id=new.pk)
    assert new.valid_until == issued.valid_until


def _reminders(certificate) -> list[int]:
    return list(
        CertificateReminder.objects.filter(certificate=certificate)
        .order_by("-days_before")
        .values_list("days_before", flat=True)
    )


def test_reminders_go_90_30_and_7_days_before_once_each(issued, deliver_outbox, officer):
    end = issued.valid_until
    for days, expected in [
        (91, []),
        (89, [90]),
        (88, [90]),
        (31, [90]),
        (29, [90, 30]),
        (29, [90, 30]),
        (8, [90, 30]),
        (6, [90, 30, 7]),
        (1, [90, 30, 7]),
        (-1, [90, 30, 7]),
    ]:
        with time_machine.travel(end - timedelta(days=days), tick=False):
            certificate_reminders_queue()
            deliver_outbox()
        assert _reminders(issued) == expected, days
    assert len(mail.outbox) == 3
    assert all(message.to == [officer.email] for message in mail.outbox)
    renew_link = f"/certificates/{issued.pk}/renew/"
    assert all(renew_link in message.body for message in mail.outbox)
    assert "expires in 89 days" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="certificate.reminder_send").count() == 3
    assert not CertificateReminder.objects.filter(sent_at__isnull=True).exists()


def test_a_missed_run_catches_up_with_the_nearest_reminder_only(issued, deliver_outbox):
    with time_machine.travel(issued.valid_until - timedelta(days=5), tick=False):
        assert len(certificate_reminders_queue()) == 1
        deliver_outbox()
    assert _reminders(issued) == [7]
    assert len(mail.outbox) == 1


def test_no_reminders_for_revoked_superseded_or_never_expiring_certificates(
    issued, officer, admin_user, deliver_outbox
):
    reissued = certificate_reissue(certificate=issued, actor=admin_user, reason="Template 2")
    pending_successor_window = issued.valid_until - timedelta(days=20)
    with time_machine.travel(pending_successor_window, tick=False):
        # The reissue is still pending: the newest of the line is not issued yet.
        assert certificate_reminders_queue() == []
    certificate_render(certificate_id=reissued.pk)
    revoked = CertificateFactory(
        status="issued",
        pdf="certificates/x.pdf",
        issued_at=timezone.now(),
        valid_until=issued.valid_until,
    )
    certificate_revoke(
        certificate=revoked,
        actor=admin_user,
        reason_category=Certificate.RevocationReason.ISSUED_IN_ERROR,
        reason="Issued in error",
    )
    CertificateFactory(
        status="issued", pdf="certificates/y.pdf", issued_at=timezone.now(), valid_until=None
    )
    with time_machine.travel(pending_successor_window, tick=False):
        queued = certificate_reminders_queue()
        deliver_outbox()
    # Only the new revision, which kept the old validity, is reminded.
    assert list(CertificateReminder.objects.values_list("certificate_id", flat=True)) == [
        reissued.pk
    ]
    # The revoked certificate's holder is told of the revocation, and of nothing else.
    assert len(queued) == 1
    assert [message.to for message in mail.outbox if message.to != [revoked.user.email]] == [
        [officer.email]
    ]


def test_a_reminder_queued_before_a_revocation_is_skipped_not_sent(
    issued, admin_user, deliver_outbox
):
    with time_machine.travel(issued.valid_until - timedelta(days=20), tick=False):
        certificate_reminders_queue()
    certificate_revoke(
        certificate=issued,
        actor=admin_user,
        reason_category=Certificate.RevocationReason.ISSUED_IN_ERROR,
        reason="Issued in error",
    )
    deliver_outbox()
    reminder = CertificateReminder.objects.get()
    assert reminder.sent_at is not None and "revoked" in reminder.last_error
    # The holder hears of the revocation only.
    assert len(mail.outbox) == 1 and "revoked" in mail.outbox[0].subject.lower()


def test_the_reminder_is_written_in_the_holders_language(officer, expiring_course, deliver_outbox):
    officer.language = "ko"
    officer.save(update_fields=["language"])
    issued = issued_certificate(officer, expiring_course)
    with time_machine.travel(issued.valid_until - timedelta(days=20), tick=False):
        certificate_reminders_queue()
        deliver_outbox()
    (message,) = mail.outbox
    # The date in Korean form, whether or not the catalogue is compiled in this checkout.
    expires = timezone.localdate(issued.valid_until)
    assert f"{expires.year}년 {expires.month}월 {expires.day}일" in message.body


def test_finding_due_reminders_takes_a_fixed_number_of_queries(
    expiring_course, django_assert_num_queries
):
    valid_until = timezone.now() + timedelta(days=400)
    for index in range(6):
        CertificateFactory(
            status="issued",
            pdf=f"certificates/{index}.pdf",
            issued_at=timezone.now(),
            valid_until=valid_until + timedelta(days=index),
        )
    # Select the due certificates, their reminders sent, insert, read the new ids, then the
    # outbox rows in one INSERT; the savepoint pair of the atomic block.
    with (
        time_machine.travel(valid_until - timedelta(days=10), tick=False),
        django_assert_num_queries(7),
    ):
        assert len(certificate_reminders_queue()) == 6


def test_the_database_refuses_a_second_reminder_of_the_same_kind(issued):
    CertificateReminder.objects.create(certificate=issued, days_before=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateReminder.objects.create(certificate=issued, days_before=30)


def test_a_reissue_is_not_sent_the_reminder_its_predecessor_had(issued, admin_user, deliver_outbox):
    with time_machine.travel(issued.valid_until - timedelta(days=60), tick=False):
        certificate_reminders_queue()
        deliver_outbox()
    new = certificate_reissue(certificate=issued, actor=admin_user, reason="Name misspelt")
    certificate_render(certificate_id=new.pk)
    with time_machine.travel(issued.valid_until - timedelta(days=50), tick=False):
        assert certificate_reminders_queue() == []
    with time_machine.travel(issued.valid_until - timedelta(days=25), tick=False):
        certificate_reminders_queue()
        deliver_outbox()
    assert _reminders(new) == [30]
    assert len(mail.outbox) == 2
