"""The product's settings plus the benchmark's baseline page, for gunicorn under `make bench` only.

Everything else is `config.settings` as production reads it from the
environment (bench/run.py sets DEBUG off, a generated secret key, 127.0.0.1
as the only host, plain HTTP on loopback).
"""

import os

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, CACHES, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# A fresh key prefix per run: every chart starts cold, and earlier runs' entries are never read.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_PREFIX", "bench")
# The benchmark measures pages, not log-in: its therapists sign in with a password only.
REQUIRE_2FA_FOR_THERAPISTS = False
