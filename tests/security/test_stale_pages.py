"""STALE PAGES: after any write, every cached page of the child is what a fresh draw would show.

The page cache (tracker/page_cache.py) keeps drawn pages under the child's `data_version`: a write
path that forgets to move it leaves every viewer on an old page. This sweep does not trust any write
path to remember. For every state-changing endpoint (every POST of the URL table with a valid form,
by a member the matrix allows, plus accepting an invitation and renaming oneself), it

1. draws every cached page of child A for every role (overview, each checklist, the timeline, This week,
   and the therapist's caseload), so they are in the cache;
2. makes the write;
3. asks for every page again (served from the cache wherever the key still matches), then empties the
   cache and draws each once more, and compares the two, byte for byte but for CSRF tokens.

Then it plants a forgetful write (begin_child_write made a no-op, as a new write path that forgot it
would be) and checks that the same comparison catches it.
"""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from config.cache import drawn
from tracker import page_cache, services
from tracker.models import Domain

from ..factories import UserFactory
from .support import ActorClient, build_world, rule_for, undone, url_targets, valid_post, who_may

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

ROLES = ("guardian_a", "ot_a", "viewer_a")
TOKEN = re.compile(rb"[A-Za-z0-9]{64}")  # a masked CSRF token, different in every response


def _pages(world) -> list[tuple[str, str]]:
    """(role, url) of every cached page of child A."""
    child = world.a.child.public_id
    urls = [reverse(name, args=[child]) for name in ("tracker:child_detail", "tracker:timeline", "tracker:programme")]
    urls += [reverse("tracker:checklist", args=[child, slug]) for slug in Domain.objects.values_list("slug", flat=True)]
    pages = [(role, url) for role in ROLES for url in urls]
    return [*pages, ("ot_a", reverse("tracker:caseload"))]


def _empty_cache() -> None:
    token = cache.get(page_cache.GENERATION_KEY)
    cache.clear()
    drawn.clear()
    cache.set(page_cache.GENERATION_KEY, token, None)


def _body(client: ActorClient, url: str) -> tuple[int, bytes]:
    """The status and the page, CSRF tokens masked (a write may have taken the reader off the team)."""
    response = client.request("GET", url)
    return response.status_code, TOKEN.sub(b"TOKEN", response.content)


def _stale_after(write, clients, pages) -> list[str]:
    """Run `write` with every page cached; the pages whose cached copy differs from a fresh draw."""
    _empty_cache()
    for role, url in pages:
        assert _body(clients[role], url)[0] == 200, url
    write()
    for client in clients.values():
        client.request("GET", reverse("tracker:child_list"))  # shows (and so clears) the write's "saved" message
    cached = {(role, url): _body(clients[role], url) for role, url in pages}
    _empty_cache()
    return [f"{role} {url}" for role, url in pages if _body(clients[role], url) != cached[(role, url)]]


def _writes(world, clients) -> list[tuple[str, object]]:
    """(label, callable) for every state-changing endpoint (one kwargs variant each)."""
    writes, seen = [], set()
    for target in url_targets(world):
        if target.child_tag not in (None, "a") or rule_for(target, "POST").kind in ("no", "public"):
            continue
        if target.name in seen:
            continue
        seen.add(target.name)
        actors = [actor for actor in who_may(world, target, "POST") if actor != "anonymous"]
        if not actors:
            continue
        actor = next((a for a in actors if a in ROLES), actors[0])
        if actor not in clients:
            clients[actor] = ActorClient({**world.users, **world.hidden}[actor])
        data = valid_post(world, target, clients[actor]) or {}
        writes.append((f"POST {target.name} [{target.variant}] as {actor}", _poster(clients[actor], target.url, data)))
    invitee = UserFactory(email="invited-therapist-a@example.org", profession="ot", name="Ivy Invitee")
    accept = reverse("tracker:invitation_accept", args=[world.a.invitation_token])
    writes.append(("POST invitation_accept as the invitee", _poster(ActorClient(invitee), accept, {})))
    rename = {"name": "Vera Renamed", "profession": "other"}
    writes.append(("POST accounts:profile (renaming) as viewer_a", _poster(clients["viewer_a"], _profile(), rename)))
    return writes


def _profile() -> str:
    return reverse("accounts:profile")


def _poster(client: ActorClient, url: str, data: dict):
    def post() -> None:
        response = client.request("POST", url, data)
        assert response.status_code in (200, 204, 302), (url, response.status_code)

    return post


@time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False)
def test_every_cached_page_matches_a_fresh_draw_after_every_write(figure, monkeypatch):
    world = build_world()
    clients = {role: ActorClient(world.users[role]) for role in ROLES}
    pages = _pages(world)
    stale, comparisons = [], 0
    for label, write in _writes(world, clients):
        with undone():
            stale += [f"{label}: {page}" for page in _stale_after(write, clients, pages)]
        comparisons += len(pages)
        page_cache.move_generation()  # the rolled-back write's version comes back: draw afresh

    # The proof that the sweep can see a forgetful write path.
    monkeypatch.setattr(services, "begin_child_write", lambda child: None)
    record = reverse("tracker:record", args=[world.a.child.public_id, "gm-walks-alone"])
    with undone():
        planted = _stale_after(_poster(clients["ot_a"], record, {"status": "achieved"}), clients, pages)

    figure(
        f"STALE PAGES: {len(stale)} of {comparisons} (write × page × role) comparisons differ from a fresh draw; "
        f"planted forgetful write {'caught' if planted else 'NOT CAUGHT'}"
    )
    assert stale == [], "\n".join(stale)
    assert planted, "a write that did not move data_version went unnoticed"
