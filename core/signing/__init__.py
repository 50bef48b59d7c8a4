"""PDF signing for every app: PAdES signatures (pades), development keys (keys) and the
deploy check on the configured key (core.checks).

What is configured (status) is read without pyHanko; the signer (pades) is imported on the
first signature or key check, not with this package: a web process imports every service at
start and signs nothing (the Celery workers do), and pyHanko cost each gunicorn worker about
half a second of CPU at every start (workers are recycled every 1,000 requests).
"""

from core.signing.status import (
    SigningNotConfigured,
    signing_configured,
    signing_level,
    signing_status,
)


def sign_pdf(pdf: bytes, **kwargs) -> bytes:
    """core.signing.pades.sign_pdf: the PDF with a PAdES signature (see there)."""
    from core.signing import pades

    return pades.sign_pdf(pdf, **kwargs)


def loaded_signer():
    """core.signing.pades.loaded_signer: the signer, loaded once per process (see there)."""
    from core.signing import pades

    return pades.loaded_signer()


__all__ = [
    "SigningNotConfigured",
    "loaded_signer",
    "sign_pdf",
    "signing_configured",
    "signing_level",
    "signing_status",
]
