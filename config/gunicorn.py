"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`.

Environment: GUNICORN_BIND (default 127.0.0.1:8000: put a TLS proxy or load
balancer in front, never the app on a public address), WEB_CONCURRENCY (sync
workers, default 2), GUNICORN_TIMEOUT (seconds, default 30).

The app is loaded once in the master (`preload_app`) and the URLconf, with the
chart views and matplotlib, is imported and a small figure drawn before the
workers fork: no worker pays matplotlib's import (1.5–2 s here) on its first
chart request, and the workers share those pages of memory copy-on-write.
Those objects are then frozen out of garbage collection, and glibc is told
to return large freed buffers (a chart's canvas) to the system: see
`when_ready` and `return_freed_memory_to_the_os`.
"""

import ctypes
import ctypes.util
import os

# glibc's malloc options (malloc.h): M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
LARGE_BLOCK_BYTES = 128 * 1024


def return_freed_memory_to_the_os() -> bool:
    """Make glibc give large freed blocks back to the system at once; False where that is not glibc.

    A chart is drawn into a buffer of several MB (800×2,000 px is 6.4 MB, and
    PNG encoding copies it). glibc raises its mmap threshold after the first
    such buffer is freed, so later ones come from the heap and stay resident:
    the benchmark measured workers at 157–165 MB after a run at 2,000 children.
    Fixing both thresholds at glibc's starting value keeps every large buffer
    in its own mapping, returned when freed: 110 MB after the same requests,
    and no measurable change in render time. Called in the master, so the
    forked workers inherit it.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD, LARGE_BLOCK_BYTES))


return_freed_memory_to_the_os()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"


def when_ready(server) -> None:
    """In the master, after loading the app and before forking: import every view and warm matplotlib."""
    import contextlib
    import gc
    import io

    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module, the charts with matplotlib)
    with contextlib.suppress(ImportError):
        import django_redis.cache  # noqa: F401  (the Redis backend and client import on first use: once per worker)
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return
    figure = Figure(figsize=(2, 1), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], label="warm-up")
    axes.barh([0], [1], hatch="//")
    axes.legend()
    axes.set_xlabel("age (months)")
    # Load the fonts here, once, in the weights and sizes the charts use.
    figure.text(0.5, 0.5, "warm-up", fontweight="bold", fontsize=14)
    figure.text(0.5, 0.2, "warm-up", fontsize=12)
    for fmt in ("png", "svg"):
        figure.savefig(io.BytesIO(), format=fmt)
    # Nothing above should open a connection, but a connection must never be shared across a fork.
    connections.close_all()
    # Everything loaded so far lives as long as the process: leave it out of every garbage collection.
    # A full collection then walks what requests made, not Django's and matplotlib's 120,000 objects;
    # measured in-process, the baseline page went from 1.5 to 1.34 ms and no longer slowed after charts
    # had been drawn. It also keeps the collector from writing to pages the workers share with the master.
    gc.freeze()
    server.log.info("Preloaded the URLconf and matplotlib before forking workers.")
