"""gzip for pages, SVG charts and JSON (config.middleware.GZipTextMiddleware; docs/security.md, "Compression")."""

import gzip
import re

import pytest
from django.urls import reverse

from tracker.page_cache import CSRF_PLACEHOLDER

from .factories import observation

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
HTMX_TOKEN = re.compile(r'("X-CSRFToken": ")[^"]+(")')  # the token in htmx's headers on <body>


def _overview(child) -> str:
    return reverse("tracker:child_detail", args=[child.public_id])


def _without_tokens(html: str) -> str:
    return HTMX_TOKEN.sub(r"\1…\2", TOKEN.sub(r"\1…\2", html))


def test_a_browser_that_asks_gets_the_page_gzipped(login, guardian, child):
    response = login(guardian).get(_overview(child), **GZIP)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert len(response.content) < len(gzip.decompress(response.content)) / 3


def test_the_gzipped_page_is_the_same_page(login, guardian, child):
    client = login(guardian)
    plain = client.get(_overview(child)).content.decode()
    compressed = gzip.decompress(client.get(_overview(child), **GZIP).content).decode()
    assert _without_tokens(compressed) == _without_tokens(plain)
    assert child.given_name in compressed


def test_a_client_that_does_not_ask_gets_plain_text(login, guardian, child):
    response = login(guardian).get(_overview(child))
    assert not response.has_header("Content-Encoding")
    assert response.content.decode().lstrip().startswith("<!doctype html>")


def test_a_cached_page_is_compressed_with_the_requesters_own_token(login, guardian, child):
    client = login(guardian)
    client.get(_overview(child), **GZIP)  # drawn and cached
    html = gzip.decompress(client.get(_overview(child), **GZIP).content).decode()  # from the cache
    tokens = TOKEN.findall(html) and re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert tokens and CSRF_PLACEHOLDER not in html
    # A token from the compressed, cached page is accepted by a POST (Django checks it against the cookie).
    client.enforce_csrf_checks = True
    archive = client.post(reverse("tracker:child_archive", args=[child.public_id]), {"csrfmiddlewaretoken": tokens[0]})
    assert archive.status_code == 302


def test_each_response_carries_a_differently_masked_token(login, guardian, child):
    """BREACH needs the same secret bytes in every response; Django masks the token afresh each time."""
    client = login(guardian)
    first = gzip.decompress(client.get(_overview(child), **GZIP).content).decode()
    second = gzip.decompress(client.get(_overview(child), **GZIP).content).decode()
    assert TOKEN.search(first).group(0) != TOKEN.search(second).group(0)


def test_an_svg_chart_is_gzipped_and_still_answers_304(login, guardian, child):
    observation(child, guardian, skill="gm-sits-without-support", status="achieved")
    client = login(guardian)
    url = reverse("tracker:chart_milestones", args=[child.public_id, "gross-motor", "svg"])
    response = client.get(url, **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b"<?xml")
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"], **GZIP)  # the weakened W/"…" ETag
    assert again.status_code == 304


def test_a_png_chart_is_not_compressed_twice(login, guardian, child):
    url = reverse("tracker:chart_milestones", args=[child.public_id, "gross-motor", "png"])
    response = login(guardian).get(url, **GZIP)
    assert response["Content-Type"] == "image/png" and not response.has_header("Content-Encoding")
