"""Certificate rendering, idempotency, the sweeper, and failure after repeated errors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from certificates.models import Certificate
from certificates.services import certificate_create_for_completion, certificate_render
from core.models import OutboxMessage
from core.outbox import outbox_deliver, outbox_sweep
from core.pdf import StaticOnlyURLFetcher
from courses.models import Lesson
from courses.services import enrollment_create, lesson_complete
from tests.certificates.pdf import pdf_facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(officer, course):
    enrollment = enrollment_create(user=officer, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    enrollment.completed_at = timezone.now()
    enrollment.save()
    return certificate_create_for_completion(enrollment=enrollment)


def test_certificate_tokens_are_long_and_unique(certificate):
    assert len(certificate.verify_token) >= 43  # 32 random bytes, base64url
    assert certificate.serial.startswith(f"CC-{timezone.now():%Y}-")
    assert certificate.verify_url.endswith(f"/verify/{certificate.verify_token}/")


def test_creating_twice_returns_the_same_row(certificate):
    again = certificate_create_for_completion(enrollment=certificate.enrollment)
    assert again.pk == certificate.pk
    assert Certificate.objects.count() == 1


def test_render_stores_a_one_page_landscape_pdf_with_name_serial_and_qr(certificate):
    rendered = certificate_render(certificate_id=certificate.pk)
    assert rendered.status == Certificate.Status.ISSUED
    assert rendered.issued_at is not None
    facts = pdf_facts(rendered.pdf.read())
    assert facts["pages"] == 1
    assert facts["landscape_a4"]
    assert certificate.holder_name in facts["text"]
    assert certificate.serial in facts["text"]
    assert "Korean National Police Agency" in facts["text"]
    assert facts["qr"] == [certificate.verify_url]
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 1


def test_rendering_twice_changes_nothing(certificate):
    first = certificate_render(certificate_id=certificate.pk)
    name, issued_at = first.pdf.name, first.issued_at
    second = certificate_render(certificate_id=certificate.pk)
    assert (second.pdf.name, second.issued_at) == (name, issued_at)
    assert second.render_attempts == 1
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 1


def test_fetcher_refuses_remote_and_local_files():
    fetcher = StaticOnlyURLFetcher(allowed_protocols={"data", "static"})
    for url in ("https://example.org/logo.png", "file:///etc/passwd", "static:../../etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("static:css/site.css").read().startswith(b"/*")


def render_message(certificate) -> OutboxMessage:
    return OutboxMessage.objects.get(
        kind="certificates.tasks.certificate_render_task",
        payload={"certificate_id": certificate.pk},
    )


def test_sweeper_requeues_only_stale_pending_rows(certificate, settings):
    settings.OUTBOX_STALE_SECONDS = 60
    message = render_message(certificate)
    assert outbox_sweep() == []  # just queued
    later = timezone.now() + timedelta(minutes=5)
    assert outbox_sweep(now=later) == [message.pk]
    assert outbox_sweep(now=later) == []  # its next try moved forward
    assert outbox_deliver(message_id=message.pk) is True  # rendered and issued
    assert outbox_sweep(now=later + timedelta(hours=5)) == []  # done rows are left alone


def test_sweeper_marks_rows_failed_after_max_attempts(certificate, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    OutboxMessage.objects.filter(pk=render_message(certificate).pk).update(
        attempts=3, next_attempt_at=timezone.now() - timedelta(hours=1)
    )
    assert outbox_sweep() == []
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert render_message(certificate).status == OutboxMessage.Status.FAILED
    assert AuditEvent.objects.filter(action="certificate.fail", outcome="failure").exists()


def test_render_error_is_recorded_and_retried_until_failed(certificate, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    # A holder name WeasyPrint cannot lay out does not exist; break the template instead.
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False, "OPTIONS": {"loaders": []}}
    ]
    message = render_message(certificate)
    assert outbox_deliver(message_id=message.pk) is False
    first = Certificate.objects.get(pk=certificate.pk)
    assert first.status == Certificate.Status.PENDING
    assert "TemplateDoesNotExist" in first.last_error
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert "TemplateDoesNotExist" in message.last_error
    assert outbox_deliver(message_id=message.pk) is False
    second = Certificate.objects.get(pk=certificate.pk)
    assert second.status == Certificate.Status.FAILED
    assert second.render_attempts == 2
    assert render_message(certificate).status == OutboxMessage.Status.FAILED


def test_revoke_needs_a_reason_and_is_audited(certificate, client):
    from certificates.services import certificate_revoke
    from tests.factories import staff_user

    staff = staff_user()
    with pytest.raises(ValueError, match="reason"):
        certificate_revoke(
            certificate=certificate, actor=staff, reason_category="issued_in_error", reason=" "
        )
    revoked = certificate_revoke(
        certificate=certificate,
        actor=staff,
        reason_category="issued_in_error",
        reason="Issued in error",
    )
    assert revoked.status == Certificate.Status.REVOKED
    assert revoked.revocation_reason == Certificate.RevocationReason.ISSUED_IN_ERROR
    event = AuditEvent.objects.get(action="certificate.revoke")
    assert event.actor == staff and event.details["reason"] == "Issued in error"
    assert event.details["category"] == "issued_in_error"
    page = client.get(revoked.get_absolute_url())
    assert "This certificate has been revoked." in page.text


def test_staff_revoke_from_the_admin(certificate, client):
    from django.urls import reverse

    from tests.factories import staff_user

    staff = staff_user(is_superuser=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:certificates_certificate_changelist"),
        {
            "action": "revoke",
            "_selected_action": [certificate.pk],
            "category": "misconduct",
            "reason": "Fraud",
        },
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revocation_reason == Certificate.RevocationReason.MISCONDUCT


def test_the_admin_refuses_to_revoke_without_a_category(certificate, client):
    from django.urls import reverse

    from tests.factories import staff_user

    client.force_login(staff_user(is_superuser=True))
    client.post(
        reverse("admin:certificates_certificate_changelist"),
        {"action": "revoke", "_selected_action": [certificate.pk], "reason": "Fraud"},
    )
    certificate.refresh_from_db()
    assert certificate.status != Certificate.Status.REVOKED


def test_failed_certificate_can_be_retried(certificate, django_capture_on_commit_callbacks):
    from certificates.services import certificate_retry
    from tests.factories import staff_user

    Certificate.objects.filter(pk=certificate.pk).update(status="failed", render_attempts=5)
    OutboxMessage.objects.filter(pk=render_message(certificate).pk).update(
        status=OutboxMessage.Status.FAILED, attempts=5
    )
    certificate.refresh_from_db()
    with django_capture_on_commit_callbacks() as callbacks:
        retried = certificate_retry(certificate=certificate, actor=staff_user())
    assert retried.status == Certificate.Status.PENDING and retried.render_attempts == 0
    assert len(callbacks) == 1
    assert render_message(certificate).status == OutboxMessage.Status.PENDING


@pytest.mark.parametrize(
    ("name", "font"),
    [("김민준", "NanumMyeongjo"), ("สมชาย ใจดี", ""), ("Elena Ciobanu-Ștefănescu", "DejaVu")],
)
def test_names_in_any_script_are_printed_with_real_glyphs(certificate, name, font):
    from tests.certificates.pdf import pdf_font_names

    Certificate.objects.filter(pk=certificate.pk).update(holder_name=name)
    rendered = certificate_render(certificate_id=certificate.pk)
    data = rendered.pdf.read()
    assert name.replace(" ", "") in pdf_facts(data)["text"].replace(" ", "")
    fonts = pdf_font_names(data)
    if font:
        assert any(font in f for f in fonts), fonts
    else:  # Thai: a Thai font from fonts-thai-tlwg, not only DejaVu (which has no Thai)
        assert any("DejaVu" not in f for f in fonts), fonts


def test_staff_sending_a_given_up_render_again_reopens_the_certificate(
    certificate, settings, django_capture_on_commit_callbacks
):
    from core.outbox import outbox_send_again
    from tests.factories import staff_user

    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = render_message(certificate)
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=1, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_sweep() == []  # out of tries: given up
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    with django_capture_on_commit_callbacks() as callbacks:
        outbox_send_again(message=message, actor=staff_user())
    assert len(callbacks) == 1
    certificate.refresh_from_db()
    assert (certificate.status, certificate.render_attempts) == (Certificate.Status.PENDING, 0)
    assert outbox_deliver(message_id=message.pk) is True
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ISSUED
