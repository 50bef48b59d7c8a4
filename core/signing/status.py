"""What PDF signing is configured to do, without loading the signer: the key and certificate
paths, whether they are readable, the PAdES level and a status report. pyHanko, which the
signer needs (core.signing.pades), is imported only by a process that signs."""

import os
import sys
from datetime import UTC, datetime

from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SigningNotConfigured(ImproperlyConfigured):
    pass


def signing_paths() -> tuple[str, str, list[str]]:
    chain = [path for path in (settings.CERT_SIGNING_CHAIN,) if path]
    return settings.CERT_SIGNING_KEY, settings.CERT_SIGNING_CERT, chain


def signing_configured() -> bool:
    """Both files are named and readable (it does not check they belong together)."""
    key, cert, chain = signing_paths()
    return bool(key and cert) and all(os.access(path, os.R_OK) for path in (key, cert, *chain))


def signing_level() -> str:
    return "PAdES-B-T" if settings.CERT_TSA_URL else "PAdES-B-B"


def signing_status() -> dict:
    """What is configured, for `manage.py signing_dev_keys` and readiness pages: no secret."""
    key, cert, chain = signing_paths()
    pades = sys.modules.get("core.signing.pades")  # not imported: nothing was loaded
    status = {
        "configured": signing_configured(),
        "key": key,
        "certificate": cert,
        "chain": chain,
        "level": signing_level(),
        "tsa_url": settings.CERT_TSA_URL,
        "loads": pades.load_count if pades else 0,
    }
    if status["configured"]:
        with open(cert, "rb") as handle:
            certificate = x509.load_pem_x509_certificate(handle.read())
        status |= {
            "subject": certificate.subject.rfc4514_string(),
            "issuer": certificate.issuer.rfc4514_string(),
            "not_after": certificate.not_valid_after_utc.isoformat(),
            "expired": certificate.not_valid_after_utc < datetime.now(UTC),
        }
    return status
