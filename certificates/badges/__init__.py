"""Open Badges 3.0 credentials for certificates: the issuer's Ed25519 keys and their published
documents, the OpenBadgeCredential of each certificate, and the signed Bitstring Status Lists.
Builders only: they read and sign, they never write."""
