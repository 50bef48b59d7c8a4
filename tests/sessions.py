"""The two copies of a signed-in session (cached_db: Redis, and the database row behind it).

Redis keeps its copy for the session's remaining age, by its own clock, which time_machine
does not move. Tests that travel past an expiry read Redis's time to live, then drop the copy
(as Redis would have) so the request is decided by the database row's expiry.
"""

import redis
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import cache


def session_cache_ttl(session_key: str) -> int:
    """Seconds Redis keeps the cached copy of this session."""
    return redis.Redis.from_url(settings.REDIS_URL).ttl(cache.make_key(KEY_PREFIX + session_key))


def forget_cached_session(session_key: str) -> None:
    """As if Redis had let the copy expire: the next request reads the database row."""
    cache.delete(KEY_PREFIX + session_key)
