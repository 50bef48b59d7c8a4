"""Deploy checks for Open Badges credentials: `manage.py check --deploy` fails in production
without a usable Ed25519 signing key, or with an issuer URL that is not https."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from certificates.badges.keys import key_problem, load_key_file


@register(Tags.security, deploy=True)
def open_badges_keys_check(app_configs=None, **kwargs) -> list:
    if settings.DEBUG:
        return []
    problems = []
    problem = key_problem(settings.OB_SIGNING_KEY)
    if problem:
        problems.append(
            Error(
                problem,
                hint="Set OB_SIGNING_KEY to an Ed25519 private key in PEM, e.g. made with "
                "`openssl genpkey -algorithm ed25519 -out ob-signing.pem`; it signs every "
                "Open Badges credential and status list.",
                id="certificates.E001",
            )
        )
    for path in settings.OB_PUBLISHED_KEYS:
        try:
            load_key_file(path)
        except (OSError, ValueError, TypeError) as error:
            problems.append(
                Error(
                    f"OB_PUBLISHED_KEYS names {path}, which is not a readable Ed25519 PEM "
                    f"key ({error}).",
                    hint="List the old keys' PEM files (public or private), comma-separated.",
                    id="certificates.E002",
                )
            )
    if not settings.SITE_URL.startswith("https://"):
        problems.append(
            Error(
                "SITE_URL is not https: the issuer Profile, keys and status lists that "
                "credentials name must be https URLs.",
                hint="Set SITE_URL to the site's public https address.",
                id="certificates.E003",
            )
        )
    return problems
