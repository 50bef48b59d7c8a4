"""The JSON-LD contexts we vendor (contexts/README.md): their URLs and files. Apart from the
loader (core.jsonld.loader), so that naming a context does not import pyld: a web process
imports the credential code with every view, and signs or verifies rarely."""

from pathlib import Path

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3P0: "ob-v3p0-context-3.0.3.json",
}
