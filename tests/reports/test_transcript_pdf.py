"""The signed PDF transcript as a court or a defence lawyer gets it: PAdES-signed (pyHanko's
validator and poppler's pdfsig agree), with its serial, verify URL and the audit chain's head
in the text, Korean, Thai and Romanian names drawn; and the public verify page, which shows
the transcript's facts and nothing else."""

import hashlib
import io
import time

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.models import AuditEvent, Membership
from core.models import OutboxMessage
from core.outbox import outbox_send_again
from reports.models import Transcript
from reports.selectors.transcripts import training_record, transcript_rows
from reports.services.transcripts import (
    SIGNATURE_BOX,
    lines_sha256,
    transcript_render,
    transcript_request,
    transcript_verify_url,
)
from tests.certificates.pdf import assert_real_glyphs
from tests.core.signing import pdfsig, validate, with_one_byte_changed_in_a_content_stream
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, admin_of, staff_user
from tests.reports.test_transcripts import complete_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    agency = AgencyFactory(name="Politia Romana", country="RO", time_zone="Europe/Bucharest")
    return MembershipFactory(agency=agency, user=UserFactory(full_name="Ștefan Rădulescu")).user


def transcript_made(*, officer, actor, language: str) -> Transcript:
    """Asked for as in a request, then made as the worker makes it, in this process."""
    asked = transcript_request(officer=officer, actor=actor, language=language)
    return transcript_render(transcript_id=asked.pk)


@pytest.fixture
def made(officer) -> Transcript:
    complete_course(officer, modules=2)
    return transcript_made(officer=officer, actor=officer, language="ro")


def pdf_bytes(transcript: Transcript) -> bytes:
    with transcript.pdf.open("rb") as stored:
        return stored.read()


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_transcript_pdf_is_signed_intact_and_trusted(made):
    pdf = pdf_bytes(made)

    embedded, status = validate(pdf)

    assert status.intact and status.valid and status.trusted
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert "Signature is Valid." in pdfsig(pdf)
    assert [int(value) for value in embedded.sig_field["/Rect"]] == list(SIGNATURE_BOX)


def test_a_transcript_with_one_byte_changed_fails_both_checks(made):
    tampered = with_one_byte_changed_in_a_content_stream(pdf_bytes(made))

    _, status = validate(tampered)
    assert not (status.intact and status.valid)
    assert "Signature is Valid." not in pdfsig(tampered)


def test_the_pdf_carries_serial_verify_url_head_hash_and_each_lines_audit_event(made, officer):
    text = pdf_text(pdf_bytes(made)).replace("\n", "")

    assert made.serial in text
    assert transcript_verify_url(made) in text
    assert made.audit_head_hash and made.audit_head_hash in text
    assert "Ștefan Rădulescu" in text
    for line in training_record(officer=officer).lessons:
        assert str(line.audit_id) in text


def test_the_transcript_records_its_hashes_and_the_chain_head_before_it(made, officer):
    head = AuditEvent.objects.filter(pk__lte=made.audit_head_id).order_by("-id").first()

    assert made.audit_head_hash == head.row_hash
    assert made.pdf_sha256 == hashlib.sha256(pdf_bytes(made)).hexdigest()
    with translation.override("ro"):
        rows = transcript_rows(training_record(officer=officer))
    assert made.lines == len(rows)
    assert made.content_sha256 == lines_sha256(rows)
    create = AuditEvent.objects.get(action="transcript.create")
    assert create.pk > made.audit_head_id
    assert create.details["serial"] == made.serial


def test_a_long_multi_page_transcript_numbers_its_pages(officer):
    for _ in range(6):
        complete_course(officer, modules=3)

    started = time.perf_counter()
    made = transcript_made(officer=officer, actor=officer, language="en")
    elapsed_ms = (time.perf_counter() - started) * 1000

    reader = PdfReader(io.BytesIO(pdf_bytes(made)))
    assert len(reader.pages) >= 2
    last = reader.pages[-1].extract_text()
    assert f"{len(reader.pages)} / {len(reader.pages)}" in last
    # Printed for the report; the benchmark times it properly.
    print(f"transcript_pdf lines={made.lines} pages={len(reader.pages)} ms={elapsed_ms:.0f}")


@pytest.mark.parametrize(
    ("name", "language"),
    [("김민준", "ko"), ("สมชาย ใจดี", "th"), ("Ștefan Rădulescu", "ro")],
)
def test_korean_thai_and_romanian_names_and_labels_render(name, language):
    officer = MembershipFactory(user=UserFactory(full_name=name)).user
    complete_course(officer)

    made = transcript_made(officer=officer, actor=officer, language=language)

    text = pdf_text(pdf_bytes(made))
    assert name.replace(" ", "") in text.replace(" ", "")
    assert_real_glyphs(pdf_bytes(made), name)


# The public verify page.


def verify_url(made: Transcript) -> str:
    return reverse("reports:transcript_verify", kwargs={"token": made.verify_token})


def test_the_verify_page_shows_the_facts_and_only_those(client, made, officer):
    admin = admin_of(officer.memberships.get().agency)
    by_admin = transcript_made(officer=officer, actor=admin, language="en")

    response = client.get(verify_url(made))

    assert response.status_code == 200
    text = response.text
    for fact in (
        made.serial,
        officer.full_name,
        made.content_sha256,
        made.pdf_sha256,
        made.audit_head_hash,
        str(made.audit_head_id),
        str(made.lines),
        made.rendered_at.strftime("%Y-%m-%d %H:%M"),
        "The officer",
    ):
        assert fact in text, fact
    assert officer.email not in text
    assert officer.memberships.get().agency.name not in text
    assert "Course " not in text  # no line of the record itself
    admin_page = client.get(verify_url(by_admin)).text
    assert "Agency admin" in admin_page
    assert admin.full_name not in admin_page and admin.email not in admin_page


def test_an_unknown_token_is_404(client):
    response = client.get(reverse("reports:transcript_verify", kwargs={"token": "nope"}))

    assert response.status_code == 404


@override_settings(VERIFY_RATE_PER_MINUTE=2)
def test_the_verify_page_is_rate_limited_with_the_certificate_verify_limit(client, made):
    cache.clear()
    codes = [client.get(verify_url(made)).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


# The worker's part: idempotent, and failures shown where the requester looks.


def test_rendering_a_ready_transcript_again_leaves_it_alone(made):
    again = transcript_render(transcript_id=made.pk)

    assert (again.pdf.name, again.pdf_sha256, again.rendered_at) == (
        made.pdf.name,
        made.pdf_sha256,
        made.rendered_at,
    )
    assert AuditEvent.objects.filter(action="transcript.create").count() == 1


def test_a_requester_who_lost_access_before_the_worker_ran_gets_a_failed_transcript(officer):
    admin = admin_of(officer.memberships.get().agency)
    asked = transcript_request(officer=officer, actor=admin, language="en")
    admin.memberships.update(status=Membership.Status.LEFT)

    made = transcript_render(transcript_id=asked.pk)

    assert (made.status, made.pdf.name, made.lines) == (Transcript.Status.FAILED, "", 0)
    assert "no longer" in made.error
    assert AuditEvent.objects.get(action="transcript.fail").outcome == "failure"
    assert not AuditEvent.objects.filter(action="transcript.create").exists()


def test_the_outbox_giving_up_fails_the_transcript_and_sending_again_reopens_it(
    officer, settings, deliver_outbox
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    asked = transcript_request(officer=officer, actor=officer, language="ro")
    message = OutboxMessage.objects.get(payload={"transcript_id": asked.pk})
    # The signer is unavailable (its key file is missing): every attempt raises.
    settings.CERT_SIGNING_KEY = "/nonexistent/key.pem"

    deliver_outbox()

    asked.refresh_from_db()
    message.refresh_from_db()
    assert (message.status, asked.status) == (OutboxMessage.Status.FAILED, "failed")
    assert asked.error
    outbox_send_again(message=message, actor=staff_user())
    asked.refresh_from_db()
    assert (asked.status, asked.error) == (Transcript.Status.PENDING, "")


def test_a_transcript_still_being_made_has_no_verify_page(client, officer):
    asked = transcript_request(officer=officer, actor=officer, language="en")

    assert client.get(verify_url(asked)).status_code == 404
