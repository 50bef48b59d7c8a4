"""Development signing keys: a self-signed development root CA and an EC P-256 signing
certificate issued by it, written as PEM files. Never used when DEBUG is off."""

import fcntl
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEVELOPMENT_MARKER = "development"
DEV_ROOT_NAME = "Crypto Cops development root — not for production"
DEV_SIGNING_NAME = "Crypto Cops development signing certificate"
DEV_ORGANISATION = "Crypto Cops (development)"


def is_development_certificate(certificate: x509.Certificate) -> bool:
    """The development certificates say so in their subject or issuer."""
    names = (certificate.subject.rfc4514_string(), certificate.issuer.rfc4514_string())
    return any(DEVELOPMENT_MARKER in name.lower() for name in names)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANISATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Not for production"),
        ]
    )


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    # Write beside, then rename: a reader never sees half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    if private:
        partial.chmod(0o600)
    os.replace(partial, path)


def dev_keys_create(*, key_path: Path, cert_path: Path, root_path: Path) -> bool:
    """Create the development root and signing certificate unless both the key and the
    certificate exist. True when it created them. Safe when several processes (the test
    suite's workers) ask at once: a lock file serialises them."""
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    with open(cert_path.parent / ".signing-dev-keys.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if key_path.exists() and cert_path.exists():
            return False
        now = datetime.now(UTC)
        root_key = ec.generate_private_key(ec.SECP256R1())
        root = (
            x509.CertificateBuilder()
            .subject_name(_name(DEV_ROOT_NAME))
            .issuer_name(_name(DEV_ROOT_NAME))
            .public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False
            )
            .sign(root_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(DEV_SIGNING_NAME))
            .issuer_name(root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3 * 365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                critical=False,
            )
            .sign(root_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        # The root's key is kept only so the set stays a real CA; nothing reads it.
        _write(root_path.with_name("dev-root-key.pem"), _pem_key(root_key), private=True)
        _write(root_path, root.public_bytes(pem))
        _write(key_path, _pem_key(key), private=True)
        _write(cert_path, certificate.public_bytes(pem))
        return True
