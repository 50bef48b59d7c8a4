"""The OpenBadgeCredential of a certificate: its claims, the hashed (never raw) email, the two
status entries, the OB 3.0 JSON Schema, the proof against our published keys, key rotation,
the deploy check and the development key command, and no network on the way."""

import copy
import hashlib
import json
import socket
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from jsonschema import Draft201909Validator

from certificates.badges import credential as badges
from certificates.badges.keys import (
    issuer_id,
    load_key_file,
    published_keys,
    resolve_published_key,
    signing_key,
    signing_key_create,
)
from certificates.badges.statuslist import status_list_credential
from certificates.models import Certificate
from core.jsonld.dataintegrity import ProofError
from tests.certificates.badges_helpers import issued_certificate
from tests.factories import CertificateFactory, CourseFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "ob_v3p0_achievementcredential_schema.json").read_text()
)
SITE = "https://training.example.org"


@pytest.fixture(autouse=True)
def _https_site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def certificate():
    user = UserFactory(email="Officer.Kim@Police.Example.KR")
    course = CourseFactory(title="Tracing Bitcoin", summary="Follow coins across addresses.")
    enrollment = EnrollmentFactory(user=user, course=course)
    return issued_certificate(
        enrollment=enrollment,
        hours=6.5,
        issued_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        valid_until=datetime(2028, 12, 1, 9, 30, tzinfo=UTC),
    )


def test_credential_has_the_open_badges_shape(certificate):
    document = badges.credential_for(certificate)
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["id"].startswith("urn:uuid:")
    assert document["issuer"] == {
        "id": f"{SITE}/credentials/issuer.json",
        "type": ["Profile"],
        "name": "Crypto Crime Training Programme",
        "url": SITE,
    }
    assert document["validFrom"] == "2026-12-01T09:30:00Z"
    assert document["validUntil"] == "2028-12-01T09:30:00Z"
    assert document["name"] == "Tracing Bitcoin"
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["id"] == f"{SITE}/courses/{certificate.course.slug}/"
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Tracing Bitcoin"
    assert achievement["description"] == "Follow coins across addresses."
    assert achievement["criteria"]["narrative"]
    assert achievement["creditsAvailable"] == 6.5
    [proof] = document["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == signing_key().url
    assert proof["verificationMethod"].startswith(f"{SITE}/credentials/keys/z6Mk")


def test_holder_is_a_salted_email_hash_never_the_address(certificate):
    document = badges.credential_for(certificate)
    [identity] = document["credentialSubject"]["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True
    salt = identity["salt"]
    assert len(salt) == 32
    expected = hashlib.sha256(("officer.kim@police.example.kr" + salt).encode()).hexdigest()
    assert identity["identityHash"] == "sha256$" + expected
    text = json.dumps(document).lower()
    assert "officer.kim" not in text
    assert "police.example" not in text
    assert "id" not in document["credentialSubject"]


def test_salt_is_stable_per_serial_and_differs_between_certificates(certificate):
    first = badges.unsigned_credential(certificate)["credentialSubject"]["identifier"][0]
    again = badges.unsigned_credential(certificate)["credentialSubject"]["identifier"][0]
    other = issued_certificate(user=certificate.user, course=certificate.course)
    third = badges.unsigned_credential(other)["credentialSubject"]["identifier"][0]
    assert first == again
    assert first["salt"] != third["salt"]
    assert first["identityHash"] != third["identityHash"]


def test_two_status_entries_point_at_the_two_lists(certificate):
    entries = badges.credential_for(certificate)["credentialStatus"]
    assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
    for entry, purpose in zip(entries, ["revocation", "suspension"], strict=True):
        status_list = getattr(certificate, f"{purpose}_list")
        url = f"{SITE}/credentials/status/{status_list.slug}.json"
        index = getattr(certificate, f"{purpose}_index")
        assert entry == {
            "id": f"{url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": index,
            "statusListCredential": url,
        }
        assert isinstance(entry["statusListIndex"], str)


def test_no_expiry_means_no_valid_until(certificate):
    certificate.valid_until = None
    assert "validUntil" not in badges.credential_for(certificate)


def test_pending_certificate_takes_the_issue_time_it_is_given():
    certificate = CertificateFactory()
    assert certificate.status == Certificate.Status.PENDING
    with pytest.raises(badges.CredentialUnavailable):
        badges.credential_for(certificate)
    moment = datetime(2026, 12, 4, 20, 0, 5, 123456, tzinfo=UTC)
    document = badges.credential_for(certificate, issued_at=moment)
    assert document["validFrom"] == "2026-12-04T20:00:05Z"
    badges.credential_verify(document)


def test_schema_accepts_the_credential_except_the_second_status_entry(certificate):
    """OB 3.0's schema allows one credentialStatus object; we publish two entries (revocation
    and suspension) as VC 2.0 allows. Nothing else may differ from the schema."""
    document = badges.credential_for(certificate)
    validator = Draft201909Validator(SCHEMA, format_checker=Draft201909Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(document))
    assert [error.json_path for error in errors] == ["$.credentialStatus"]
    assert errors[0].validator == "type"
    entry_schema = {**SCHEMA["$defs"]["CredentialStatus"], "$defs": SCHEMA["$defs"]}
    for entry in document["credentialStatus"]:
        Draft201909Validator(entry_schema).validate(entry)
    one_entry = {**document, "credentialStatus": document["credentialStatus"][0]}
    validator.validate(one_entry)


def test_round_trip_verifies_and_a_changed_field_fails(certificate):
    document = badges.credential_for(certificate)
    badges.credential_verify(json.loads(json.dumps(document)))
    changes = [
        ("name",),
        ("credentialSubject", "achievement", "creditsAvailable"),
        ("credentialSubject", "identifier", 0, "identityHash"),
        ("credentialStatus", 0, "statusListIndex"),
        ("validUntil",),
    ]
    for path in changes:
        tampered = copy.deepcopy(document)
        target = tampered
        for step in path[:-1]:
            target = target[step]
        value = target[path[-1]]
        target[path[-1]] = value + 1 if isinstance(value, float) else "2099-01-01T00:00:00Z"
        with pytest.raises(ProofError):
            badges.credential_verify(tampered)


def test_a_proof_naming_a_key_we_do_not_publish_fails(certificate):
    document = badges.credential_for(certificate)
    document["proof"][0]["verificationMethod"] = f"{SITE}/credentials/keys/z6Mkother.json"
    with pytest.raises(ProofError):
        badges.credential_verify(document)


def test_rotated_key_stays_published_and_old_credentials_verify(certificate, settings, tmp_path):
    old = badges.credential_for(certificate)
    old_method = old["proof"][0]["verificationMethod"]
    new_path = tmp_path / "new.pem"
    signing_key_create(new_path)
    previous = settings.OB_SIGNING_KEY
    settings.OB_SIGNING_KEY = str(new_path)
    with pytest.raises(ProofError):
        badges.credential_verify(old)
    settings.OB_PUBLISHED_KEYS = [previous]
    assert [key.url for key in published_keys()][1] == old_method
    badges.credential_verify(old)
    new = badges.credential_for(certificate)
    assert new["proof"][0]["verificationMethod"] != old_method
    badges.credential_verify(new)
    assert resolve_published_key(old_method)


def test_issuer_id_is_the_published_profile():
    assert issuer_id() == f"{SITE}/credentials/issuer.json"


def test_badge_dev_key_creates_once_and_never_overwrites(settings, tmp_path):
    path = tmp_path / "signing" / "dev.pem"
    settings.OB_SIGNING_KEY = str(path)
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("badge_dev_key")
    settings.DEBUG = True
    call_command("badge_dev_key", "--dry-run")
    assert not path.exists()
    call_command("badge_dev_key")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    key_id = load_key_file(path).key_id
    call_command("badge_dev_key")
    assert load_key_file(path).key_id == key_id


def test_missing_signing_key_is_a_clear_error(settings, tmp_path):
    settings.OB_SIGNING_KEY = str(tmp_path / "absent.pem")
    with pytest.raises(ImproperlyConfigured, match="badge_dev_key"):
        signing_key()


def _deploy_errors() -> set[str]:
    return {
        message.id
        for message in run_checks(include_deployment_checks=True)
        if message.id and message.id.startswith("certificates.")
    }


def test_deploy_check_fails_without_a_usable_key(settings, tmp_path):
    settings.DEBUG = False
    settings.OB_SIGNING_KEY = ""
    assert "certificates.E001" in _deploy_errors()
    settings.OB_SIGNING_KEY = str(tmp_path / "absent.pem")
    assert "certificates.E001" in _deploy_errors()
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    settings.OB_SIGNING_KEY = str(garbage)
    assert "certificates.E001" in _deploy_errors()
    good = tmp_path / "good.pem"
    signing_key_create(good)
    settings.OB_SIGNING_KEY = str(good)
    assert _deploy_errors() == set()
    settings.SITE_URL = "http://training.example.org"
    assert _deploy_errors() == {"certificates.E003"}


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_signing_and_verifying_never_touch_the_network(certificate, no_network):
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 443))
    document = badges.credential_for(certificate, now=datetime.now(UTC) + timedelta(seconds=1))
    badges.credential_verify(document)
    status_list = status_list_credential(certificate.revocation_list)
    badges.credential_verify(status_list)


def test_credential_json_for_the_pdf_is_the_signed_credential(certificate):
    data = badges.credential_json(certificate)
    document = json.loads(data.decode())
    badges.credential_verify(document)
    assert document["id"] == badges.credential_id(certificate)


def test_badge_verify_command_checks_a_file_offline(certificate, tmp_path, no_network):
    path = tmp_path / "credential.json"
    path.write_bytes(badges.credential_json(certificate))
    out = StringIO()
    call_command("badge_verify", str(path), stdout=out)
    assert "Verified" in out.getvalue()
    assert "revocation bit" in out.getvalue()
    public = tmp_path / "public.pem"
    public.write_bytes(
        signing_key().public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    call_command("badge_verify", str(path), "--key", str(public), stdout=StringIO())
    document = json.loads(path.read_text())
    document["name"] = "Forged"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="NOT VERIFIED"):
        call_command("badge_verify", str(path), stdout=StringIO())


def test_key_creation_racing_processes_keep_one_whole_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "race" / "key.pem"
    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(lambda _: signing_key_create(path), range(16)))
    assert created.count(True) == 1
    assert load_key_file(path).private_key is not None
    assert [p.name for p in path.parent.iterdir()] == ["key.pem"]
