"""The lifecycle services: revoke (final), suspend and reinstate; each transition allowed or
refused, the status-list bit flipped in the same transaction, one audit row, a mail."""

import threading

import pytest
from django.db import connection, transaction

from accounts.models import AuditEvent
from certificates.models import Certificate
from certificates.services import (
    certificate_reinstate,
    certificate_reissue,
    certificate_render,
    certificate_revoke,
    certificate_suspend,
)
from certificates.services.statuslist import status_list_bit
from tests.certificates.issuing import issued_certificate
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

Status = Certificate.Status


@pytest.fixture
def staff():
    return staff_user()


@pytest.fixture
def issued(officer, course):
    return issued_certificate(officer, course)


def bit(certificate: Certificate, purpose: str) -> bool:
    certificate = Certificate.objects.select_related(f"{purpose}_list").get(pk=certificate.pk)
    return status_list_bit(
        status_list=getattr(certificate, f"{purpose}_list"),
        index=int(getattr(certificate, f"{purpose}_index")),
    )


def revoke(certificate, actor, category="misconduct", reason="Copied the final assessment"):
    return certificate_revoke(
        certificate=certificate, actor=actor, reason_category=category, reason=reason
    )


def test_revoke_sets_the_revocation_bit_the_date_and_the_category(issued, staff):
    assert not bit(issued, "revocation")
    revoked = revoke(issued, staff)
    assert revoked.status == Status.REVOKED
    assert revoked.revoked_at is not None
    assert revoked.revocation_reason == Certificate.RevocationReason.MISCONDUCT
    assert revoked.public_status() == "revoked"
    assert bit(issued, "revocation")
    assert not bit(issued, "suspension")


def test_revoke_needs_a_known_category_and_a_reason(issued, staff):
    with pytest.raises(ValueError, match="category"):
        revoke(issued, staff, category="because")
    with pytest.raises(ValueError, match="reason"):
        revoke(issued, staff, reason="   ")
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED and not bit(issued, "revocation")


def test_revocation_is_final(issued, staff):
    revoke(issued, staff)
    with pytest.raises(ValueError, match="revoked certificate cannot be revoked"):
        revoke(issued, staff)
    with pytest.raises(ValueError, match="cannot be suspended"):
        certificate_suspend(certificate=issued, actor=staff, reason="Inquiry")
    with pytest.raises(ValueError, match="cannot be reinstated"):
        certificate_reinstate(certificate=issued, actor=staff, reason="Cleared")
    assert bit(issued, "revocation")
    assert AuditEvent.objects.filter(action="certificate.revoke").count() == 1


def test_suspend_sets_the_suspension_bit_and_the_date(issued, staff):
    suspended = certificate_suspend(certificate=issued, actor=staff, reason="Inquiry open")
    assert suspended.status == Status.SUSPENDED
    assert suspended.suspended_at is not None
    assert suspended.public_status() == "suspended"
    assert bit(issued, "suspension")
    assert not bit(issued, "revocation")


def test_reinstate_clears_the_suspension_bit_and_the_certificate_is_valid_again(issued, staff):
    certificate_suspend(certificate=issued, actor=staff, reason="Inquiry open")
    reinstated = certificate_reinstate(certificate=issued, actor=staff, reason="Cleared")
    assert reinstated.status == Status.ISSUED
    assert reinstated.suspended_at is None
    assert reinstated.public_status() == "valid"
    assert not bit(issued, "suspension")


def test_only_a_suspended_certificate_is_reinstated(issued, staff):
    with pytest.raises(ValueError, match="issued certificate cannot be reinstated"):
        certificate_reinstate(certificate=issued, actor=staff, reason="Cleared")


def test_a_suspended_certificate_is_not_suspended_twice(issued, staff):
    certificate_suspend(certificate=issued, actor=staff, reason="Inquiry")
    with pytest.raises(ValueError, match="suspended certificate cannot be suspended"):
        certificate_suspend(certificate=issued, actor=staff, reason="Again")


@pytest.mark.parametrize("status", [Status.PENDING, Status.FAILED, Status.SUPERSEDED])
def test_only_an_issued_certificate_is_suspended(issued, staff, status):
    Certificate.objects.filter(pk=issued.pk).update(status=status)
    with pytest.raises(ValueError, match="cannot be suspended"):
        certificate_suspend(certificate=issued, actor=staff, reason="Inquiry")
    assert not bit(issued, "suspension")


def test_a_superseded_certificate_is_not_revoked(issued, staff):
    Certificate.objects.filter(pk=issued.pk).update(status=Status.SUPERSEDED)
    with pytest.raises(ValueError, match="superseded certificate cannot be revoked"):
        revoke(issued, staff)


@pytest.mark.parametrize("status", [Status.PENDING, Status.FAILED])
def test_a_certificate_never_issued_may_be_revoked_without_a_mail(
    issued, staff, status, deliver_outbox, mailoutbox
):
    Certificate.objects.filter(pk=issued.pk).update(status=status)
    assert revoke(issued, staff).status == Status.REVOKED
    deliver_outbox()
    assert mailoutbox == []


def test_revoking_a_suspended_certificate_clears_the_suspension_bit(issued, staff):
    certificate_suspend(certificate=issued, actor=staff, reason="Inquiry")
    revoke(issued, staff)
    assert bit(issued, "revocation")
    assert not bit(issued, "suspension")


def test_the_bit_and_the_status_roll_back_together(issued, staff):
    with pytest.raises(RuntimeError), transaction.atomic():
        certificate_suspend(certificate=issued, actor=staff, reason="Inquiry")
        assert bit(issued, "suspension")
        raise RuntimeError("the caller's transaction fails after the suspension")
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED and issued.suspended_at is None
    assert not bit(issued, "suspension")
    with pytest.raises(RuntimeError), transaction.atomic():
        revoke(issued, staff)
        raise RuntimeError("and after a revocation")
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED and not bit(issued, "revocation")
    assert not AuditEvent.objects.filter(
        action__in=["certificate.suspend", "certificate.revoke"]
    ).exists()


def test_each_transition_writes_one_audit_row_with_actor_and_reason(issued, staff):
    certificate_suspend(certificate=issued, actor=staff, reason="Inquiry open")
    certificate_reinstate(certificate=issued, actor=staff, reason="Inquiry closed")
    revoke(issued, staff, reason="Identity fraud")
    events = list(
        AuditEvent.objects.filter(target_id=str(issued.pk), action__startswith="certificate.")
        .exclude(action__in=["certificate.create", "certificate.issue"])
        .order_by("created_at", "id")
    )
    assert [(e.action, e.actor_id, e.details["reason"]) for e in events] == [
        ("certificate.suspend", staff.pk, "Inquiry open"),
        ("certificate.reinstate", staff.pk, "Inquiry closed"),
        ("certificate.revoke", staff.pk, "Identity fraud"),
    ]
    assert events[2].details["category"] == "misconduct"
    assert events[2].details["from"] == "issued"


def test_reinstating_after_a_newer_revision_was_issued_leaves_it_superseded(issued, staff):
    new = certificate_reissue(certificate=issued, actor=staff, reason="Name", holder_name="X Y")
    certificate_suspend(certificate=issued, actor=staff, reason="Inquiry")
    new = certificate_render(certificate_id=new.pk)
    issued.refresh_from_db()
    # A suspended certificate is not superseded while suspended...
    assert issued.status == Status.SUSPENDED
    reinstated = certificate_reinstate(certificate=issued, actor=staff, reason="Cleared")
    # ...and steps aside once reinstated, as the newer revision is the current one.
    assert reinstated.status == Status.SUPERSEDED
    assert reinstated.superseded_at == new.issued_at
    assert not bit(issued, "suspension")


def test_the_holder_is_told_by_mail_in_their_language_with_the_category_only(
    issued, staff, officer, deliver_outbox, mailoutbox
):
    officer.language = "ko"
    officer.save(update_fields=["language"])
    revoke(issued, staff, category="misconduct", reason="Secret internal note")
    assert "certificates.tasks.certificate_revoked_mail_task" in deliver_outbox()
    (mail,) = mailoutbox
    assert mail.to == [officer.email]
    assert issued.serial in mail.subject
    assert "상태: 취소됨" in mail.body  # "Status: Revoked", in Korean
    assert "Assessment misconduct" in mail.body
    assert "Secret internal note" not in mail.body
    assert issued.verify_url in mail.body
    # Delivered once: a second pass finds nothing pending.
    assert deliver_outbox() == []
    assert len(mailoutbox) == 1


def test_suspend_and_reinstate_mail_the_holder(issued, staff, officer, deliver_outbox, mailoutbox):
    certificate_suspend(certificate=issued, actor=staff, reason="Private")
    certificate_reinstate(certificate=issued, actor=staff, reason="Private too")
    kinds = deliver_outbox()
    assert "certificates.tasks.certificate_suspended_mail_task" in kinds
    assert "certificates.tasks.certificate_reinstated_mail_task" in kinds
    subjects = [mail.subject for mail in mailoutbox]
    assert subjects == [
        f"Your certificate {issued.serial} has been suspended",
        f"Your certificate {issued.serial} is valid again",
    ]
    assert all(mail.to == [officer.email] for mail in mailoutbox)
    assert all("Private" not in mail.body for mail in mailoutbox)
    assert all(issued.verify_url in mail.body for mail in mailoutbox)


def _race(functions) -> list:
    """Run each function in its own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # collected for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_changes_apply_one_at_a_time_and_the_bits_follow_the_status(issued):
    """Two suspends and two revokes at once: the row lock orders them; whichever order, the
    status, the bits and the audit rows agree."""
    staff = staff_user()
    results = _race(
        [
            lambda: certificate_suspend(certificate=issued, actor=staff, reason="a"),
            lambda: certificate_suspend(certificate=issued, actor=staff, reason="b"),
            lambda: revoke(issued, staff),
            lambda: revoke(issued, staff),
        ]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, ValueError) for e in errors), errors
    issued.refresh_from_db()
    assert issued.status == Status.REVOKED
    assert bit(issued, "revocation") and not bit(issued, "suspension")
    assert AuditEvent.objects.filter(action="certificate.revoke").count() == 1
    suspends = AuditEvent.objects.filter(action="certificate.suspend").count()
    assert suspends <= 1
    assert len(errors) == 3 - suspends
