"""Rendered pages of a child's record, kept until the record changes.

Why: the benchmark's profile (bench/results, issue 7's note) showed that
drawing the overview, a checklist, the timeline or the caseload costs 20–40 ms
of template work and SQL, while the facts behind it change only when someone
writes to the child's records. A page is drawn once per viewer and version,
then served from the worker's memory or the shared cache (Redis, or the
database cache): config.cache.DrawnCache.

What keys a page (`page_key`), and why each part is there:
- the generation (`generation()`): a fingerprint of the deployed code,
  templates and static files, and a token in the shared cache that
  `manage.py restore` replaces. A restore brings `data_version` back to
  values pages were drawn under, and a deployment can draw the same data
  differently; either way nothing drawn before can be served after;
- the path and only the query parameters the page reads, as the view
  normalised them (`reads`): filters, sort order and page number. Anything
  else in the query string is ignored, and the page is drawn without it, so
  `?junk=N` neither makes a new entry nor changes what is drawn;
- the viewer: their id, name and whether they are a therapist, because what a
  page shows depends on the viewer's role (team-only notes, buttons, the
  navigation) and it carries their name in the header;
- the record's version: `Child.data_version`, bumped in the same transaction
  as every write to the child's records, their profile and their care team
  (services.begin_child_write, Child.save, team changes, a member renaming
  themselves), so a change is seen on the very next request. The sweep in
  tests/security/test_stale_pages.py runs every write and compares every
  cached page with a fresh one, so a write path that forgets is caught;
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
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode

from config.cache import drawn

from .models import CacheGeneration

# Pages from before a deployment are never served after it anyway (DEPLOYMENT, below); this names the key's shape.
PAGE_VERSION = 6  # 2: bytes; 3: status model (issue 13); 4: "This week" (issue 17); 5: generation, read parameters;
# 6: issue 14: checklist groups swapped out of band, compact rows, tab bar everywhere; charts as SVG,
# every skill in the milestone table; the Reports tab in the child's navigation (issue 16)
# Long enough for a working session's back-and-forth between a child's pages; short enough that the
# cache holds about an hour of pages, not a day's (an entry can always be drawn again).
CACHE_SECONDS = 60 * 60
# Derived from the secret key, so nobody can type it into a note and have it replaced with a token.
CSRF_PLACEHOLDER = "csrf" + hashlib.sha256(f"page-cache-csrf|{settings.SECRET_KEY}".encode()).hexdigest()[:32]
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()


# What a deployment ships that can change a drawn page: code, templates, static files, the catalogue.
DEPLOYED = ("accounts", "config", "tracker", "templates", "static", "fixtures", "package-lock.json")
GENERATION_KEY = "page-cache:generation"
# Deeper pages than this are drawn every time: a page number is a key part a visitor chooses.
MAX_CACHED_PAGE = 100


def deployment_fingerprint(root: Path = settings.BASE_DIR) -> str:
    """A hash of every file a deployment ships that can change a page (read once per process)."""
    digest = hashlib.sha256()
    for top in DEPLOYED:
        base = root / top
        paths = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for path in paths:
            if path.suffix == ".pyc" or not path.exists():
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


DEPLOYMENT = deployment_fingerprint()


_last_token: list[str] = []  # this process's last-read token


def generation() -> str:
    """The current cache generation: this deployment's fingerprint and the restore token.

    The token is a row in the database (`CacheGeneration`), copied into the shared cache with no
    expiry, so that a page reads it with the page's own cache read and no query. If the copy is lost
    (a cache flush or an eviction), the process uses the token it read last, and only a process that
    never read one asks the database (one query) and puts the copy back. `manage.py restore` moves the
    row and the copy, and the restore procedure restarts the app servers (docs/security.md).
    """
    token = cache.get(GENERATION_KEY)
    if token is None:
        if not _last_token:
            _last_token.append(CacheGeneration.current())
            cache.add(GENERATION_KEY, _last_token[0], None)
        token = _last_token[0]
    elif not _last_token or _last_token[0] != token:
        _last_token[:] = [token]
    return f"{DEPLOYMENT}.{token}"


def move_generation() -> str:
    """Start a new generation: every page and chart drawn before is unreachable. Returns the new token.

    The row first, then the copy: a page drawn in between reads the old copy and is drawn under the
    old generation, which nobody reads again once the copy moves.
    """
    token = CacheGeneration.move()
    cache.set(GENERATION_KEY, token, None)
    _last_token[:] = [token]
    return token


def page_number(request: HttpRequest) -> int:
    """The `page` parameter as a page number: 1 when absent or not a positive number."""
    raw = request.GET.get("page", "")
    # isdecimal() alone lets through digits int() refuses (superscripts) and other scripts' digits.
    return int(raw) if raw.isascii() and raw.isdecimal() and 0 < int(raw) < 10**6 else 1


def page_key(request: HttpRequest, version: Iterable, reads: Mapping[str, object] | None = None) -> str:
    """The cache key of the page `request` asks for, as of `version`, with only the parameters in `reads`."""
    user = request.user
    parts = (
        PAGE_VERSION,
        generation(),
        request.path,
        sorted((name, str(value)) for name, value in (reads or {}).items() if value not in (None, "")),
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


def _only(reads: Mapping[str, object]) -> QueryDict:
    """An immutable query holding only the parameters in `reads` that have a value."""
    return QueryDict(urlencode([(name, str(value)) for name, value in reads.items() if value not in (None, "")]))


def render_page(
    request: HttpRequest,
    template: str,
    context: Callable[[], dict],
    *,
    version: Iterable,
    reads: Mapping[str, object] | None = None,
) -> HttpResponse:
    """Like `render`, but the page is drawn once per viewer, `version` and `reads`; `context` is called only to draw it.

    `reads` names the query parameters the page reads, with the values the view normalised: the page
    is drawn with `request.GET` holding exactly those, so what is drawn depends on nothing the key
    leaves out. A page number beyond MAX_CACHED_PAGE is drawn but not kept.
    """
    reads = dict(reads or {})
    request.GET = _only(reads)
    if _has_messages(request) or int(reads.get("page") or 1) > MAX_CACHED_PAGE:
        return HttpResponse(render_to_string(template, context(), request))
    key = page_key(request, version, reads)
    page = drawn.get(key, CACHE_SECONDS)
    if page is None:
        page = render_to_string(template, {**context(), "csrf_token": CSRF_PLACEHOLDER}, request).encode()
        drawn.set(key, page, CACHE_SECONDS)
    return HttpResponse(page.replace(_PLACEHOLDER_BYTES, get_token(request).encode()))


def child_version(child) -> tuple:
    """The version parts of one child's pages."""
    return (child.public_id, child.data_version)
