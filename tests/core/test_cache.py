"""core.cache: Django's Redis cache, with one redis-py client per connection pool."""

import threading

from django.core.cache import cache, caches

from core.cache import RedisCache


def test_the_site_caches_in_redis_through_core_cache():
    assert isinstance(caches["default"], RedisCache)


def test_one_client_serves_every_call_of_a_thread():
    client = cache._cache.get_client(write=False)
    assert cache._cache.get_client(write=True) is client
    cache.set("core-cache-test", {"n": 1}, 30)
    assert cache.get("core-cache-test") == {"n": 1}
    assert cache._cache.get_client() is client


def test_each_thread_has_a_cache_of_its_own():
    """Django gives each thread its own cache object (caches is thread-local), so a client is
    never shared by two threads' cache objects; values are shared through Redis."""
    mine = caches["default"]._cache.get_client()
    cache.set("core-cache-thread", "written here", 30)
    seen = {}

    def other_thread():
        seen["client"] = caches["default"]._cache.get_client()
        seen["value"] = caches["default"].get("core-cache-thread")
        caches["default"].close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert seen["client"] is not mine
    assert seen["value"] == "written here"
