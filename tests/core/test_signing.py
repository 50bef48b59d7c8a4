"""PAdES signing (core.signing): what a recipient's validator and poppler's pdfsig say, what
a changed byte does, the key loaded once per process, B-T with a real local RFC 3161 TSA."""

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel

from core import signing
from core.pdf import render_pdf
from core.signing import pades
from tests.core.signing import (
    dev_root,
    issue_certificate,
    pdfsig,
    validate,
    with_one_byte_changed_in_a_content_stream,
    write_key_and_certificate,
)

LINE = "Digitally signed by Crypto Cops Training Programme on 4 December 2026"


@pytest.fixture(scope="module")
def unsigned_pdf() -> bytes:
    return render_pdf(
        "core/pdf_signature_line.html",
        {"lines": ["A document"], "width": 842, "height": 595},
        language="en",
        pdf_variant="pdf/a-3b",
    )


def test_signed_pdf_is_intact_trusted_and_covers_the_whole_file(unsigned_pdf):
    signed = signing.sign_pdf(unsigned_pdf, stamp_text=LINE, reason="Test", location="Here")

    embedded, status = validate(signed)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.sig_object["/Reason"] == "Test"
    # B-B: no signature timestamp.
    assert status.timestamp_validity is None


def test_pdfsig_says_the_signature_is_valid(unsigned_pdf):
    report = pdfsig(signing.sign_pdf(unsigned_pdf, stamp_text=LINE))

    assert "Signature is Valid." in report
    assert "ETSI.CAdES.detached" in report
    assert "Total document signed" in report


def test_signing_works_inside_a_running_event_loop(unsigned_pdf):
    """pyHanko's sync API calls asyncio.run(); an async view (or a browser test driving
    Playwright) calls sign_pdf with a loop running."""

    async def sign_from_async_code() -> bytes:
        return signing.sign_pdf(unsigned_pdf, stamp_text=LINE)

    assert "Signature is Valid." in pdfsig(asyncio.run(sign_from_async_code()))


def test_one_changed_byte_fails_the_validator_and_pdfsig(unsigned_pdf):
    tampered = with_one_byte_changed_in_a_content_stream(
        signing.sign_pdf(unsigned_pdf, stamp_text=LINE)
    )

    try:
        _, status = validate(tampered)
        intact = status.intact and status.valid
    except SignatureValidationError:
        intact = False
    assert not intact
    assert "Signature is Valid." not in pdfsig(tampered)


def test_the_signature_line_is_a_visible_printed_widget_in_the_given_box(unsigned_pdf):
    signed = signing.sign_pdf(unsigned_pdf, stamp_text=LINE, box=(100, 30, 500, 50))

    embedded, _ = validate(signed)
    widget = embedded.sig_field
    assert [int(value) for value in widget["/Rect"]] == [100, 30, 500, 50]
    assert int(widget["/F"]) & 4  # printed
    appearance = widget["/AP"]["/N"]
    fonts = []
    for xobject in appearance["/Resources"]["/XObject"].values():
        for font in xobject.get_object()["/Resources"]["/Font"].values():
            fonts.append(font.get_object())
    # Embedded (PDF/A), not a standard font the viewer substitutes.
    assert fonts
    assert all("/FontFile2" in font["/DescendantFonts"][0]["/FontDescriptor"] for font in fonts)


def test_signer_and_key_are_loaded_once_across_signatures(unsigned_pdf, monkeypatch):
    signing.loaded_signer()
    loads_before = pades.load_count
    # pyHanko's SimpleSigner deserialises (and for RSA re-checks) its key on every signature;
    # ours must not deserialise it at all.
    deserialised = []
    original = serialization.load_der_private_key
    monkeypatch.setattr(
        serialization,
        "load_der_private_key",
        lambda *args, **kwargs: deserialised.append(1) or original(*args, **kwargs),
    )

    for _ in range(3):
        signing.sign_pdf(unsigned_pdf, stamp_text=LINE)

    assert pades.load_count == loads_before
    assert deserialised == []


def test_an_rsa_key_signs_and_is_loaded_once(unsigned_pdf, settings, tmp_path):
    root, root_key = dev_root()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = issue_certificate(
        common_name="RSA signing", public_key=key.public_key(), issuer=root, issuer_key=root_key
    )
    for name, value in write_key_and_certificate(tmp_path, key, certificate).items():
        setattr(settings, name, value)
    loads_before = pades.load_count

    first = signing.sign_pdf(unsigned_pdf, stamp_text=LINE)
    signing.sign_pdf(unsigned_pdf, stamp_text=LINE)

    assert pades.load_count == loads_before + 1
    _, status = validate(first)
    assert status.intact and status.valid and status.trusted
    assert "Signature is Valid." in pdfsig(first)


def test_a_replaced_key_file_is_loaded_again(unsigned_pdf, settings, tmp_path):
    root, root_key = dev_root()
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = issue_certificate(
        common_name="Rotated", public_key=key.public_key(), issuer=root, issuer_key=root_key
    )
    for name, value in write_key_and_certificate(tmp_path, key, certificate).items():
        setattr(settings, name, value)
    signing.sign_pdf(unsigned_pdf, stamp_text=LINE)
    loads_before = pades.load_count

    newer = ec.generate_private_key(ec.SECP256R1())
    write_key_and_certificate(
        tmp_path,
        newer,
        issue_certificate(
            common_name="Rotated again",
            public_key=newer.public_key(),
            issuer=root,
            issuer_key=root_key,
        ),
    )
    signed = signing.sign_pdf(unsigned_pdf, stamp_text=LINE)

    assert pades.load_count == loads_before + 1
    embedded, _ = validate(signed)
    assert embedded.signer_cert.subject.native["common_name"] == "Rotated again"


def test_signing_without_a_configured_key_says_so(unsigned_pdf, settings):
    settings.CERT_SIGNING_KEY = ""

    assert not signing.signing_configured()
    with pytest.raises(signing.SigningNotConfigured):
        signing.sign_pdf(unsigned_pdf, stamp_text=LINE)


def test_status_reports_the_configuration_without_secrets(settings):
    settings.CERT_TSA_URL = ""
    status = signing.signing_status()

    assert status["configured"] is True
    assert status["level"] == "PAdES-B-B"
    assert "development" in status["subject"]
    assert not any("PRIVATE KEY" in str(value) for value in status.values())


@pytest.fixture
def local_tsa():
    """An RFC 3161 time-stamping authority over HTTP on a free local port: pyHanko's
    DummyTimeStamper with a TSA certificate issued by the development root."""
    root, root_key = dev_root()
    # pyHanko's dummy TSA signs with RSA only.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = issue_certificate(
        common_name="Local test TSA",
        public_key=key.public_key(),
        issuer=root,
        issuer_key=root_key,
        extended_usage=ExtendedKeyUsageOID.TIME_STAMPING,
    )
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append(request)
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", requests
    server.shutdown()
    server.server_close()


def test_with_a_tsa_url_the_signature_is_b_t(unsigned_pdf, settings, local_tsa):
    url, requests = local_tsa
    settings.CERT_TSA_URL = url

    signed = signing.sign_pdf(unsigned_pdf, stamp_text=LINE)

    assert signing.signing_level() == "PAdES-B-T"
    assert requests
    _, status = validate(signed)
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted
    assert "Signature is Valid." in pdfsig(signed)


def test_an_encrypted_key_under_an_intermediate_validates_from_the_embedded_chain(
    unsigned_pdf, settings, tmp_path
):
    root, root_key = dev_root()
    intermediate_key = ec.generate_private_key(ec.SECP256R1())
    intermediate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Issuing CA")]))
        .issuer_name(root.subject)
        .public_key(intermediate_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(root.not_valid_before_utc)
        .not_valid_after(root.not_valid_after_utc)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = issue_certificate(
        common_name="Issued by the intermediate",
        public_key=key.public_key(),
        issuer=intermediate,
        issuer_key=intermediate_key,
    )
    paths = write_key_and_certificate(tmp_path, key, certificate)
    Path(paths["CERT_SIGNING_KEY"]).write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"correct horse"),
        )
    )
    chain = tmp_path / "chain.pem"
    chain.write_bytes(intermediate.public_bytes(serialization.Encoding.PEM))
    for name, value in paths.items():
        setattr(settings, name, value)
    settings.CERT_SIGNING_CHAIN = str(chain)
    settings.CERT_SIGNING_KEY_PASSWORD = "correct horse"

    signed = signing.sign_pdf(unsigned_pdf, stamp_text=LINE)

    # Only the root is trusted: the intermediate must come from the signature itself.
    _, status = validate(signed)
    assert status.intact and status.valid and status.trusted
    assert "Signature is Valid." in pdfsig(signed)
