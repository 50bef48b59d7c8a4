"""Checking PDF signatures the way a recipient would (pyHanko's validator, poppler's
pdfsig), and making keys and certificates for tests."""

import io
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def dev_root_path() -> Path:
    return Path(settings.CERT_SIGNING_CHAIN)


def dev_root() -> tuple[x509.Certificate, object]:
    """The development root's certificate and key (created by signing_dev_keys)."""
    path = dev_root_path()
    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    key = serialization.load_pem_private_key(
        path.with_name("dev-root-key.pem").read_bytes(), password=None
    )
    return certificate, key


def issue_certificate(
    *,
    common_name: str,
    public_key,
    issuer: x509.Certificate | None,
    issuer_key,
    extended_usage=ExtendedKeyUsageOID.EMAIL_PROTECTION,
    days: int = 30,
    not_before: datetime | None = None,
) -> x509.Certificate:
    """An end-entity certificate; issuer None makes it self-signed."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Police Academy"),
        ]
    )
    start = not_before or datetime.now(UTC) - timedelta(days=1)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=extended_usage != ExtendedKeyUsageOID.TIME_STAMPING,
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
            x509.ExtendedKeyUsage([extended_usage]),
            critical=extended_usage == ExtendedKeyUsageOID.TIME_STAMPING,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def write_key_and_certificate(directory: Path, key, certificate: x509.Certificate) -> dict:
    """The PEM files, as the settings that name them."""
    key_path, cert_path = directory / "key.pem", directory / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return {"CERT_SIGNING_KEY": str(key_path), "CERT_SIGNING_CERT": str(cert_path)}


def production_like_settings(directory: Path) -> dict:
    """A self-signed EC P-256 certificate that is not the development one."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = issue_certificate(
        common_name="Example Police Academy signing",
        public_key=key.public_key(),
        issuer=None,
        issuer_key=key,
    )
    return write_key_and_certificate(directory, key, certificate) | {"CERT_SIGNING_CHAIN": ""}


def validate(pdf: bytes, *, extra_roots=()):
    """pyHanko's verdict on the only signature, trusting the development root."""
    roots = [load_cert_from_pemder(str(dev_root_path())), *extra_roots]
    context = ValidationContext(trust_roots=roots)
    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    status = validate_pdf_signature(
        embedded, signer_validation_context=context, ts_validation_context=context
    )
    return embedded, status


def pdfsig(pdf: bytes) -> str:
    """poppler's report. Its exit code is 0 even when the digest does not match."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        result = subprocess.run(
            ["pdfsig", handle.name],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    return result.stdout + result.stderr


def with_one_byte_changed_in_a_content_stream(pdf: bytes) -> bytes:
    """The first page's content stream (signed, inside the first byte range) with one byte
    of its data changed."""
    reader = PdfFileReader(io.BytesIO(pdf))
    reference = reader.root["/Pages"]["/Kids"][0].raw_get("/Contents")
    header = pdf.index(b"\n%d 0 obj" % reference.idnum) + 1
    start = pdf.index(b"stream", header) + len(b"stream") + 10
    assert start < pdf.index(b"/ByteRange")
    changed = bytearray(pdf)
    changed[start] ^= 0x01
    return bytes(changed)


def production_keys_environment(directory: Path) -> dict:
    """Every signing key `check --deploy` asks for, as environment variables: the PDF signing
    key and certificate, and an Ed25519 key for Open Badges (OB_SIGNING_KEY)."""
    badge_key = directory / "ob-signing.pem"
    badge_key.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return production_like_settings(directory) | {"OB_SIGNING_KEY": str(badge_key)}
