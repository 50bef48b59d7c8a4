"""manage.py certificates_verify: a stored PDF that hashes as recorded, carries its intact
signature and its credential verifies; one changed byte, a missing file or another
certificate's PDF does not."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from certificates.badges.credential import credential_id
from certificates.verification import certificate_check
from tests.certificates.issuing import issued_certificate
from tests.core.signing import with_one_byte_changed_in_a_content_stream
from tests.factories import MembershipFactory, UserFactory, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    return issued_certificate(MembershipFactory(user=UserFactory()).user)


def verify() -> str:
    out = io.StringIO()
    call_command("certificates_verify", stdout=out, stderr=out)
    return out.getvalue()


def replace_pdf(certificate, data: bytes) -> None:
    storage, name = certificate.pdf.storage, certificate.pdf.name
    storage.delete(name)
    assert storage.save(name, ContentFile(data)) == name


def test_an_issued_certificate_verifies(certificate):
    assert "1 certificates verify" in verify()


def test_a_pdf_with_one_byte_changed_fails_its_hash_and_signature(certificate):
    with certificate.pdf.open("rb") as handle:
        replace_pdf(certificate, with_one_byte_changed_in_a_content_stream(handle.read()))

    with pytest.raises(CommandError, match="1 of 1 certificates do not verify"):
        verify()
    problems = certificate_check(certificate).problems
    assert problems[0].startswith("its PDF hashes to")
    assert "its PAdES signature does not match its content" in problems


def test_another_certificates_pdf_fails_its_hash_and_credential(certificate):
    course = build_course(modules=1, lessons_per_module=1, questions=1)
    other = issued_certificate(MembershipFactory(user=UserFactory()).user, course)
    with other.pdf.open("rb") as handle:
        replace_pdf(certificate, handle.read())

    problems = certificate_check(certificate).problems

    assert problems[0].startswith("its PDF hashes to")
    assert problems[1:] == [f"its credential is {credential_id(other)}, not this certificate's"]


def test_a_missing_pdf_fails(certificate):
    certificate.pdf.storage.delete(certificate.pdf.name)

    assert certificate_check(certificate).problems == [
        f"its PDF {certificate.pdf.name} is not in storage"
    ]
