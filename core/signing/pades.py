"""PAdES signatures on PDFs (pyHanko): baseline B-B, or B-T with an RFC 3161 timestamp when
CERT_TSA_URL is set, with a visible signature line. The key, certificate and signer are
loaded once per process and kept until the files change."""

import asyncio
import io
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from django.conf import settings
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

from core.signing.status import (
    SigningNotConfigured,
    signing_configured,
    signing_paths,
)

logger = logging.getLogger(__name__)

FIELD_NAME = "Signature"
# Bottom of an A4 page (PDF points, origin bottom left), clear of a 6 mm border.
DEFAULT_BOX = (80, 24, 520, 46)


class KeptKeySigner(signers.SimpleSigner):
    """A SimpleSigner holding the loaded private key. SimpleSigner.sign_raw deserialises the
    key from DER on every signature, which for RSA means checking the key again each time;
    this one signs with the key object it was given."""

    def __init__(self, *, private_key, **kwargs):
        super().__init__(**kwargs)
        self.private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algorithm = mechanism.signature_algo
        if algorithm == "ecdsa":
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            return self.private_key.sign(data, ec.ECDSA(hash_algorithm))
        if algorithm == "rsassa_pkcs1v15":
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            return self.private_key.sign(data, PKCS1v15(), hash_algorithm)
        if algorithm == "rsassa_pss":
            padding, hash_algorithm = process_pss_params(mechanism["parameters"])
            return self.private_key.sign(data, padding, hash_algorithm)
        raise SigningNotConfigured(f"Unsupported signing key type: {algorithm}")


@dataclass(frozen=True)
class LoadedSigner:
    signer: KeptKeySigner
    certificate: x509.Certificate
    files: tuple[tuple[str, int], ...]
    # Room for the CMS container in a B-B signature: the certificates it carries plus the
    # signature and signed attributes. Given, pyHanko skips signing a dummy container
    # first to measure it (a third of the signing time).
    bytes_reserved: int


_lock = threading.Lock()
_loaded: LoadedSigner | None = None
# How many times this process read the key and certificate (a test counts them).
load_count = 0


def load_private_key(path: str, password: str = ""):
    with open(path, "rb") as handle:
        key = serialization.load_pem_private_key(
            handle.read(), password=password.encode() if password else None
        )
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if not isinstance(key.curve, ec.SECP256R1 | ec.SECP384R1 | ec.SECP521R1):
            raise SigningNotConfigured(f"Unsupported EC curve {key.curve.name} in {path}")
    elif isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise SigningNotConfigured(f"RSA key of {key.key_size} bits in {path}")
    else:
        raise SigningNotConfigured(f"{path} is neither an EC (P-256, P-384, P-521) nor an RSA key")
    return key


def _load(files: tuple[tuple[str, int], ...]) -> LoadedSigner:
    global load_count
    key_path, cert_path, chain = signing_paths()
    private_key = load_private_key(key_path, settings.CERT_SIGNING_KEY_PASSWORD)
    with open(cert_path, "rb") as handle:
        certificate = x509.load_pem_x509_certificate(handle.read())
    if certificate.public_key().public_numbers() != private_key.public_key().public_numbers():
        raise SigningNotConfigured(f"{key_path} is not the key of the certificate {cert_path}")
    registry = SimpleCertificateStore()
    registry.register_multiple(list(load_certs_from_pemder(chain)))
    key_info = asn1_keys.PrivateKeyInfo.load(
        private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer = KeptKeySigner(
        private_key=private_key,
        signing_cert=load_cert_from_pemder(cert_path),
        signing_key=key_info,
        cert_registry=registry,
        # A verifier trusts a root it already holds; one inside the file proves nothing.
        embed_roots=False,
    )
    load_count += 1
    logger.debug("Loaded the PDF signing key and certificate %s", cert_path)
    certificates_size = len(signer.signing_cert.dump()) + sum(len(cert.dump()) for cert in registry)
    return LoadedSigner(
        signer=signer,
        certificate=certificate,
        files=files,
        # Hexadecimal in the file: two characters a byte.
        bytes_reserved=2 * (certificates_size + 2048),
    )


def loaded_signer() -> LoadedSigner:
    """The signer for the configured files, built once per process and again only when a
    file's path or modification time changes (a rotated key)."""
    global _loaded
    if not signing_configured():
        raise SigningNotConfigured(
            "CERT_SIGNING_KEY and CERT_SIGNING_CERT must name readable PEM files "
            "(development: manage.py signing_dev_keys)."
        )
    key, cert, chain = signing_paths()
    files = tuple((path, os.stat(path).st_mtime_ns) for path in (key, cert, *chain))
    current = _loaded
    if current is not None and current.files == files:
        return current
    with _lock:
        if _loaded is None or _loaded.files != files:
            _loaded = _load(files)
        return _loaded


class _PdfBytesPage(content.ImportedPdfPage):
    """pyHanko's ImportedPdfPage, read from bytes instead of a file name."""

    def __init__(self, data: bytes):
        self.data = data
        super().__init__(file_name=None)

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
        name = "/SignatureLine"
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode() + b" Do"


@lru_cache(maxsize=32)
def _stamp_pdf(text: str, width: float, height: float) -> bytes:
    """The signature line as a one-page PDF the size of the box, laid out by WeasyPrint so
    its font is embedded (PDF/A). The text changes once a day: cached."""
    from core.pdf import render_pdf

    return render_pdf(
        "core/pdf_signature_line.html",
        {"lines": text.splitlines(), "width": width, "height": height},
        language=settings.LANGUAGE_CODE,
    )


def _stamp_style(text: str, box: tuple[float, float, float, float]) -> StaticStampStyle:
    width, height = box[2] - box[0], box[3] - box[1]
    return StaticStampStyle(
        background=_PdfBytesPage(_stamp_pdf(text, width, height)),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


def sign_pdf(
    pdf: bytes,
    *,
    stamp_text: str,
    box: tuple[float, float, float, float] = DEFAULT_BOX,
    page: int = 0,
    reason: str = "",
    location: str = "",
) -> bytes:
    """The PDF with a PAdES signature appended as an incremental update (so a PDF/A file
    stays PDF/A), its visible line (stamp_text, already translated; one line or two) in box
    on page."""
    loaded = loaded_signer()
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
        name=loaded.certificate.subject.rfc4514_string(),
    )
    timestamper = (
        timestamps.HTTPTimeStamper(settings.CERT_TSA_URL) if settings.CERT_TSA_URL else None
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=loaded.signer,
        timestamper=timestamper,
        stamp_style=_stamp_style(stamp_text, box),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=FIELD_NAME, on_page=page, box=tuple(round(v) for v in box)
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    # With a timestamp the token's size is the TSA's business: let pyHanko measure.
    bytes_reserved = None if timestamper else loaded.bytes_reserved
    output = _outside_any_event_loop(
        lambda: pdf_signer.sign_pdf(writer, bytes_reserved=bytes_reserved, output=io.BytesIO())
    )
    return output.getvalue()


def _outside_any_event_loop(sign):
    """pyHanko's synchronous API calls asyncio.run(), which refuses to start inside a running
    event loop (an async view, or a test driving a browser with Playwright's sync API): there
    the signature is made on a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return sign()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pades") as pool:
        return pool.submit(sign).result()
