"""AGGREGATE LEAKS: no page shows anything of a child its viewer may not see.

Every free-text field of child A and child B holds a unique marker (names, notes of every kind and
visibility and their earlier versions, observation notes, withdrawal reasons, custom skills, goals, GAS
descriptors, review comments). Every GET page of the URL table — lists, search, timelines, what's new,
caseload, charts (SVG), exports (JSON, and each file of the zip) — is fetched by every actor for both
children, and searched with `?q=` where the page has a search box. A page must hold no marker of a
child the actor is not on the team of, and no team-only marker for a guardian or viewer.

The invitation page is left out: whoever holds an invitation link is shown the given name of the
child they are invited for, by design (the access matrix still tries it).
"""

import io
import zipfile

import pytest

from .support import (
    ACTORS,
    ROLE_ON_A,
    build_world,
    clients_for,
    response_bytes,
    rule_for,
    undone,
    url_targets,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]


CAPABILITY_URLS = {"tracker:invitation_accept"}
MARKER_PREFIX = "zq"


class Markers:
    """Hands out one unique marker per field and remembers whose it is and who may read it."""

    def __init__(self) -> None:
        self.owner: dict[str, tuple[str, str, str]] = {}  # marker -> (child tag, visibility, field)

    def __call__(self, tag: str, field_name: str, visibility: str, max_length: int) -> str:
        marker = f"{MARKER_PREFIX}{tag}{visibility[0]}{len(self.owner):03d}x"
        self.owner[marker] = (tag, visibility, field_name)
        return marker


def may_see(actor: str, tag: str, visibility: str) -> bool:
    roles = {"a": ROLE_ON_A, "b": {"guardian_b": "guardian", "ot_b": "therapist"}}[tag]
    role = roles.get(actor)
    return role is not None and (visibility == "family" or role == "therapist")


def readable_text(response) -> str:
    content_type = response.get("Content-Type", "")
    body = response_bytes(response)
    if content_type.startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return body.decode("utf-8", "replace")


def test_no_page_shows_another_childs_data(figure):
    markers = Markers()
    world = build_world(markers)
    actors = [*ACTORS, "ot_b"]  # B's therapist too, so that B's team-only markers are looked for
    clients = clients_for(world, actors)
    targets, seen_urls = [], set()
    for target in url_targets(world, child_tag="a") + url_targets(world, child_tag="b"):
        if target.url in seen_urls or target.name in CAPABILITY_URLS or rule_for(target, "GET").kind == "no":
            continue
        if target.url.endswith(".png"):
            continue  # no text to search in a bitmap: the SVG of the same chart is searched
        seen_urls.add(target.url)
        targets.append(target)

    leaks, shown, pages = [], set(), 0
    for target in targets:
        for actor in actors:
            with undone():
                response = clients[actor].request("GET", target.url)
                texts = [readable_text(response)]
                if 'name="q"' in texts[0]:
                    texts.append(readable_text(clients[actor].request("GET", target.url, {"q": MARKER_PREFIX})))
            pages += len(texts)
            for text in texts:
                for marker in (m for m in markers.owner if m in text):
                    tag, visibility, field_name = markers.owner[marker]
                    if may_see(actor, tag, visibility):
                        shown.add(marker)
                    else:
                        leaks.append(
                            f"{actor} sees child {tag}'s {visibility} {field_name} on {target.name} {target.url}"
                        )

    figure(
        f"AGGREGATE LEAKS: {len(leaks)} ({pages} page fetches by {len(actors)} actors; "
        f"{len(shown)}/{len(markers.owner)} markers seen by their own team)"
    )
    assert leaks == [], "\n".join(leaks[:40])
