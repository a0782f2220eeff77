"""Who reads which note: every role against every kind and visibility, on every page that shows notes.

Each note's text carries a unique marker; a page shows a note when the marker is in it. Team-only notes
are for therapists; parents and viewers read only what is shared with the family (a team-only note's
page is a 404 to them, as if it did not exist); an outsider gets 404 on every page of the child and
finds nothing of Maya's on "What's new".
"""

import pytest
from django.urls import reverse

from tracker.models import Discipline, Note

from ..factories import note, therapist

pytestmark = pytest.mark.django_db

# (kind, visibility): a family update is always shared with the family.
NOTES = [
    ("session", "team"),
    ("session", "family"),
    ("general", "team"),
    ("general", "family"),
    ("family_update", "family"),
]
ROLES = ["guardian", "ot", "pt", "viewer", "outsider"]
READS_TEAM_NOTES = {"ot", "pt"}
PAGES = ["note_list", "note_detail", "timeline", "search", "changes"]


def _marker(kind: str, visibility: str) -> str:
    return f"marker{kind.replace('_', '')}{visibility}qz"


def _readable(role: str, visibility: str) -> bool:
    if role == "outsider":
        return False
    return visibility == "family" or role in READS_TEAM_NOTES


@pytest.fixture
def notes(child, team, outsider) -> dict[tuple[str, str], Note]:
    """One note of each kind and visibility, written by a third therapist (so nobody in the cast wrote it)."""
    author = therapist(child, Discipline.OTHER, name="Sam Speech", email="speech@example.org")
    return {
        (kind, visibility): note(child, author, kind=kind, visibility=visibility, body=_marker(kind, visibility))
        for kind, visibility in NOTES
    }


@pytest.fixture
def actors(team, outsider) -> dict:
    return {**team, "outsider": outsider}


def _get(client, page: str, child, target: Note):
    if page == "note_detail":
        return client.get(reverse("tracker:note_detail", args=[child.public_id, target.pk]))
    if page == "search":
        # The query is echoed on the page ("No notes match …"): search for the marker less its last letters.
        query = _marker(target.kind, target.visibility).removesuffix("qz")
        return client.get(reverse("tracker:note_list", args=[child.public_id]), {"q": query})
    if page == "changes":
        return client.get(reverse("tracker:changes"))
    return client.get(reverse(f"tracker:{page}", args=[child.public_id]))


CASES = [(role, kind, visibility, page) for role in ROLES for kind, visibility in NOTES for page in PAGES]


@pytest.mark.parametrize(("role", "kind", "visibility", "page"), CASES, ids=["-".join(case) for case in CASES])
def test_visibility(login, child, notes, actors, role, kind, visibility, page):
    response = _get(login(actors[role]), page, child, notes[(kind, visibility)])
    marker = _marker(kind, visibility)
    if _readable(role, visibility):
        assert response.status_code == 200
        assert marker in response.content.decode()
    elif page == "changes":
        # Not a page of the child: it lists only what the reader may read, from any of their children.
        assert response.status_code == 200
        assert marker not in response.content.decode()
    elif role == "outsider" or page == "note_detail":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert marker not in response.content.decode()


@pytest.mark.parametrize("role", ["guardian", "viewer"])
def test_search_for_a_word_every_note_holds_finds_only_the_shared_ones(login, child, notes, actors, role):
    response = login(actors[role]).get(reverse("tracker:note_list", args=[child.public_id]), {"q": "qz"})
    assert {n.pk for n in response.context["page"]} == {n.pk for n in notes.values() if n.visibility == "family"}


@pytest.mark.parametrize("role", ["ot", "pt"])
def test_search_for_a_word_every_note_holds_finds_all_of_them_for_a_therapist(login, child, notes, actors, role):
    response = login(actors[role]).get(reverse("tracker:note_list", args=[child.public_id]), {"q": "qz"})
    assert {n.pk for n in response.context["page"]} == {n.pk for n in notes.values()}


def test_search_with_no_match_says_so(login, child, notes, guardian):
    response = login(guardian).get(reverse("tracker:note_list", args=[child.public_id]), {"q": "markersessionteam"})
    assert "No notes match" in response.content.decode()


@pytest.mark.parametrize("role", ["guardian", "viewer"])
def test_team_only_note_edit_page_is_404_to_a_family_member(login, child, notes, actors, role):
    target = notes[("general", "team")]
    response = login(actors[role]).get(reverse("tracker:note_edit", args=[child.public_id, target.pk]))
    assert response.status_code == 404


def test_a_note_of_another_child_is_404_through_this_childs_url(login, child, outsider_child, notes, outsider):
    """The note id of Maya's note under the outsider's own child: still not found."""
    target = notes[("general", "family")]
    response = login(outsider).get(reverse("tracker:note_detail", args=[outsider_child.public_id, target.pk]))
    assert response.status_code == 404


def test_list_counts_only_readable_notes_for_a_guardian(login, child, notes, guardian):
    response = login(guardian).get(reverse("tracker:note_list", args=[child.public_id]))
    assert response.context["page"].paginator.count == 3


def test_timeline_lists_only_readable_notes_for_a_viewer(login, child, notes, viewer):
    response = login(viewer).get(reverse("tracker:timeline", args=[child.public_id]))
    shown = {entry.item.pk for entry in response.context["entries"] if entry.type == "note"}
    assert shown == {n.pk for n in notes.values() if n.visibility == "family"}
