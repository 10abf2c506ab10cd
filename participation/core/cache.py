"""The production cache: Redis, which the pages can do without.

What the platform keeps in the cache are rate-limit counters (allauth's sign-in, sign-up and
code limits; django-ratelimit's limits on expressions). Django's ``RedisCache`` raises when
Redis cannot be reached, which would turn a Redis outage into error pages on sign-in and on
posting. While Redis is unreachable, this backend behaves as Django's ``DummyCache``: reads
miss, writes are forgotten, ``add`` succeeds. Rate limits therefore fail open during an
outage (residents are never blocked by it), and cache-based locks, which nothing of ours
uses, are not exclusive. A warning is logged; ``/sante/`` reports the outage through
``roundtrip``, which raises.
"""

import fnmatch
import logging
import time
import uuid

from django.core.cache import cache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Redis down, refusing connections, frozen or still loading (BusyLoadingError is a
# ConnectionError). Other errors are bugs and still raise.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# After a failure, how long the pages do without Redis before asking it again.
RETRY_AFTER_SECONDS = 5.0


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a ``redis.Redis`` object (some 170 callbacks) for every cache
    operation; a signed-in page makes several. One per connection pool is enough: it is
    thread-safe, the pool hands each call its own connection."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._outage = DummyCache(server, params)
        self._unreachable_until = 0.0

    def _call(self, operation: str, *args, **kwargs):
        # Once Redis has failed, this process stops asking it for a few seconds: a frozen
        # Redis costs one timeout (1 s) per process and window, not one per cache operation
        # of every page (a list page reads its fragments, its cards, its page cache…).
        if time.monotonic() < self._unreachable_until:
            return getattr(self._outage, operation)(*args, **kwargs)
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except UNREACHABLE as exc:
            self._unreachable_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Redis cache unreachable (%s); %s treated as a miss", exc, operation)
            return getattr(self._outage, operation)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")

    def delete_or_report(self, key) -> bool:
        """Delete ``key``; False when Redis could not be reached (the value may still be there)."""
        try:
            super().delete(key)
        except UNREACHABLE as exc:
            logger.warning("Redis cache unreachable (%s); %s not deleted", exc, key)
            return False
        return True

    def delete_pattern(self, pattern: str) -> int:
        """Delete every key matching ``pattern`` (glob-style, as in Redis' SCAN); how many.

        Walks the keys with SCAN, a batch at a time, without blocking Redis. Nothing while
        Redis is unreachable (logged)."""
        try:
            client = self._cache.get_client(write=True)
            deleted = 0
            batch = []
            for key in client.scan_iter(match=self.make_key(pattern), count=1000):
                batch.append(key)
                if len(batch) == 500:
                    deleted += client.unlink(*batch)
                    batch = []
            if batch:
                deleted += client.unlink(*batch)
            return deleted
        except UNREACHABLE as exc:
            logger.warning("Redis cache unreachable (%s); %s not deleted", exc, pattern)
            return 0

    def roundtrip(self) -> None:
        """Write a value and read it back through Redis itself; raises what Redis raises."""
        key = f"sante:{uuid.uuid4().hex}"
        super().set(key, "ok", 5)
        if super().get(key) != "ok":
            raise RuntimeError("value not read back")
        super().delete(key)


class LocalCache(LocMemCache):
    """The embedded cache (one process): Django's, with ``delete_pattern`` as on Redis."""

    def delete_pattern(self, pattern: str) -> int:
        made = self.make_key(pattern)
        with self._lock:
            keys = [key for key in self._cache if fnmatch.fnmatchcase(key, made)]
            for key in keys:
                self._delete(key)
        return len(keys)


class Generation:
    """A token naming the current state of something kept in the cache under keys built from
    it: ``renew()`` (now and again after commit) makes every such key new, so nothing drawn
    from the old state is read again. Without ``seconds``, a token lives until renewed."""

    def __init__(self, key: str, seconds: int | None = None):
        self.key = key
        self.seconds = seconds

    def current(self) -> str:
        return cache.get_or_set(self.key, lambda: uuid.uuid4().hex, self.seconds)

    def renew(self) -> None:
        forget(self.key)


def forget(*keys: str) -> None:
    """Delete cached values now, and again once the current transaction commits: a request
    may have read the old state from the database meanwhile and cached it again."""
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
