"""The signed BitstringStatusListCredential (W3C Bitstring Status List v1.0) of a StatusList:
encodedList is "u" + base64url, unpadded, of the GZIP-compressed bitstring (bit 0 = the most
significant bit of byte 0, as StatusList stores it). Cached per list and change."""

import base64
import gzip

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from certificates.badges.credential import status_list_url
from certificates.badges.keys import issuer_id, signing_key
from certificates.models import StatusList
from core.jsonld import dataintegrity
from core.jsonld.contexts import VC_V2

CACHE_SECONDS = 24 * 3600


def encode_bits(bits: bytes) -> str:
    # mtime=0: the same bits always encode to the same text.
    compressed = gzip.compress(bits, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def status_list_credential(status_list: StatusList) -> dict:
    """The signed credential of the list as it is now."""
    url = status_list_url(status_list.slug)
    key = signing_key()
    document = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": dataintegrity.xsd_datetime(status_list.updated_at),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": encode_bits(bytes(status_list.bits)),
        },
    }
    return dataintegrity.sign(
        document, private_key=key.private_key, verification_method=key.url, created=timezone.now()
    )


def cache_key(status_list: StatusList) -> str:
    # A flipped bit moves updated_at, and a new signing key changes the proof: either is a
    # new key, so nobody is served a stale list from the cache.
    stamp = status_list.updated_at.isoformat()
    return f"ob:status-list:{status_list.pk}:{stamp}:{signing_key().key_id}:{settings.SITE_URL}"


def cached_status_list_credential(status_list: StatusList, *, load_bits) -> dict:
    """From the cache, or built (load_bits() gives the row with its bits) and cached."""
    key = cache_key(status_list)
    document = cache.get(key)
    if document is None:
        document = status_list_credential(load_bits())
        cache.set(key, document, CACHE_SECONDS)
    return document
