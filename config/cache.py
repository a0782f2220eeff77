"""Django's Redis cache with one client per pool, and `drawn`: drawn pages and charts kept in a worker's memory too.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every
cache read and write, and each one fills a table of about 170 response
callbacks: measured here, a GET took 0.33 ms that way and 0.17 ms through a
kept client. Every cached page and chart does one read, so that is 5–10 % of
serving one. A `redis.Redis` is safe to share: it takes a connection from its
pool per command, and the pool reconnects in a forked worker.
"""

import sys
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient


class DrawnCache:
    """Drawn pages and charts: kept in this process's memory in front of the shared cache.

    Only for entries whose key names every input of what was drawn, including
    the child's `data_version` (tracker/page_cache.py, tracker/views/charts.py):
    such an entry never goes out of date, so a copy in one worker's memory is
    as good as the shared one, and no request depends on it being there (a
    worker that never saw the key asks the shared cache, like any other).

    Why: reading an entry from Redis costs its size. Measured here, 0.14 ms for
    a 35 kB chart, 0.40 ms for a 140 kB checklist and 0.65–0.72 ms for a
    264 kB milestone chart, against about 1.4 ms for the whole baseline page;
    from memory it is a dictionary lookup. The copies are bounded by
    `max_bytes` per worker (least recently used go first) and by the same
    lifetime as the shared entry.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[float, int, bytes | str]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # runserver and threaded workers share one process

    def get(self, key: str, timeout: int) -> bytes | str | None:
        """The entry from this worker's memory, else from the shared cache (then kept here for `timeout` s)."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(key)
                return entry[2]
        value = cache.get(key)
        if value is not None:
            self._keep(key, value, now + timeout)
        return value

    def set(self, key: str, value: bytes | str, timeout: int) -> None:
        """Store a newly drawn entry in the shared cache and in this worker's memory."""
        cache.set(key, value, timeout)
        self._keep(key, value, time.monotonic() + timeout)

    def clear(self) -> None:
        """Forget this worker's copies (the shared cache is left alone)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _keep(self, key: str, value: bytes | str, expires: float) -> None:
        size = sys.getsizeof(value)
        if size > self.max_bytes // 4:  # one huge entry must not push out everything else
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (expires, size, value)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped, _) = self._entries.popitem(last=False)
                self._bytes -= dropped


drawn = DrawnCache(max_bytes=settings.DRAWN_CACHE_WORKER_BYTES)
