"""The client's address as the trusted proxy saw it: one helper for allauth's rate limits,
django-axes, the audit trail and the site's own rate limits.

With TRUSTED_PROXY_COUNT = 0 (the default) X-Forwarded-For is ignored: anyone can send it.
With N trusted proxies in front of the site, each appends the address it saw, so the client
is the N-th entry counted from the right; entries further left were written by the client
and prove nothing.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The address to rate-limit and audit by; None without a request."""
    if request is None:
        return None
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < count:
        # Not through the proxies (a direct connection to the node, say): the socket's
        # address is the only honest answer.
        return remote
    return _valid(forwarded[-count]) or remote
