"""Django's Redis cache, keeping its redis-py client.

Django's RedisCacheClient keeps one connection pool per server but builds a new
`redis.Redis` object for every call (its constructor fills a table of about 200 response
callbacks), which took a third of the CPU of the session read every signed-in request makes.
A client object only wraps its pool and is safe to share between threads (redis-py's
documentation), so the client is built once per pool and reused; each thread's cache
object (django.core.cache.caches) already has its own RedisCacheClient.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
