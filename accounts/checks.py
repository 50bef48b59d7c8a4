"""Deploy checks for the audit chain's keys: `manage.py check --deploy` fails in production
without them."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# HMAC-SHA256 keys shorter than this are guessable or typed by hand.
AUDIT_KEY_MIN_LENGTH = 32
# Kept here rather than imported from settings: a key equal to it is the development one.
DEVELOPMENT_AUDIT_KEY_PREFIX = "development-only-"


@register(Tags.security, deploy=True)
def audit_keys_check(app_configs=None, **kwargs) -> list:
    if settings.DEBUG:
        return []
    problems = []
    key = settings.AUDIT_HMAC_KEY or ""
    if len(key) < AUDIT_KEY_MIN_LENGTH or key.startswith(DEVELOPMENT_AUDIT_KEY_PREFIX):
        problems.append(
            Error(
                "AUDIT_HMAC_KEY is unset, shorter than "
                f"{AUDIT_KEY_MIN_LENGTH} characters or the development key.",
                hint="Set AUDIT_HMAC_KEY in the environment to a long random value "
                "(python3 -c 'import secrets; print(secrets.token_urlsafe(48))'); it keys "
                "the audit chain and must never be stored in the database.",
                id="accounts.E001",
            )
        )
    if settings.AUDIT_LEGACY_LAST_ID is None:
        problems.append(
            Warning(
                "AUDIT_LEGACY_LAST_ID is unset: audit_verify accepts a run of unkeyed "
                "(plain SHA-256) links at the start of the audit chain, which is what a chain "
                "recomputed without the key looks like.",
                hint="Set it to 0 for a database started with a keyed chain, or to the last "
                "unkeyed id that audit_verify reports after the upgrade.",
                id="accounts.W001",
            )
        )
    checkpoint_key = settings.AUDIT_CHECKPOINT_KEY or ""
    if checkpoint_key and len(checkpoint_key) < AUDIT_KEY_MIN_LENGTH:
        problems.append(
            Error(
                f"AUDIT_CHECKPOINT_KEY is shorter than {AUDIT_KEY_MIN_LENGTH} characters.",
                hint="Set it to a long random value, or unset it to sign checkpoints with "
                "AUDIT_HMAC_KEY.",
                id="accounts.E002",
            )
        )
    elif checkpoint_key and checkpoint_key == key:
        problems.append(
            Warning(
                "AUDIT_CHECKPOINT_KEY equals AUDIT_HMAC_KEY.",
                hint="Use a separate key, kept off the web nodes, or unset it.",
                id="accounts.W002",
            )
        )
    return problems
