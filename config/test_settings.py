"""Settings for the test suite: the real settings with fast, isolated services."""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# TEST_REDIS_URL=redis://127.0.0.1:6379/<n> runs the tests' cache on Redis through the production backend.
# Each test empties the cache, which flushes that whole Redis database: give the tests one of their own
# (each pytest-xdist worker takes the next number: gw0 uses <n>, gw1 <n>+1, …).
if TEST_REDIS_URL := os.environ.get("TEST_REDIS_URL", ""):
    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    _base, _, _number = TEST_REDIS_URL.rstrip("/").rpartition("/")
    if not _number.isdigit():
        raise ImproperlyConfigured(f"TEST_REDIS_URL must end with a database number, e.g. /12: {TEST_REDIS_URL!r}")
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": f"{_base}/{int(_number) + _worker}"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Keep test output about tests: django-axes logs every login at INFO.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "axes": {"level": "WARNING"}}}  # noqa: F405
AXES_VERBOSE = False

# Off unless a test turns it on (tests/security/test_two_factor.py).
REQUIRE_2FA_FOR_THERAPISTS = False
# Tasks run at once, in the test's transaction; the database queue has its own tests.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SITE_URL = "https://tracker.example"
