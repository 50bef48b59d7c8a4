"""seed_demo: after the demo people and cohorts, the demo officers complete the real course
through the services and hold a certificate in each state of its lifecycle; the command
writes nothing on a dry run, refuses to run with DEBUG off, and is safe to run again."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import AuditEvent, User
from assessments.models import Attempt, Quiz
from certificates.demo import KIM_AS_TYPED, REISSUE_REASON, REVOKE_REASON
from certificates.models import Certificate
from cohorts.models import Cohort, Seat
from core.models import OutboxMessage
from courses.models import Enrollment, LessonProgress

pytestmark = pytest.mark.django_db

KIM, LEE = "officer.kim@knpa.example", "officer.lee@knpa.example"
MALEE, CIOBANU = "officer.malee@rtp.example", "officer.ciobanu@igp.example"


@pytest.fixture(autouse=True)
def _debug(settings):
    settings.DEBUG = True


@pytest.fixture
def real_course(curriculum):
    """What `make run` does before seed_demo: import content/ (the rows sync_content
    writes, tests/curriculum.py)."""
    return curriculum


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (
        User, Cohort, Seat, Enrollment, LessonProgress, Attempt, Certificate, AuditEvent,
        OutboxMessage,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def stored_pdfs() -> set[str]:
    if not default_storage.exists("certificates"):
        return set()
    return set(default_storage.listdir("certificates")[1])


def test_demo_officers_hold_a_certificate_in_each_state_and_a_second_run_changes_nothing(
    real_course,
):
    output = seed()

    certificates = {
        (c.user.email, c.revision): c for c in Certificate.objects.select_related("user")
    }
    assert sorted(certificates) == [(CIOBANU, 1), (KIM, 1), (KIM, 2), (MALEE, 1)]
    assert not Enrollment.objects.filter(user__email=LEE).exists()
    # Each officer passed every module quiz at the first attempt, with the model answers.
    attempts = Attempt.objects.filter(user__email__in=[KIM, MALEE, CIOBANU])
    assert attempts.count() == 3 * Quiz.objects.count() == 27
    assert set(attempts.values_list("passed", "score")) == {(True, 100)}
    for certificate in certificates.values():
        pdf = certificate.pdf.read()
        assert pdf.startswith(b"%PDF")
        assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
        assert certificate.serial in output

    # Superseded by a reissue with the corrected name; the new revision is the valid one.
    first, second = certificates[(KIM, 1)], certificates[(KIM, 2)]
    assert (first.status, first.holder_name) == (Certificate.Status.SUPERSEDED, KIM_AS_TYPED)
    assert first.public_status() == "superseded"
    assert first.superseded_at == second.issued_at
    assert (second.status, second.holder_name) == (Certificate.Status.ISSUED, "Kim Min-jun")
    assert (second.serial, second.supersedes) == (first.serial, first)
    assert second.public_status() == "valid"
    assert User.objects.get(email=KIM).full_name == "Kim Min-jun"
    reissue = AuditEvent.objects.get(action="certificate.reissue")
    assert reissue.details["reason"] == REISSUE_REASON
    assert reissue.details["name_changed"] is True

    revoked = certificates[(MALEE, 1)]
    assert revoked.status == Certificate.Status.REVOKED
    assert revoked.public_status() == "revoked"
    assert revoked.revoked_at is not None
    revoke = AuditEvent.objects.get(action="certificate.revoke")
    assert (revoke.target_id, revoke.details["reason"]) == (str(revoked.pk), REVOKE_REASON)
    assert revoke.actor.email == "staff@programme.example"

    expiring = certificates[(CIOBANU, 1)]
    now = timezone.now()
    assert expiring.public_status() == "valid"
    assert now + timedelta(days=19) < expiring.valid_until <= now + timedelta(days=20)
    validity = AuditEvent.objects.get(action="certificate.demo_validity")
    assert validity.target_id == str(expiring.pk)
    assert validity.details["valid_until"] == expiring.valid_until.isoformat()

    assert output.count("Demo course completed:") == 3
    assert "superseded" in output
    assert "revoked" in output
    assert f"valid until {expiring.valid_until:%Y-%m-%d}" in output

    before, pdfs = counts(), stored_pdfs()
    again = seed()
    assert counts() == before
    assert stored_pdfs() == pdfs
    assert "Demo course completed" not in again
    assert all(c.serial in again for c in certificates.values())
    assert {
        (c.user.email, c.revision): (c.status, c.valid_until)
        for c in Certificate.objects.select_related("user")
    } == {key: (c.status, c.valid_until) for key, c in certificates.items()}

    dry = seed(dry_run=True)
    assert "would be created" not in dry
    assert all(c.serial in dry for c in certificates.values())
    assert counts() == before

    # Weeks later the demo certificate has expired: the next run makes it expire soon again.
    Certificate.objects.filter(pk=expiring.pk).update(valid_until=now - timedelta(days=3))
    seed()
    expiring.refresh_from_db()
    assert expiring.public_status() == "valid"
    assert expiring.valid_until > timezone.now() + timedelta(days=19)
    assert AuditEvent.objects.filter(action="certificate.demo_validity").count() == 2


def test_dry_run_writes_nothing(real_course):
    before, pdfs = counts(), stored_pdfs()
    output = seed(dry_run=True)
    assert "Demo cohort would be created:" in output
    assert output.count("Demo certificate would be created:") == 3
    assert f"Demo certificate would be created: {KIM}: issued as revision 1" in output
    assert "dry run: nothing was written" in output
    assert counts() == before
    assert stored_pdfs() == pdfs
    assert not User.objects.filter(email="trainer@rtp.example").exists()


def test_without_the_course_people_are_seeded_and_the_rest_skipped_with_a_message():
    output = seed(course="no-such-course")
    assert "No course 'no-such-course' yet: run `manage.py sync_content`" in output
    assert "No course 'no-such-course' yet: no demo certificates." in output
    assert User.objects.filter(email=LEE).exists()
    assert not Cohort.objects.exists()
    assert not Certificate.objects.exists()


def test_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="i-know-this-is-not-production"):
        seed()
    assert not User.objects.exists()


def test_runs_without_debug_when_told_it_is_not_production(settings):
    settings.DEBUG = False
    seed(course="no-such-course", not_production=True)
    assert User.objects.filter(email=LEE).exists()
