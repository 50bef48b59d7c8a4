"""Deploy checks for core: `manage.py check --deploy` fails in production without a real
PDF signing key and certificate."""

from datetime import UTC, datetime

from cryptography import x509
from django.conf import settings
from django.core.checks import Error, Tags, register

from core.signing import SigningNotConfigured, loaded_signer
from core.signing.keys import is_development_certificate

HINT = (
    "Set CERT_SIGNING_KEY and CERT_SIGNING_CERT to the PEM files of the programme's signing "
    "key (EC P-256 or RSA) and certificate, CERT_SIGNING_CHAIN to its intermediates and "
    "CERT_SIGNING_KEY_PASSWORD if the key is encrypted. The development certificate "
    "(manage.py signing_dev_keys) is never for production."
)


@register(Tags.security, deploy=True)
def signing_key_check(app_configs=None, **kwargs) -> list:
    if settings.DEBUG:
        return []
    try:
        loaded = loaded_signer()
    except (SigningNotConfigured, OSError, ValueError, TypeError) as exc:
        return [
            Error(
                f"The certificate PDF signing key cannot be loaded: {exc}",
                hint=HINT,
                id="core.E001",
            )
        ]
    certificate: x509.Certificate = loaded.certificate
    if is_development_certificate(certificate):
        return [
            Error(
                "CERT_SIGNING_CERT is the development signing certificate.",
                hint=HINT,
                id="core.E002",
            )
        ]
    if certificate.not_valid_after_utc <= datetime.now(UTC):
        return [
            Error(
                f"CERT_SIGNING_CERT expired on {certificate.not_valid_after_utc:%Y-%m-%d}.",
                hint=HINT,
                id="core.E003",
            )
        ]
    return []
