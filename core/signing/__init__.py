"""PDF signing for every app: PAdES signatures (pades), development keys (keys) and the
deploy check on the configured key (core.checks)."""

from core.signing.pades import (
    DEFAULT_BOX,
    SigningNotConfigured,
    loaded_signer,
    sign_pdf,
    signing_configured,
    signing_level,
    signing_status,
)

__all__ = [
    "DEFAULT_BOX",
    "SigningNotConfigured",
    "loaded_signer",
    "sign_pdf",
    "signing_configured",
    "signing_level",
    "signing_status",
]
