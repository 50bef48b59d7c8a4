"""Optional error reporting: with SENTRY_DSN set, errors in the web processes and the Celery
workers go to Sentry; without it sentry-sdk is never started. Nothing personal leaves: no
user, address, cookie, credential, request body or query string."""

from typing import Any

# Headers that carry credentials; sentry-sdk leaves some of them out without PII already.
_SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-readyz-token",
        "x-csrftoken",
    }
)


def sentry_scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """before_send: keep the request's method and route, drop whatever could identify
    someone or let another person in (cookies, credentials, a token in the URL or query)."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("cookies", "data", "query_string", "env", "url"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value
                for name, value in headers.items()
                if name.lower() not in _SECRET_HEADERS
            }
    event.pop("user", None)
    return event


def sentry_init(*, dsn: str, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        max_request_body_size="never",
        # Stack frames' local variables hold whatever the code was handling: a session key,
        # an officer's name or email. The stack trace itself is enough to find the bug.
        include_local_variables=False,
        before_send=sentry_scrub,
        # Errors only: no performance tracing, and no spans around each middleware, signal
        # or cache call, so a request pays next to nothing for it.
        traces_sample_rate=None,
        # Only the integrations named here: the Redis one, enabled by default when redis is
        # installed, records each command as a breadcrumb, session cache keys included.
        auto_enabling_integrations=False,
        integrations=[
            DjangoIntegration(
                transaction_style="url",
                middleware_spans=False,
                signals_spans=False,
                cache_spans=False,
            ),
            CeleryIntegration(),
        ],
    )
