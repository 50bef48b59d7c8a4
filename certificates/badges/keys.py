"""The issuer's Ed25519 keys: the signing key (settings.OB_SIGNING_KEY) and the older keys kept
published after a rotation (OB_PUBLISHED_KEYS), each named by its Multikey (z6Mk...) and
published at /credentials/keys/<key id>.json, the verificationMethod of its proofs."""

import base64
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from core.jsonld.contexts import OB_V3P0, VC_V2
from core.jsonld.dataintegrity import ProofError
from core.jsonld.multibase import ed25519_multikey

MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


@dataclass(frozen=True)
class IssuerKey:
    key_id: str  # publicKeyMultibase, z6Mk...
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None

    @property
    def url(self) -> str:
        """The Multikey document's URL, which is the verificationMethod of our proofs."""
        path = reverse("certificates:credential_key", kwargs={"key_id": self.key_id})
        return f"{settings.SITE_URL}{path}"

    @property
    def raw_public(self) -> bytes:
        return self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )


def issuer_id() -> str:
    return f"{settings.SITE_URL}{reverse('certificates:issuer')}"


@lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int, size: int) -> IssuerKey:
    # Keyed by the file's mtime and size too, so a replaced file is read again.
    data = Path(path).read_bytes()
    private_key = None
    if b"PRIVATE KEY" in data:
        private_key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(private_key, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 private key")
        public_key = private_key.public_key()
    else:
        public_key = serialization.load_pem_public_key(data)
        if not isinstance(public_key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return IssuerKey(key_id=ed25519_multikey(raw), public_key=public_key, private_key=private_key)


def load_key_file(path: str | os.PathLike) -> IssuerKey:
    """The key in a PEM file (private: may sign; public: may only be published)."""
    stat = os.stat(path)
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


def key_problem(path: str) -> str | None:
    """Why the signing key at this path is unusable, or None."""
    if not path:
        return "OB_SIGNING_KEY is not set"
    try:
        key = load_key_file(path)
    except FileNotFoundError:
        return f"OB_SIGNING_KEY names a missing file: {path}"
    except (OSError, ValueError, TypeError) as error:
        return f"OB_SIGNING_KEY at {path} is not a readable Ed25519 PEM key ({error})"
    if key.private_key is None:
        return f"OB_SIGNING_KEY at {path} is a public key; signing needs the private key"
    return None


def signing_key() -> IssuerKey:
    """The key that signs new credentials and status lists."""
    problem = key_problem(settings.OB_SIGNING_KEY)
    if problem:
        raise ImproperlyConfigured(
            f"{problem}. In development run `manage.py badge_dev_key`; in production set "
            "OB_SIGNING_KEY to an Ed25519 private key (PEM)."
        )
    return load_key_file(settings.OB_SIGNING_KEY)


def published_keys() -> list[IssuerKey]:
    """The signing key first, then every older key still published, without duplicates."""
    keys = [signing_key()]
    for path in settings.OB_PUBLISHED_KEYS:
        key = load_key_file(path)
        if key.key_id not in {known.key_id for known in keys}:
            keys.append(key)
    return keys


def published_key(key_id: str) -> IssuerKey | None:
    return next((key for key in published_keys() if key.key_id == key_id), None)


def resolve_published_key(verification_method: str) -> Ed25519PublicKey:
    """The public key a proof names, if it is one of ours (no network: our own list)."""
    for key in published_keys():
        if verification_method == key.url:
            return key.public_key
    raise ProofError("the proof's verificationMethod is not a key this issuer publishes")


def signing_key_create(path: str | os.PathLike) -> bool:
    """Write a new Ed25519 private key (PKCS#8 PEM, mode 0600) unless the file exists; True
    when one was written. Written to a temporary file, then hard-linked into place: two
    processes starting at once (the test suite's workers) never see a half-written key, and
    the second keeps the first one's."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".ob-key-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
    finally:
        os.unlink(temporary)
    return True


def multikey_document(key: IssuerKey) -> dict:
    """The key as a Multikey (controller: the issuer Profile)."""
    return {
        "@context": MULTIKEY_CONTEXT,
        "id": key.url,
        "type": "Multikey",
        "controller": issuer_id(),
        "publicKeyMultibase": key.key_id,
    }


def jwks_document() -> dict:
    """Every published key as an Ed25519 JWK (RFC 8037), kid = its Multikey URL."""
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": base64.urlsafe_b64encode(key.raw_public).rstrip(b"=").decode(),
                "kid": key.url,
                "use": "sig",
                "alg": "EdDSA",
            }
            for key in published_keys()
        ]
    }


def issuer_profile() -> dict:
    """The issuer's Open Badges Profile, naming every published key as an assertion method."""
    urls = [key.url for key in published_keys()]
    return {
        "@context": [VC_V2, OB_V3P0],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.OB_ISSUER_NAME,
        "url": settings.SITE_URL,
        "assertionMethod": urls,
    }
