"""What every page's template needs to know about the session (for static/js/idle-warning.js)."""

from django.conf import settings
from django.http import HttpRequest


def session_limits(request: HttpRequest) -> dict:
    return {"session_idle_timeout": settings.SESSION_IDLE_TIMEOUT}
