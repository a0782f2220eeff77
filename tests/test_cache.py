"""The Redis backend (django-redis) keeping one client instead of one per call, and config/cache.py's DrawnCache."""

import os
import socket
import sys
import time
import urllib.parse
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache as shared_cache
from django_redis.cache import RedisCache

from config.cache import DrawnCache

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_cache():
    parsed = urllib.parse.urlparse(REDIS_URL)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1).close()
    except OSError:
        pytest.skip(f"no Redis answers at {REDIS_URL}")
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4()}"})
    yield cache
    for key in ("page", "chart", "count"):
        cache.delete(key)


def test_it_stores_and_returns_what_pages_and_charts_keep(redis_cache):
    redis_cache.set("page", "<p>Maya's overview</p>", 60)
    redis_cache.set("chart", b"\x89PNG bytes", 60)
    assert redis_cache.get("page") == "<p>Maya's overview</p>"
    assert redis_cache.get("chart") == b"\x89PNG bytes"
    assert redis_cache.get("missing") is None
    redis_cache.set("count", 1, 60)
    assert redis_cache.incr("count") == 2
    redis_cache.delete("page")
    assert redis_cache.get("page") is None


def test_every_call_goes_through_one_client(redis_cache):
    redis_cache.get("chart")
    client = redis_cache.client.get_client(write=False)
    assert redis_cache.client.get_client(write=True) is client
    redis_cache.set("chart", b"bytes", 60)
    assert redis_cache.client.get_client(write=False) is client


def test_settings_choose_django_redis_when_redis_url_is_set(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/3")
    assert _caches_read_from_environment()["default"] == {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://cache.internal:6379/3",
    }


def test_settings_choose_the_database_cache_without_redis_url(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert _caches_read_from_environment()["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def _caches_read_from_environment() -> dict:
    """CACHES as config/settings.py builds it from the current environment (a fresh read of the module)."""
    import runpy

    return runpy.run_path(str(settings.BASE_DIR / "config" / "settings.py"))["CACHES"]


# --- DrawnCache: drawn pages and charts kept in a worker's memory in front of the shared cache ----------


@pytest.fixture
def worker():
    """A DrawnCache of 1,000 bytes in front of the test settings' shared cache (emptied by conftest)."""
    return DrawnCache(max_bytes=1000)


def test_a_drawn_entry_is_kept_in_the_shared_cache_and_in_memory(worker):
    worker.set("chart:a", b"png", 60)
    assert shared_cache.get("chart:a") == b"png"
    shared_cache.delete("chart:a")
    assert worker.get("chart:a", 60) == b"png"


def test_an_entry_another_worker_drew_comes_from_the_shared_cache_and_stays(worker):
    shared_cache.set("page:a", "<p>drawn elsewhere</p>", 60)
    assert worker.get("page:a", 60) == "<p>drawn elsewhere</p>"
    shared_cache.delete("page:a")
    assert worker.get("page:a", 60) == "<p>drawn elsewhere</p>"


def test_a_missing_entry_is_none(worker):
    assert worker.get("chart:never-drawn", 60) is None


def test_memory_is_bounded_and_the_least_recently_used_go_first(worker):
    size = sys.getsizeof(b"x" * 200)
    for name in "abcd":  # 4 × ~233 bytes fit in 1,000
        worker.set(f"chart:{name}", b"x" * 200, 60)
    worker.get("chart:a", 60)  # a is now the most recently used
    worker.set("chart:e", b"x" * 200, 60)
    shared_cache.clear()
    kept = {name for name in "abcde" if worker.get(f"chart:{name}", 60) is not None}
    assert kept == {"a", "c", "d", "e"}
    assert worker._bytes == 4 * size <= worker.max_bytes


def test_an_entry_larger_than_a_quarter_of_memory_is_left_to_the_shared_cache(worker):
    worker.set("chart:huge", b"x" * 400, 60)
    assert shared_cache.get("chart:huge") == b"x" * 400
    shared_cache.delete("chart:huge")
    assert worker.get("chart:huge", 60) is None


def test_a_copy_in_memory_expires_with_the_entry(worker, monkeypatch):
    now = time.monotonic()
    worker.set("page:a", "<p>old</p>", 60)
    shared_cache.delete("page:a")
    monkeypatch.setattr(time, "monotonic", lambda: now + 61)
    assert worker.get("page:a", 60) is None


def test_clear_forgets_the_copies_only(worker):
    worker.set("page:a", "<p>kept</p>", 60)
    worker.clear()
    assert worker._bytes == 0
    assert worker.get("page:a", 60) == "<p>kept</p>"  # from the shared cache again
