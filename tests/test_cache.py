"""The Redis cache backend (config/cache.py): Django's, keeping one Redis client instead of one per call."""

import os
import socket
import urllib.parse
import uuid

import pytest

from config.cache import RedisCache

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
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.set("chart", b"bytes", 60)
    assert redis_cache._cache.get_client() is client
