"""Signing people out of an idle or too-old session.

Clinics share computers: a therapist who walks away from a signed-in browser
must not leave a child's record open to the next person. Two limits, both
settings (in seconds):

- SESSION_IDLE_TIMEOUT (default 30 minutes): time since the last request;
- SESSION_ABSOLUTE_LIMIT (default 12 hours): time since signing in, however
  active the session has been.

The session holds when it signed in and when it was last seen. "Last seen" is
rewritten at most once a minute, so a busy page does not write the session
table on every request; the idle limit is therefore exact to a minute.
"""

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from .kept import keep

SIGNED_IN_AT = "_signed_in_at"
LAST_SEEN_AT = "_last_seen_at"
SEEN_RESOLUTION = 60  # seconds between rewrites of LAST_SEEN_AT

IDLE_MESSAGE = "You were logged out after {minutes} minutes without activity. Log in again to continue."
ABSOLUTE_MESSAGE = "You were logged out because you have been logged in for {hours} hours. Log in again to continue."


def stamp_sign_in(session, now: float | None = None) -> None:
    """Note in `session` that it signed in now: the start of both limits."""
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: stamp the new session (session bookkeeping, as Django's last_login)."""
    if request is not None and hasattr(request, "session"):
        stamp_sign_in(request.session)


def expiry_reason(session, now: float) -> str | None:
    """Why the session has expired at `now` ("idle" or "absolute"), or None if it is still good."""
    signed_in = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN_AT)
    if signed_in is None or last_seen is None:
        return None
    if now - signed_in >= settings.SESSION_ABSOLUTE_LIMIT:
        return "absolute"
    if now - last_seen >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """Log out sessions that have been idle too long or signed in too long.

    Must come after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        if request.user.is_authenticated:
            reason = expiry_reason(request.session, now)
            if reason is not None:
                return self._expire(request, reason)
        response = self.get_response(request)
        # After the view, so a log-in (which starts a fresh session) is stamped at once.
        if request.user.is_authenticated:
            self._stamp(request.session, now)
        return response

    @staticmethod
    def _stamp(session, now: float) -> None:
        if session.get(SIGNED_IN_AT) is None:
            # A session signed in before this middleware was deployed: its limits start now.
            stamp_sign_in(session, now)
        elif now - session.get(LAST_SEEN_AT, 0) >= SEEN_RESOLUTION:
            session[LAST_SEEN_AT] = now

    @staticmethod
    def _expire(request: HttpRequest, reason: str) -> HttpResponse:
        kept = keep(request, request.user) if request.method == "POST" else None
        logout(request)
        if reason == "idle":
            text = IDLE_MESSAGE.format(minutes=settings.SESSION_IDLE_TIMEOUT // 60)
        else:
            text = ABSOLUTE_MESSAGE.format(hours=settings.SESSION_ABSOLUTE_LIMIT // 3600)
        if kept is not None:
            text += " What you had typed is kept: you get it back after you log in."
        messages.info(request, text)
        login_url = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request") == "true":
            # htmx would swap a login page into a checklist row; ask it to navigate instead.
            response = HttpResponse(text, status=401, content_type="text/plain; charset=utf-8")
            response["HX-Redirect"] = login_url
            return response
        if request.method in ("GET", "HEAD"):
            return redirect_to_login(request.get_full_path(), login_url)
        # A form posted into an expired session is not carried out (its fields are kept, accounts/kept.py);
        # come back to the page it was on.
        back_to = _referring_path(request)
        return redirect_to_login(back_to, login_url) if back_to else redirect(login_url)


def _referring_path(request: HttpRequest) -> str | None:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None
