"""One beat for the whole deployment: beat sends periodic tasks only while it holds a lock in
Redis, so a second beat (started by mistake, or a standby on another machine) stays idle and
takes over only once the first is gone.

Celery beat has no such guard of its own: two beats would each send every periodic task.
`CELERY_BEAT_SCHEDULER` names `LockedScheduler`, so `celery -A config beat` (systemd, the
Procfile, compose, `worker --beat` in development) uses it without any other change.
"""

import contextlib
import logging
import os
import socket
import uuid

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

# Extend the lock only if it is still ours: another beat may hold it after ours expired.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class BeatLock:
    """A lock with a lifetime, held by one token at a time and extended by its holder."""

    def __init__(self, client: redis.Redis, *, key: str, seconds: float, token: str) -> None:
        self.client = client
        self.key = key
        self.milliseconds = max(int(seconds * 1000), 1)
        self.token = token

    def hold(self) -> bool:
        """Take the lock if it is free, extend it if it is ours; False if another holds it.
        A Redis that does not answer counts as not held: better no periodic task for a while
        than the same one sent twice."""
        try:
            if self.client.set(self.key, self.token, nx=True, px=self.milliseconds):
                return True
            return bool(self.client.eval(_RENEW, 1, self.key, self.token, self.milliseconds))
        except redis.RedisError as error:
            logger.warning("beat lock: Redis did not answer (%s); sending nothing", error)
            return False

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if value is not None else None

    def release(self) -> None:
        with contextlib.suppress(redis.RedisError):  # it expires by itself
            self.client.eval(_RELEASE, 1, self.key, self.token)


def beat_lock_from_settings() -> BeatLock | None:
    """The deployment's beat lock, or None without Redis (`make run`: one machine, one beat)."""
    if not settings.REDIS_URL:
        return None
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    return BeatLock(
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5),
        key=settings.BEAT_LOCK_KEY,
        seconds=settings.BEAT_LOCK_SECONDS,
        token=token,
    )


class LockedScheduler(PersistentScheduler):
    """Celery's default scheduler, sending only while it holds the beat lock. It checks the
    lock at every tick and ticks at least three times per lock lifetime, so the lock never
    lapses while this beat runs; a standby tries again as often."""

    def __init__(self, *args, **kwargs) -> None:
        self.lock = beat_lock_from_settings()
        self.holding: bool | None = None  # None until the first tick, which logs either way
        super().__init__(*args, **kwargs)
        if self.lock is not None:
            self.max_interval = min(self.max_interval, settings.BEAT_LOCK_SECONDS / 3)

    def tick(self, *args, **kwargs) -> float:
        if self.lock is None:
            return super().tick(*args, **kwargs)
        held = self.lock.hold()
        if held != self.holding:
            self.holding = held
            if held:
                logger.info("beat lock: taken (%s); sending periodic tasks", self.lock.token)
            else:
                logger.warning("beat lock: not ours; standing by, sending nothing")
        if not held:
            return self.max_interval
        return min(super().tick(*args, **kwargs), self.max_interval)

    def close(self) -> None:
        super().close()
        if self.lock is not None and self.holding:
            # A clean stop hands over at once instead of after the lock's lifetime.
            self.lock.release()
            self.holding = False
