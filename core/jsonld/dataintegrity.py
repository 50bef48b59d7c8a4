"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C vc-di-eddsa): RDFC-1.0
canonical N-Quads of the proof configuration and of the document, SHA-256 of each, the two
hashes concatenated (proof first) and signed with Ed25519; proofValue is multibase base58btc.

Canonicalization uses only the vendored contexts (core.jsonld.loader); a document naming any
other context fails to sign or to verify rather than fetching it."""

import copy
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from cachetools import LRUCache
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.jsonld.multibase import multibase_b58_decode, multibase_b58_encode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"

# Resolved contexts, our own: pyld's module-wide cache could hold a context that some other
# loader fetched; this one only ever sees what vendored_loader served.
_resolved_contexts = LRUCache(maxsize=32)


class ProofError(ValueError):
    """The document has no usable eddsa-rdfc-2022 proof, or it does not verify."""


def canonicalize(document: dict) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document."""
    # Imported here: pyld (with requests and lxml) is a tenth of a web worker's start, and
    # only signing or verifying a credential needs it.
    from pyld import jsonld
    from pyld.context_resolver import ContextResolver

    from core.jsonld.loader import vendored_loader

    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": vendored_loader,
            "contextResolver": ContextResolver(_resolved_contexts, vendored_loader),
        },
    )


def xsd_datetime(moment: datetime) -> str:
    """An XML Schema dateTime in UTC, to the second: 2026-12-04T20:31:46Z."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def hash_data(document: dict, proof_config: dict) -> bytes:
    """SHA-256(canonical proof configuration) || SHA-256(canonical document), the bytes
    eddsa-rdfc-2022 signs. The proof configuration takes the document's @context."""
    config = {k: v for k, v in proof_config.items() if k != "proofValue"}
    config["@context"] = document["@context"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return (
        hashlib.sha256(canonicalize(config).encode()).digest()
        + hashlib.sha256(canonicalize(unsecured).encode()).digest()
    )


def sign(
    document: dict,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    proof_as_list: bool = False,
) -> dict:
    """A copy of the document with a DataIntegrityProof (proofPurpose assertionMethod).
    proof_as_list writes the proof as a one-item array, as Open Badges 3.0 asks (an unordered
    set is always an array there); both forms mean the same in JSON-LD."""
    proof = {
        "type": PROOF_TYPE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(hash_data(document, proof))
    proof["proofValue"] = multibase_b58_encode(signature)
    signed = copy.deepcopy({k: v for k, v in document.items() if k != "proof"})
    signed["proof"] = [proof] if proof_as_list else proof
    return signed


def the_proof(document: dict) -> dict:
    """The document's single eddsa-rdfc-2022 proof (an object or a one-item array)."""
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError("expected exactly one proof")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("the document has no proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("not a DataIntegrityProof with cryptosuite eddsa-rdfc-2022")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof's purpose is not assertionMethod")
    if not isinstance(proof.get("proofValue"), str) or not proof.get("verificationMethod"):
        raise ProofError("the proof lacks proofValue or verificationMethod")
    return proof


def verify(document: dict, *, resolve_key: Callable[[str], Ed25519PublicKey]) -> dict:
    """Check the document's proof; return the proof, or raise ProofError. resolve_key maps
    the proof's verificationMethod to a public key (and raises ProofError for one it does not
    know); it must not fetch anything either."""
    proof = the_proof(document)
    public_key = resolve_key(proof["verificationMethod"])
    try:
        signature = multibase_b58_decode(proof["proofValue"])
        public_key.verify(signature, hash_data(document, proof))
    except (InvalidSignature, ValueError) as error:
        raise ProofError("the signature does not match the document") from error
    return proof
