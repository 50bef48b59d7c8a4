"""A JSON-LD document loader that serves only the vendored contexts (contexts/README.md) and
refuses every other URL: canonicalizing a credential never touches the network."""

import copy
import json
from functools import cache
from pathlib import Path

from pyld.jsonld import JsonLdError

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3P0: "ob-v3p0-context-3.0.3.json",
}


class ContextNotAllowed(JsonLdError):
    """A document named a context we do not vendor. Raised, never fetched."""


@cache
def _parsed(url: str) -> dict:
    return json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def vendored_loader(url: str, options: dict | None = None) -> dict:
    """pyld's documentLoader signature: a RemoteDocument for a vendored URL, else raise."""
    if url not in CONTEXT_FILES:
        raise ContextNotAllowed(
            "Refusing to load a JSON-LD document that is not vendored.",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        # pyld may annotate what it is given; each caller gets its own copy.
        "document": copy.deepcopy(_parsed(url)),
    }
