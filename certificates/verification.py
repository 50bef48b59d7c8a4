"""Checking the stored certificate PDFs as a recipient would, for every certificate at once:
after a restore, or whenever storage is in doubt (manage.py certificates_verify). A PDF must
be in storage, hash to the SHA-256 its row (and the verify page) gives, carry an intact,
valid and trusted PAdES signature, and carry an Open Badges credential whose proof verifies
against the keys this site publishes and which names this certificate."""

import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certificates.badges.credential import credential_id, credential_verify
from certificates.models import Certificate
from core.jsonld.dataintegrity import ProofError

CREDENTIAL_FILE = "credential.json"


@dataclass
class CertificateCheck:
    certificate: Certificate
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def trust_roots(extra: tuple[str, ...] = ()) -> list:
    """The certificates a signature may chain to: the configured signing certificate and its
    chain (the development root, or production's intermediates and root), plus any given."""
    paths = [settings.CERT_SIGNING_CERT, settings.CERT_SIGNING_CHAIN, *extra]
    return list(load_certs_from_pemder([path for path in paths if path]))


def certificates_with_pdf() -> QuerySet[Certificate]:
    """Every certificate that has a stored PDF, whatever its status now."""
    return (
        Certificate.objects.exclude(pdf="")
        .select_related("user", "course", "revocation_list", "suspension_list")
        .defer("revocation_list__bits", "suspension_list__bits")
        .order_by("pk")
    )


def _attached_credential(reader: PdfFileReader) -> dict | None:
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return None
    for index in range(0, len(names) - 1, 2):
        if str(names[index]) == CREDENTIAL_FILE:
            stream = names[index + 1]["/EF"]["/F"]
            return json.loads(stream.data)
    return None


def _signature_problems(reader: PdfFileReader, context: ValidationContext) -> list[str]:
    signatures = reader.embedded_signatures
    if len(signatures) != 1:
        return [f"it carries {len(signatures)} signatures, not one"]
    status = validate_pdf_signature(
        signatures[0], signer_validation_context=context, ts_validation_context=context
    )
    problems = []
    if not (status.intact and status.valid):
        problems.append("its PAdES signature does not match its content")
    elif not status.trusted:
        problems.append("its signer does not chain to a trusted root")
    return problems


def _credential_problems(reader: PdfFileReader, certificate: Certificate) -> list[str]:
    try:
        document = _attached_credential(reader)
    except (ValueError, KeyError, TypeError):
        return [f"its attached {CREDENTIAL_FILE} cannot be read"]
    if document is None:
        return [f"it has no attached {CREDENTIAL_FILE}"]
    try:
        credential_verify(document)
    except (ProofError, ValueError) as error:
        return [f"its credential's proof does not verify: {error}"]
    if document.get("id") != credential_id(certificate):
        return [f"its credential is {document.get('id')}, not this certificate's"]
    return []


def certificate_check(
    certificate: Certificate, *, context: ValidationContext | None = None
) -> CertificateCheck:
    """Every problem of one certificate's stored PDF; none means it verifies."""
    check = CertificateCheck(certificate)
    try:
        with certificate.pdf.storage.open(certificate.pdf.name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        check.problems.append(f"its PDF {certificate.pdf.name} is not in storage")
        return check
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 != certificate.pdf_sha256:
        check.problems.append(
            f"its PDF hashes to {sha256}, its record says {certificate.pdf_sha256}"
        )
    try:
        reader = PdfFileReader(io.BytesIO(data))
    except (PdfReadError, ValueError) as error:
        check.problems.append(f"its PDF cannot be read: {error}")
        return check
    context = context or ValidationContext(trust_roots=trust_roots())
    check.problems += _signature_problems(reader, context)
    check.problems += _credential_problems(reader, certificate)
    return check


def certificates_check(*, extra_roots: tuple[str, ...] = ()) -> Iterator[CertificateCheck]:
    """certificate_check for every certificate with a PDF, one trust context for all."""
    context = ValidationContext(trust_roots=trust_roots(extra_roots))
    for certificate in certificates_with_pdf().iterator(chunk_size=200):
        yield certificate_check(certificate, context=context)
