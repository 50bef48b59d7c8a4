"""Checks for core: `manage.py check --deploy` fails in production without a real PDF
signing key and certificate, and asks production to say where generated files live."""

from datetime import UTC, datetime

from cryptography import x509
from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning

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


STORAGE_HINT = (
    "Set OBJECT_STORAGE=s3 with AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL, "
    "AWS_S3_REGION_NAME, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY as needed) when web and "
    "worker processes run on more than one machine, or OBJECT_STORAGE=local when they share "
    'one machine or one mounted MEDIA_ROOT. See deploy/README.md, "Shared file storage".'
)


@register(Tags.compatibility)
def object_storage_bucket_check(app_configs=None, **kwargs) -> list:
    """Without a bucket, S3 fails only at the first file written: say so at start-up."""
    if settings.OBJECT_STORAGE == "s3" and not settings.AWS_STORAGE_BUCKET_NAME:
        return [
            Error(
                "OBJECT_STORAGE is s3 but AWS_STORAGE_BUCKET_NAME is not set.",
                hint=STORAGE_HINT,
                id="core.E010",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def object_storage_choice_check(app_configs=None, **kwargs) -> list:
    """Local files by default suit one machine: on several, a certificate a worker wrote is
    missing on the web node asked for it. Production names its choice."""
    if settings.DEBUG or settings.OBJECT_STORAGE:
        return []
    return [
        CheckWarning(
            "OBJECT_STORAGE is not set: generated files (certificates, transcripts, exports, "
            "audit checkpoints) are kept on this machine's disk under MEDIA_ROOT.",
            hint=STORAGE_HINT,
            id="core.W010",
        )
    ]
