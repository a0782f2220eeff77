"""Project-wide middleware."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class NoStoreForSignedInMiddleware:
    """Keep pages with a child's health data out of shared and browser caches.

    A page served to a signed-in person may hold a child's data; `no-store`
    stops it surviving in a proxy or in the back-button cache of a shared
    clinic computer. Responses that set their own Cache-Control (charts with
    validators, static files) keep theirs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class StripNulFromHeadersMiddleware:
    """Take NUL bytes out of request headers before anything stores them.

    PostgreSQL refuses text containing NUL ("A string literal cannot contain
    NUL characters"): a log-in with a NUL in its User-Agent or Accept gave a
    500 when django-axes wrote its log, and the failed attempt went uncounted
    (issue 15, finding 6). A NUL has no meaning in an HTTP header value, so
    it is dropped; everything else in the header is kept as sent.

    First in MIDDLEWARE, so every later middleware and view sees clean values.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        for key, value in meta.items():
            if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
                meta[key] = value.replace("\x00", "")
        return self.get_response(request)
