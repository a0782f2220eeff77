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
