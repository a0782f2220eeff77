""" "What's new": others' new notes and observations on one's children since one last marked them seen."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from tracker.models import Discipline, Note

from ..factories import ChildFactory, MembershipFactory, note, observation, therapist

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 2, 1, 11, 0, tzinfo=UTC)
URL = reverse("tracker:changes")
SEEN_URL = reverse("tracker:changes_seen")


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _notes(response) -> list[int]:
    return [n.pk for n in response.context["notes"]]


def _observations(response) -> list[int]:
    return [o.pk for o in response.context["observations"]]


def _written_ago(days: float, child, by, **fields) -> Note:
    with time_machine.travel(TODAY - timedelta(days=days), tick=False):
        return note(child, by, **fields)


# --- Access ---------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(URL)["Location"].startswith(reverse("accounts:login"))


def test_anonymous_marking_seen_is_sent_to_log_in(client):
    assert client.post(SEEN_URL)["Location"].startswith(reverse("accounts:login"))


def test_get_on_mark_seen_is_405(login, pt):
    assert login(pt).get(SEEN_URL).status_code == 405


def test_post_on_the_page_is_405(login, pt):
    assert login(pt).post(URL).status_code == 405


def test_a_therapists_home_is_whats_new(login, pt):
    assertRedirects(login(pt).get(reverse("tracker:home")), URL)


# --- What it shows ------------------------------------------------------------------


def test_shows_another_therapists_new_note(login, child, ot, pt):
    written = note(child, ot, body="What the OT wrote yesterday")
    response = login(pt).get(URL)
    assert _notes(response) == [written.pk]
    assert "What the OT wrote yesterday" in _text(response)


def test_names_the_child_author_and_discipline(login, child, ot, pt):
    note(child, ot, kind="session", body="Hand skills")
    assert "Maya: Session note (SOAP) by Olga OT (OT)" in _text(login(pt).get(URL))


def test_links_to_the_note(login, child, ot, pt):
    written = note(child, ot)
    assert reverse("tracker:note_detail", args=[child.public_id, written.pk]) in login(pt).get(URL).content.decode()


def test_shows_others_new_observations(login, child, guardian, pt):
    recorded = observation(child, guardian)
    response = login(pt).get(URL)
    assert _observations(response) == [recorded.pk]
    assert "Maya: Walks alone — Emerging" in _text(response)


def test_does_not_show_ones_own_note(login, child, pt):
    note(child, pt, body="My own")
    assert _notes(login(pt).get(URL)) == []


def test_does_not_show_ones_own_observation(login, child, pt):
    observation(child, pt)
    assert _observations(login(pt).get(URL)) == []


def test_does_not_show_another_teams_children(login, child, pt, outsider_child, outsider):
    note(outsider_child, outsider, kind="family_update", visibility="family", body="Otto's news")
    observation(outsider_child, outsider)
    response = login(pt).get(URL)
    assert (_notes(response), _observations(response)) == ([], [])


def test_does_not_show_a_team_only_note_to_a_guardian(login, child, pt, guardian):
    note(child, pt, visibility="team", body="Team only")
    assert _notes(login(guardian).get(URL)) == []


def test_shows_a_family_shared_note_to_a_guardian(login, child, pt, guardian):
    shared = note(child, pt, visibility="family", body="For the family")
    assert _notes(login(guardian).get(URL)) == [shared.pk]


def test_does_not_show_a_team_only_note_to_a_viewer(login, child, pt, viewer):
    note(child, pt, visibility="team", body="Team only")
    assert _notes(login(viewer).get(URL)) == []


def test_a_therapist_on_one_child_and_a_parent_of_another_sees_team_notes_only_where_a_therapist(login, child, pt):
    """Team-only notes follow the role on each child's team, not the person."""
    own_child = ChildFactory(given_name="Pia")
    MembershipFactory(child=own_child, user=pt, role="guardian")
    their_ot = therapist(own_child, Discipline.OCCUPATIONAL_THERAPY, name="Another OT")
    hidden = note(own_child, their_ot, visibility="team", body="About Pia, team only")
    shown = note(child, therapist(child, Discipline.OTHER, name="Sam Speech"), visibility="team", body="About Maya")
    assert _notes(login(pt).get(URL)) == [shown.pk]
    assert hidden.pk not in _notes(login(pt).get(URL))


def test_does_not_show_an_archived_childs_changes(login, child, ot, pt):
    note(child, ot)
    child.archived = True
    child.save(update_fields=["archived"])
    assert _notes(login(pt).get(URL)) == []


def test_newest_first(login, child, ot, pt):
    older = _written_ago(2, child, ot, body="Older")
    newer = _written_ago(1, child, ot, body="Newer")
    assert _notes(login(pt).get(URL)) == [newer.pk, older.pk]


def test_a_withdrawn_note_is_marked_and_its_text_not_previewed(login, child, ot, pt):
    from tracker import services

    written = note(child, ot, body="Taken back")
    services.withdraw_note(note=written, by=ot)
    page = _text(login(pt).get(URL))
    assert "withdrawn" in page.split()
    assert "Taken back" not in page


# --- Since when ---------------------------------------------------------------------


def test_a_first_visit_shows_the_last_14_days(login, child, ot, pt):
    recent = _written_ago(13, child, ot, body="Thirteen days ago")
    _written_ago(15, child, ot, body="Fifteen days ago")
    response = login(pt).get(URL)
    assert _notes(response) == [recent.pk]
    assert "From the last 14 days" in _text(response)


def test_marking_seen_redirects_back(login, pt):
    assertRedirects(login(pt).post(SEEN_URL), URL)


def test_marking_seen_empties_the_page(login, child, ot, guardian, pt):
    note(child, ot)
    observation(child, guardian)
    client = login(pt)
    client.post(SEEN_URL)
    response = client.get(URL)
    assert (_notes(response), _observations(response)) == ([], [])
    assert "No new notes." in _text(response)


def test_marking_seen_records_when(login, pt):
    login(pt).post(SEEN_URL)
    pt.refresh_from_db()
    assert pt.changes_seen_at == TODAY


def test_after_marking_seen_a_newer_note_shows(login, child, ot, pt):
    client = login(pt)
    client.post(SEEN_URL)
    with time_machine.travel(TODAY + timedelta(minutes=10), tick=False):
        later = note(child, ot, body="After you looked")
        assert _notes(client.get(URL)) == [later.pk]


def test_after_marking_seen_the_page_says_since_when(login, child, pt):
    client = login(pt)
    client.post(SEEN_URL)
    assert "Since you last marked them seen, 1 Feb 2026 11:00" in _text(client.get(URL))


def test_marking_seen_is_per_person(login, child, ot, pt, guardian):
    note(child, ot, visibility="family")
    login(pt).post(SEEN_URL)
    assert len(_notes(login(guardian).get(URL))) == 1


# --- Queries ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 60], ids=["few", "many"])
def test_the_query_count_does_not_grow(login, child, team, django_assert_max_num_queries, size):
    for i in range(size):
        note(child, team["ot"], body=f"n{i}", on=date(2026, 1, 1) + timedelta(days=i % 30))
        observation(child, team["guardian"], on=date(2026, 1, 1) + timedelta(days=i % 30))
    client = login(team["pt"])
    with django_assert_max_num_queries(5):
        client.get(URL)
