"""The OpenBadgeCredential (Open Badges 3.0, VC 2.0) of one certificate, signed with the
issuer's key (eddsa-rdfc-2022), and its verification against the keys we publish.

The texts in it are English and fixed: a signed document must read the same whatever language
the request or the worker had active, and rebuilding it must give the same claims."""

import hashlib
import hmac
import json
import uuid
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from certificates.badges.keys import issuer_id, resolve_published_key, signing_key
from certificates.models import Certificate, StatusList
from core.jsonld import dataintegrity
from core.jsonld.contexts import OB_V3P0, VC_V2

ACHIEVEMENT_TYPE = "CertificateOfCompletion"
CRITERIA = (
    "Completed every lesson of the course and passed its assessments on the "
    "Crypto Crime Training platform."
)


class CredentialUnavailable(ValueError):
    """The certificate has no issue date yet (pending or failed): no credential."""


def identity_salt(certificate: Certificate) -> str:
    """A salt per serial, derived (HMAC) rather than stored, so a rebuilt credential carries
    the same identityHash while no two certificates share a salt."""
    key = (settings.OB_IDENTITY_SALT_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, f"ob-identity-salt:{certificate.serial}".encode(), "sha256").hexdigest()[
        :32
    ]


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 IdentityHash: "sha256$" + hex SHA-256 of the identifier followed by the salt.
    The address is lower-cased first, as mail systems treat it."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def credential_id(certificate: Certificate) -> str:
    # Stable for the serial and revision, and says nothing about the holder or the token.
    name = f"{settings.SITE_URL}/certificates/{certificate.serial}/r{certificate.revision}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def status_list_url(status_list_slug: str) -> str:
    path = reverse("certificates:status_list", kwargs={"slug": status_list_slug})
    return f"{settings.SITE_URL}{path}"


def _status_entries(certificate: Certificate) -> list[dict]:
    entries = []
    for purpose in StatusList.Purpose.values:
        list_id = getattr(certificate, f"{purpose}_list_id")
        if list_id is None:
            continue
        status_list = getattr(certificate, f"{purpose}_list")
        url = status_list_url(status_list.slug)
        index = getattr(certificate, f"{purpose}_index")
        entries.append(
            {
                "id": f"{url}#{index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": index,
                "statusListCredential": url,
            }
        )
    return entries


def unsigned_credential(certificate: Certificate, *, issued_at: datetime | None = None) -> dict:
    """The credential before its proof. issued_at stands in for certificate.issued_at when the
    renderer builds it just before the certificate is issued."""
    valid_from = certificate.issued_at or issued_at
    if valid_from is None:
        raise CredentialUnavailable(certificate.serial)
    course = certificate.course
    achievement_path = reverse("courses:detail", kwargs={"course_slug": course.slug})
    salt = identity_salt(certificate)
    document = {
        "@context": [VC_V2, OB_V3P0],
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": settings.OB_ISSUER_NAME,
            "url": settings.SITE_URL,
        },
        "validFrom": dataintegrity.xsd_datetime(valid_from),
        "name": certificate.course_title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(certificate.user.email, salt),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "achievement": {
                "id": f"{settings.SITE_URL}{achievement_path}",
                "type": ["Achievement"],
                "achievementType": ACHIEVEMENT_TYPE,
                "name": certificate.course_title,
                "description": course.summary or certificate.course_title,
                "criteria": {"narrative": CRITERIA},
                "creditsAvailable": float(certificate.hours),
            },
        },
    }
    if certificate.valid_until:
        document["validUntil"] = dataintegrity.xsd_datetime(certificate.valid_until)
    entries = _status_entries(certificate)
    if entries:
        document["credentialStatus"] = entries
    return document


def credential_for(
    certificate: Certificate, *, issued_at: datetime | None = None, now: datetime | None = None
) -> dict:
    """The signed OpenBadgeCredential. Reads certificate.user, .course and the two status
    lists (select_related them; certificates.selectors.credential_certificates does)."""
    key = signing_key()
    return dataintegrity.sign(
        unsigned_credential(certificate, issued_at=issued_at),
        private_key=key.private_key,
        verification_method=key.url,
        created=now or timezone.now(),
        proof_as_list=True,
    )


def credential_json(certificate: Certificate, *, issued_at: datetime | None = None) -> bytes:
    """The signed credential as UTF-8 JSON, e.g. to attach to the PDF."""
    document = credential_for(certificate, issued_at=issued_at)
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def credential_verify(document: dict) -> dict:
    """Verify a credential (or status list) against the keys we publish; returns the proof or
    raises core.jsonld.dataintegrity.ProofError."""
    return dataintegrity.verify(document, resolve_key=resolve_published_key)
