"""The certificate PDF as a recipient gets it: PAdES-signed (pyHanko's validator and pdfsig
agree), PDF/A-3b, the Open Badges credential attached, the signing recorded in the audit."""

import io
import json
import re
from datetime import UTC, datetime

import pytest
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pypdf import PdfReader

from accounts.models import AuditEvent
from certificates.badges import credential as badges
from certificates.rendering import SIGNATURE_BOX, render_certificate_pdf, signature_line
from certificates.services import certificate_render
from tests.certificates.pdf import pdf_facts
from tests.core.signing import pdfsig, validate, with_one_byte_changed_in_a_content_stream
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

CREDENTIAL = json.dumps(
    {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
).encode()


@pytest.fixture
def signed_pdf() -> bytes:
    return render_certificate_pdf(CertificateFactory(), credential_json=CREDENTIAL)


def test_certificate_pdf_is_signed_intact_trusted_over_the_whole_file(signed_pdf):
    embedded, status = validate(signed_pdf)

    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert "Signature is Valid." in pdfsig(signed_pdf)
    assert [int(value) for value in embedded.sig_field["/Rect"]] == list(SIGNATURE_BOX)


def test_a_certificate_pdf_with_one_byte_changed_fails_both_checks(signed_pdf):
    tampered = with_one_byte_changed_in_a_content_stream(signed_pdf)

    _, status = validate(tampered)
    assert not (status.intact and status.valid)
    assert "Signature is Valid." not in pdfsig(tampered)


def test_the_credential_is_attached_as_json_ld_data(signed_pdf):
    reader = PdfReader(io.BytesIO(signed_pdf))

    assert reader.attachments == {"credential.json": [CREDENTIAL]}
    root = reader.trailer["/Root"]
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    filespec = names[1].get_object()
    assert names[0] == "credential.json"
    assert filespec["/AFRelationship"] == "/Data"
    assert filespec["/EF"]["/F"].get_object()["/Subtype"] == "/application/ld+json"
    assert filespec.indirect_reference in [item.indirect_reference for item in root["/AF"]]


def test_the_pdf_declares_pdf_a_3b(signed_pdf):
    reader = PdfReader(io.BytesIO(signed_pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()

    assert re.search(r"pdfaid:part(>|=\")3", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert reader.trailer["/Root"]["/OutputIntents"]


def test_without_a_credential_nothing_is_attached():
    pdf = render_certificate_pdf(CertificateFactory())

    assert PdfReader(io.BytesIO(pdf)).attachments == {}
    _, status = validate(pdf)
    assert status.intact and status.trusted


def test_the_signature_line_names_the_issuer_and_the_date(settings):
    settings.CERT_ISSUER_NAME = "Example Police Academy"

    line = signature_line(signed_at=datetime(2026, 12, 4, 12, tzinfo=UTC))

    assert line == "Digitally signed by Example Police Academy on 4 December 2026"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ko", "2026년 12월 4일에 디지털 서명함"),
        ("th", "ลงนามดิจิทัลโดย"),
        ("ro", "Semnat digital de"),
    ],
)
def test_the_signature_line_is_bilingual_for_a_holder_reading_another_language(language, expected):
    english, local = signature_line(
        signed_at=datetime(2026, 12, 4, 12, tzinfo=UTC), language=language
    ).splitlines()

    assert english.startswith("Digitally signed by")
    assert expected in local


@pytest.mark.parametrize("language", ["", "en", "de"])
def test_the_signature_line_stays_english_without_a_translation(language):
    line = signature_line(signed_at=datetime(2026, 12, 4, 12, tzinfo=UTC), language=language)

    assert line.splitlines() == [line]


def test_issuing_stores_the_signed_pdf_and_audits_the_signing(officer, course, settings):
    settings.CERT_TSA_URL = ""
    certificate = CertificateFactory(enrollment__user=officer, enrollment__course=course)

    issued = certificate_render(certificate_id=certificate.pk)

    pdf = issued.pdf.read()
    _, status = validate(pdf)
    assert status.intact and status.trusted
    assert issued.serial in pdf_facts(pdf)["text"]
    details = AuditEvent.objects.get(action="certificate.issue").details
    assert details["signed"] == "PAdES-B-B"
    assert details["signed_at"] == issued.issued_at.isoformat()
    # The certificate's own Open Badges credential is inside, and verifies.
    (attached,) = PdfReader(io.BytesIO(pdf)).attachments["credential.json"]
    credential = json.loads(attached)
    badges.credential_verify(credential)
    assert credential["id"] == badges.credential_id(issued)
    assert credential["validFrom"].startswith(f"{issued.issued_at:%Y-%m-%dT%H:%M:%S}")
