"""Rendered pages of a child's record, kept until the record changes.

Why: the benchmark's profile (bench/results, issue 7's note) showed that
drawing the overview, a checklist, the timeline or the caseload costs 20–40 ms
of template work and SQL, while the facts behind it change only when someone
writes to the child's records. A page is drawn once per viewer and version,
then served from the worker's memory or the shared cache (Redis, or the
database cache): config.cache.DrawnCache.

What keys a page (`page_key`), and why each part is there:
- the path with its query string: filters, sort order and page number;
- the viewer: their id, name and whether they are a therapist, because what a
  page shows depends on the viewer's role (team-only notes, buttons, the
  navigation) and it carries their name in the header;
- the record's version: `Child.data_version`, bumped in the same transaction
  as every write to the child's records, their profile and their care team
  (services.begin_child_write, Child.save, team changes, a member renaming
  themselves), so a change is seen on the very next request;
- today's date, because ages and "overdue" move with it.

Never cached: a response carrying a one-off message (a "saved" banner), and
anything not rendered by `render_page`. The permission check (before the
cache is read) and the audit event of a view happen on every request, whether
or not the page comes from the cache.

The CSRF token is per person and per session, so a cached page holds a
placeholder that is swapped for the requester's token on every response. The
page is kept as UTF-8 bytes: swapping in bytes took 34 µs on a 140 kB
checklist, against 197 µs to swap in the text and encode it (which every
response did before).
"""

import hashlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone

from config.cache import drawn

# Bump when templates change in a way that must not be mixed with pages drawn before a deployment.
PAGE_VERSION = 4  # 2: pages are kept as bytes; 3: the clinical status model (issue 13); 4: "This week" (issue 17)
# Long enough for a working session's back-and-forth between a child's pages; short enough that the
# cache holds about an hour of pages, not a day's (an entry can always be drawn again).
CACHE_SECONDS = 60 * 60
# Derived from the secret key, so nobody can type it into a note and have it replaced with a token.
CSRF_PLACEHOLDER = "csrf" + hashlib.sha256(f"page-cache-csrf|{settings.SECRET_KEY}".encode()).hexdigest()[:32]
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()


def page_key(request: HttpRequest, version: Iterable) -> str:
    """The cache key of the page `request` asks for, as of `version` (the record's version parts)."""
    user = request.user
    parts = (
        PAGE_VERSION,
        request.get_full_path(),
        bool(getattr(request, "htmx", False)),
        user.pk,
        user.name,
        user.is_therapist,
        timezone.localdate().isoformat(),
        *version,
    )
    return "page:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _has_messages(request: HttpRequest) -> bool:
    # len() reads the stored messages without marking them as shown.
    return len(get_messages(request)) > 0


def render_page(request: HttpRequest, template: str, context: Callable[[], dict], *, version: Iterable) -> HttpResponse:
    """Like `render`, but the page is drawn once per viewer and `version`; `context` is called only to draw it."""
    if _has_messages(request):
        return HttpResponse(render_to_string(template, context(), request))
    key = page_key(request, version)
    page = drawn.get(key, CACHE_SECONDS)
    if page is None:
        page = render_to_string(template, {**context(), "csrf_token": CSRF_PLACEHOLDER}, request).encode()
        drawn.set(key, page, CACHE_SECONDS)
    return HttpResponse(page.replace(_PLACEHOLDER_BYTES, get_token(request).encode()))


def child_version(child) -> tuple:
    """The version parts of one child's pages."""
    return (child.public_id, child.data_version)
