"""Project-wide middleware."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

# Already compressed: gzipping them again costs a worker's time and saves nothing.
COMPRESSED_TYPES = {"image/png", "image/jpeg", "image/webp", "application/zip", "application/gzip"}


class GZipTextMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for text (HTML, SVG, JSON, CSS), leaving already-compressed bodies alone.

    Measured on the demo (issue 14): the overview's HTML went from 33 to 7 kB
    and a milestone chart's SVG from 15 to 3 kB. Django's middleware sets
    `Vary: Accept-Encoding`, weakens the ETag (a chart's If-None-Match still
    matches: Django compares ETags weakly) and pads each response's gzip
    header by a random length against BREACH (docs/security.md).
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.get("Content-Type", "").split(";")[0].strip() in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)


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
