"""A JSON-LD document loader that serves only the vendored contexts (contexts/README.md) and
refuses every other URL: canonicalizing a credential never touches the network."""

import copy
import json
from functools import cache

from pyld.jsonld import JsonLdError

from core.jsonld.contexts import CONTEXT_FILES, CONTEXTS_DIR


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
