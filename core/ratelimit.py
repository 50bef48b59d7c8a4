"""A fixed-window rate limit per client address (as core.clientip resolves it), kept in
the shared cache (Redis in production), for the site's own public endpoints. Sign-in,
sign-up and password reset use allauth's limits, which read the same address."""

import time

from django.core.cache import cache
from django.http import HttpRequest

from core.clientip import client_ip


def allow(request: HttpRequest, *, scope: str, limit: int, seconds: int = 60) -> bool:
    """Count this request against `limit` per `seconds` for its client address; False once
    the limit is spent in the current window."""
    window = int(time.time()) // seconds
    key = f"rl:{scope}:{client_ip(request) or 'unknown'}:{window}"
    # add() creates the counter with its expiry only if absent; incr() is atomic in Redis.
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=seconds + 1)
        count = 1
    return count <= limit
