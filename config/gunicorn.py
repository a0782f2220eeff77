"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`.

Environment: GUNICORN_BIND (default 127.0.0.1:8000: put a TLS proxy or load
balancer in front, never the app on a public address), WEB_CONCURRENCY (sync
workers, default 2), GUNICORN_TIMEOUT (seconds, default 30).

The app is loaded once in the master (`preload_app`) and the URLconf, with the
chart views and matplotlib, is imported and a small figure drawn before the
workers fork: no worker pays matplotlib's import (1.5–2 s here) on its first
chart request, and the workers share those pages of memory copy-on-write.
"""

import os

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
    import io

    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module, the charts with matplotlib)
    with contextlib.suppress(ImportError):
        import redis  # noqa: F401  (Django's RedisCache imports it on first use: 0.1 s, once per worker)
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
    server.log.info("Preloaded the URLconf and matplotlib before forking workers.")
