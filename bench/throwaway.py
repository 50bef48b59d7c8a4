"""The keys of a production-like site that lives for one run (the benchmarks, the load test,
the multi-node drill): a one-day self-signed P-256 PDF signing key and certificate, and random
secrets. Standard library only: the drill imports it too."""

import secrets
import shutil
import subprocess
from pathlib import Path


def throwaway_keys(keys: Path, *, purpose: str) -> dict[str, str]:
    """Make the folder `keys` with the PDF key and certificate (openssl); return the site's
    environment entries for them and for its secrets."""
    keys.mkdir()
    key, cert = keys / "key.pem", keys / "cert.pem"
    openssl = shutil.which("openssl") or "openssl"
    subject = f"/O=Crypto Cops/CN=Throwaway signing certificate for {purpose}"
    command = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    command += ["-nodes", "-days", "1", "-subj", subject, "-keyout", str(key), "-out", str(cert)]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603
    return {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
        "AUDIT_CHECKPOINT_KEY": secrets.token_urlsafe(48),
        "AUDIT_LEGACY_LAST_ID": "0",
        "MFA_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        "CERT_SIGNING_KEY": str(key),
        "CERT_SIGNING_CERT": str(cert),
    }
