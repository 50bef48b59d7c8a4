"""manage.py signing_dev_keys: a development root and an EC P-256 signing certificate issued
by it, created once, and never with DEBUG off."""

import io
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import CommandError, call_command

from core.signing.keys import is_development_certificate


@pytest.fixture
def fresh_paths(settings, tmp_path):
    settings.DEBUG = True  # as in make run; pytest-django turns it off
    settings.CERT_SIGNING_KEY = str(tmp_path / "signing" / "dev-signing-key.pem")
    settings.CERT_SIGNING_CERT = str(tmp_path / "signing" / "dev-signing-cert.pem")
    settings.CERT_SIGNING_CHAIN = str(tmp_path / "signing" / "dev-root-cert.pem")
    return settings


def run(*args) -> str:
    output = io.StringIO()
    call_command("signing_dev_keys", *args, stdout=output)
    return output.getvalue()


def test_creates_a_development_root_and_a_p256_signing_certificate_it_issued(fresh_paths):
    run()

    root = x509.load_pem_x509_certificate(Path(fresh_paths.CERT_SIGNING_CHAIN).read_bytes())
    certificate = x509.load_pem_x509_certificate(Path(fresh_paths.CERT_SIGNING_CERT).read_bytes())
    assert "development root" in root.subject.rfc4514_string()
    assert "development signing certificate" in certificate.subject.rfc4514_string()
    assert root.subject == root.issuer
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    certificate.verify_directly_issued_by(root)
    assert isinstance(certificate.public_key().curve, ec.SECP256R1)
    assert is_development_certificate(certificate)
    assert Path(fresh_paths.CERT_SIGNING_KEY).stat().st_mode & 0o077 == 0


def test_a_second_run_changes_nothing(fresh_paths):
    run()
    before = Path(fresh_paths.CERT_SIGNING_CERT).read_bytes()

    assert "present" in run()
    assert Path(fresh_paths.CERT_SIGNING_CERT).read_bytes() == before


def test_dry_run_writes_nothing(fresh_paths):
    assert "Would create" in run("--dry-run")
    assert not Path(fresh_paths.CERT_SIGNING_CERT).exists()


def test_never_with_debug_off(fresh_paths):
    fresh_paths.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        run()
    assert not Path(fresh_paths.CERT_SIGNING_KEY).exists()


def test_signing_status_shows_the_configuration(fresh_paths):
    run()
    output = io.StringIO()
    call_command("signing_status", stdout=output)

    assert "configured: True" in output.getvalue()
    assert "level: PAdES-B" in output.getvalue()
    assert "development signing certificate" in output.getvalue()
