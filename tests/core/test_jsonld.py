"""JSON-LD contexts served from the vendored copies only, and eddsa-rdfc-2022 Data Integrity
proofs: 1EdTech's published Open Badges 3.0 vector reproduced exactly, round trips, tampering."""

import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld.jsonld import JsonLdError

from core.jsonld import dataintegrity
from core.jsonld.contexts import CONTEXT_FILES, CONTEXTS_DIR, OB_V3P0, VC_V2
from core.jsonld.loader import vendored_loader
from core.jsonld.multibase import (
    b58decode,
    b58encode,
    ed25519_from_multikey,
    ed25519_multikey,
)

VECTORS = Path(__file__).parent / "vectors"
VECTOR = json.loads((VECTORS / "ob_v3p0_eddsa_rdfc_2022.json").read_text())
PINNED = {
    "credentials-v2.jsonld": "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
    "ob-v3p0-context-3.0.3.json": "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
}


def vector_key() -> Ed25519PrivateKey:
    # The vector gives the 64-byte secret key: seed || public key.
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR["privateKeyHex"])[:32])


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_vendored_contexts_are_the_pinned_files():
    assert set(CONTEXT_FILES.values()) == set(PINNED)
    for name, digest in PINNED.items():
        assert hashlib.sha256((CONTEXTS_DIR / name).read_bytes()).hexdigest() == digest


def test_loader_serves_the_vendored_contexts():
    for url in (VC_V2, OB_V3P0):
        document = vendored_loader(url, {})
        assert document["documentUrl"] == url
        assert "@context" in document["document"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "https://evil.example/context.json",
        "file:///etc/passwd",
    ],
)
def test_loader_fails_closed_on_any_other_url(url):
    with pytest.raises(JsonLdError):
        vendored_loader(url, {})


def test_canonicalizing_a_document_with_an_unknown_context_raises():
    document = copy.deepcopy(VECTOR["credential"])
    document["@context"].append("https://example.org/not-vendored.jsonld")
    with pytest.raises(JsonLdError):
        dataintegrity.canonicalize(document)


def test_base58_round_trips_with_leading_zero_bytes():
    for data in (b"", b"\0", b"\0\0\x01", bytes(range(40))):
        assert b58decode(b58encode(data)) == data
    assert b58encode(b"hello world") == "StV1DL6CwTryKyV"


def test_multikey_of_the_vector_key_is_the_published_one():
    assert ed25519_multikey(raw_public(vector_key())) == VECTOR["publicKeyMultibase"]
    assert ed25519_from_multikey(VECTOR["publicKeyMultibase"]).hex() == VECTOR["publicKeyHex"]


def test_1edtech_vector_canonical_forms_and_hashes():
    document = VECTOR["credential"]
    expected_document = (VECTORS / VECTOR["documentCanon"]).read_text()
    expected_proof = (VECTORS / VECTOR["proofCanon"]).read_text()
    assert dataintegrity.canonicalize(document) == expected_document
    config = {**VECTOR["proofOptions"], "@context": document["@context"]}
    assert dataintegrity.canonicalize(config) == expected_proof
    data = dataintegrity.hash_data(document, VECTOR["proofOptions"])
    assert data.hex() == VECTOR["proofHashHex"] + VECTOR["documentHashHex"]
    assert vector_key().sign(data).hex() == VECTOR["signatureHex"]


def test_1edtech_vector_proof_value_reproduced_exactly():
    options = VECTOR["proofOptions"]
    signed = dataintegrity.sign(
        VECTOR["credential"],
        private_key=vector_key(),
        verification_method=options["verificationMethod"],
        created=datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC),
    )
    assert signed["proof"] == {**options, "proofValue": VECTOR["proofValue"]}


def _resolver(key: Ed25519PrivateKey, method: str):
    def resolve(verification_method: str):
        if verification_method != method:
            raise dataintegrity.ProofError("unknown key")
        return key.public_key()

    return resolve


def test_1edtech_signed_vector_verifies():
    signed = {**VECTOR["credential"], "proof": {**VECTOR["proofOptions"]}}
    signed["proof"]["proofValue"] = VECTOR["proofValue"]
    method = VECTOR["proofOptions"]["verificationMethod"]
    assert dataintegrity.verify(signed, resolve_key=_resolver(vector_key(), method))


def test_round_trip_and_any_changed_field_fails():
    key = Ed25519PrivateKey.generate()
    method = "https://training.example.org/credentials/keys/k1.json"
    signed = dataintegrity.sign(
        VECTOR["credential"],
        private_key=key,
        verification_method=method,
        created=datetime(2026, 12, 4, tzinfo=UTC),
        proof_as_list=True,
    )
    assert isinstance(signed["proof"], list)
    resolve = _resolver(key, method)
    dataintegrity.verify(signed, resolve_key=resolve)

    renamed = copy.deepcopy(signed)
    renamed["credentialSubject"]["achievement"]["name"] = "Teamwork (forged)"
    redated = copy.deepcopy(signed)
    redated["validFrom"] = "2010-01-02T00:00:00Z"
    reproofed = copy.deepcopy(signed)
    reproofed["proof"][0]["created"] = "2027-01-01T00:00:00Z"
    for tampered in (renamed, redated, reproofed):
        with pytest.raises(dataintegrity.ProofError):
            dataintegrity.verify(tampered, resolve_key=resolve)


def test_another_key_does_not_verify():
    key = Ed25519PrivateKey.generate()
    method = "https://training.example.org/credentials/keys/k1.json"
    signed = dataintegrity.sign(
        VECTOR["credential"], private_key=key, verification_method=method,
        created=datetime(2026, 12, 4, tzinfo=UTC),
    )  # fmt: skip
    with pytest.raises(dataintegrity.ProofError):
        dataintegrity.verify(signed, resolve_key=_resolver(Ed25519PrivateKey.generate(), method))


def test_a_document_without_an_eddsa_proof_is_refused():
    with pytest.raises(dataintegrity.ProofError):
        dataintegrity.verify(VECTOR["credential"], resolve_key=lambda _: None)
    other = {**VECTOR["credential"], "proof": {**VECTOR["proofOptions"], "cryptosuite": "x"}}
    with pytest.raises(dataintegrity.ProofError):
        dataintegrity.verify(other, resolve_key=lambda _: None)
