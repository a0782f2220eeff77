"""`drawn`: drawn pages and charts kept in a worker's memory in front of the shared cache.

The shared cache itself is a stock backend chosen in config/settings.py: django-redis when
`REDIS_URL` is set, Django's database cache otherwise. django-redis keeps one `redis.Redis`
client per server for the life of the process, where Django's own `RedisCache` builds one for
every call (each filling a table of about 170 response callbacks: measured here, a GET took
0.33 ms that way and 0.17 ms through a kept client). Until issue 18 this module got the kept
client by subclassing Django's backend through its private attributes, which an upgrade could
break without a sound; django-redis does it as its documented behaviour.
"""

import sys
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache


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
