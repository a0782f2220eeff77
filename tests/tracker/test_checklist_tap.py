"""A tap on a checklist row with htmx: the answer moves the row to its group, updates the counts, and offers an undo."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from tracker import services
from tracker.models import Observation

from ..factories import observation

pytestmark = pytest.mark.django_db

# Maya (born 10 March 2025) is six months old: sitting without support is expected now.
TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)
SKILL = "gm-sits-without-support"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _tap(client, child, status: str = "achieved", slug: str = SKILL):
    return client.post(reverse("tracker:record", args=[child.public_id, slug]), {"status": status}, headers=HTMX)


def _undo_url(child, obs) -> str:
    return reverse("tracker:undo", args=[child.public_id, obs.pk])


def _oob_sections(response) -> dict[str, str]:
    """The groups the answer swaps out of band, each with its HTML."""
    found = re.findall(
        r'(<section[^>]*id="section-(\w+)"[^>]*hx-swap-oob="true"[^>]*>.*?</section>)', response.content.decode(), re.S
    )
    return {key: body for body, key in found}


def _row_ids(section: str) -> list[str]:
    return re.findall(r'<li[^>]*id="skill-([\w-]+)"', section)


def _count(response, name: str) -> str:
    counts = re.search(
        r'<p[^>]*id="area-counts"[^>]*hx-swap-oob="true"[^>]*>(.*?)</p>', response.content.decode(), re.S
    )
    return re.search(rf'data-count="{name}">(\d+)<', counts.group(1)).group(1)


def _status(response) -> str:
    found = re.search(
        r'<div[^>]*id="tap-status"[^>]*hx-swap-oob="innerHTML"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    assert found, "no confirmation in the answer"
    return found.group(1)


# --- The answer to a tap -------------------------------------------------------------------


def test_tap_answer_is_a_fragment_with_status_200(login, guardian, child):
    response = _tap(login(guardian), child)
    assert response.status_code == 200
    assert b"<html" not in response.content


def test_tap_answer_puts_the_row_in_the_achieved_group(login, guardian, child):
    sections = _oob_sections(_tap(login(guardian), child))
    assert _row_ids(sections["achieved"]) == [SKILL]


def test_tap_answer_redraws_the_group_the_row_left_without_it(login, guardian, child):
    sections = _oob_sections(_tap(login(guardian), child))
    assert "expected_now" in sections
    assert SKILL not in _row_ids(sections["expected_now"])


def test_tap_answer_leaves_unchanged_groups_out(login, guardian, child):
    assert "coming_up" not in _oob_sections(_tap(login(guardian), child))


def test_tap_answer_counts_the_group_the_row_joined(login, guardian, child):
    achieved = _oob_sections(_tap(login(guardian), child))["achieved"]
    assert 'data-count="achieved">1</span>' in achieved


def test_tap_answer_opens_the_folded_group_the_row_joined(login, guardian, child):
    achieved = _oob_sections(_tap(login(guardian), child))["achieved"]
    assert "<details open>" in achieved


def test_tap_answer_updates_the_area_counts(login, guardian, child):
    response = _tap(login(guardian), child)
    assert (_count(response, "achieved"), _count(response, "not_recorded")) == ("1", "22")


def test_tap_answer_announces_the_save_and_where_the_row_went(login, guardian, child):
    status = _status(_tap(login(guardian), child))
    assert "Saved: <strong>Sits without support</strong> — achieved. Now under “Achieved”." in status


def test_tap_answer_offers_an_undo_of_that_observation(login, guardian, child):
    response = _tap(login(guardian), child)
    saved = Observation.objects.get(child=child, skill__slug=SKILL)
    assert f'hx-post="{_undo_url(child, saved)}"' in _status(response)


def test_a_tap_that_stays_in_its_group_redraws_that_group(login, guardian, child):
    sections = _oob_sections(_tap(login(guardian), child, status="emerging"))
    assert SKILL in _row_ids(sections["expected_now"])


CRAWLING = "gm-crawls-hands-and-knees"  # optional: not needed once a later way of getting about is achieved
CRUISING = "gm-walks-with-assistance"


def _group_holding(client, child, slug: str) -> str:
    """The group a row sits in on the checklist page."""
    page = client.get(reverse("tracker:checklist", args=[child.public_id, "gross-motor"])).content.decode()
    sections = re.findall(r'(<section[^>]*id="section-(\w+)"[^>]*>.*?</section>)', page, re.S)
    return next(key for body, key in sections if slug in _row_ids(body))


def test_a_tap_that_makes_an_optional_skill_unneeded_moves_that_row_too(login, guardian, child):
    client = login(guardian)
    left = _group_holding(client, child, CRAWLING)
    sections = _oob_sections(_tap(client, child, slug=CRUISING))
    assert CRAWLING in _row_ids(sections["not_needed"])
    assert left != "not_needed" and CRAWLING not in _row_ids(sections[left])


def test_a_not_yet_after_achieved_moves_the_row_to_no_longer_seen(login, guardian, child):
    client = login(guardian)
    observation(child, guardian, skill=SKILL, status="achieved", on=TODAY.date() - timedelta(days=20))
    sections = _oob_sections(_tap(client, child, status="not_yet"))
    assert _row_ids(sections["no_longer_seen"]) == [SKILL]
    assert _row_ids(sections["achieved"]) == []


def test_a_repeated_achieved_redraws_only_the_achieved_group(login, guardian, child):
    client = login(guardian)
    observation(child, guardian, skill=SKILL, status="achieved", on=TODAY.date() - timedelta(days=20))
    assert list(_oob_sections(_tap(client, child))) == ["achieved"]


def test_refused_tap_swaps_the_row_with_its_error(login, guardian, child):
    response = _tap(login(guardian), child, status="great")
    assertContains(response, f'id="skill-{SKILL}" hx-swap-oob="true"')
    assertContains(response, "Choose not yet, emerging or achieved.")


# --- Undo ----------------------------------------------------------------------------------


@pytest.fixture
def tapped(login, guardian, child):
    _tap(login(guardian), child)
    return Observation.objects.get(child=child, skill__slug=SKILL)


def test_undo_withdraws_the_tap_and_keeps_it(client, tapped, child):
    client.post(_undo_url(child, tapped), headers=HTMX)
    tapped.refresh_from_db()
    assert (tapped.is_withdrawn, tapped.withdrawal_reason, tapped.is_current) == (
        True,
        services.UNDO_REASON,
        False,
    )


def test_undo_deletes_nothing(client, tapped, child):
    client.post(_undo_url(child, tapped), headers=HTMX)
    assert Observation.objects.filter(child=child, skill__slug=SKILL).count() == 1


def test_undo_brings_back_the_earlier_status(login, guardian, child):
    client = login(guardian)
    earlier = observation(child, guardian, skill=SKILL, status="emerging", on=TODAY.date() - timedelta(days=3))
    _tap(client, child, status="not_yet")
    tapped = Observation.objects.get(child=child, skill__slug=SKILL, status="not_yet")
    client.post(_undo_url(child, tapped), headers=HTMX)
    earlier.refresh_from_db()
    assert earlier.is_current is True


def test_undo_answer_moves_the_row_back(client, tapped, child):
    sections = _oob_sections(client.post(_undo_url(child, tapped), headers=HTMX))
    assert SKILL in _row_ids(sections["expected_now"])
    assert _row_ids(sections["achieved"]) == []


def test_undo_of_a_tap_that_made_crawling_unneeded_brings_crawling_back(login, guardian, child):
    client = login(guardian)
    _tap(client, child, slug=CRUISING)
    tapped = Observation.objects.get(child=child, skill__slug=CRUISING)
    sections = _oob_sections(client.post(_undo_url(child, tapped), headers=HTMX))
    assert _row_ids(sections["not_needed"]) == []
    assert CRAWLING in _row_ids(sections[_group_holding(client, child, CRAWLING)])


def test_undo_answer_says_so(client, tapped, child):
    status = _status(client.post(_undo_url(child, tapped), headers=HTMX))
    assert "Undone: <strong>Sits without support</strong> is back under “Expected now”." in status


def test_undo_is_audited_as_a_withdrawal(client, tapped, child):
    client.post(_undo_url(child, tapped), headers=HTMX)
    assert child.audit_events.filter(action="withdrew", object_id=str(tapped.pk)).exists()


def test_undo_without_javascript_returns_to_the_checklist(client, tapped, child):
    response = client.post(_undo_url(child, tapped))
    checklist = reverse("tracker:checklist", args=[child.public_id, "gross-motor"])
    assertRedirects(response, f"{checklist}#skill-{SKILL}", fetch_redirect_response=False)
    tapped.refresh_from_db()
    assert tapped.is_withdrawn


def test_a_save_without_javascript_offers_the_undo_on_the_page_it_returns_to(login, guardian, child):
    client = login(guardian)
    url = reverse("tracker:record", args=[child.public_id, SKILL])
    page = client.post(url, {"status": "achieved"}, follow=True)
    saved = Observation.objects.get(child=child, skill__slug=SKILL)
    assertContains(page, "Saved: Sits without support — Achieved.")
    assertContains(page, f'method="post" action="{_undo_url(child, saved)}"')
    client.post(_undo_url(child, saved))
    saved.refresh_from_db()
    assert saved.is_withdrawn


def test_after_saves_never_shown_only_the_newest_is_offered_for_undo(login, guardian, child):
    client = login(guardian)
    for slug in (SKILL, CRAWLING, CRUISING):
        client.post(reverse("tracker:record", args=[child.public_id, slug]), {"status": "achieved"})
    page = client.get(reverse("tracker:checklist", args=[child.public_id, "gross-motor"])).content.decode()
    newest = Observation.objects.get(child=child, skill__slug=CRUISING)
    assert page.count("Saved: ") == 3
    assert re.findall(r'action="([^"]*/undo/)"', page) == [_undo_url(child, newest)]


def test_the_undo_is_offered_once_not_on_the_next_page(login, guardian, child):
    client = login(guardian)
    client.post(reverse("tracker:record", args=[child.public_id, SKILL]), {"status": "achieved"}, follow=True)
    again = client.get(reverse("tracker:checklist", args=[child.public_id, "gross-motor"]))
    assert b"Wrong one? Undo it now" not in again.content


def test_undo_of_someone_elses_tap_is_refused(login, pt, tapped, child):
    response = login(pt).post(_undo_url(child, tapped), headers=HTMX)
    assert "Only your own tap of the last few minutes can be undone here." in _status(response)
    tapped.refresh_from_db()
    assert not tapped.is_withdrawn


def test_undo_after_a_quarter_of_an_hour_is_refused(client, tapped, child):
    with time_machine.travel(TODAY + timedelta(minutes=16), tick=False):
        client.post(_undo_url(child, tapped), headers=HTMX)
    tapped.refresh_from_db()
    assert not tapped.is_withdrawn


def test_undo_twice_withdraws_once(client, tapped, child):
    client.post(_undo_url(child, tapped), headers=HTMX)
    response = client.post(_undo_url(child, tapped), headers=HTMX)
    assert "Only your own tap" in _status(response)


def test_undo_by_a_viewer_is_forbidden(login, viewer, tapped, child):
    assert login(viewer).post(_undo_url(child, tapped)).status_code == 403


def test_undo_by_an_outsider_is_404(login, outsider, tapped, child):
    assert login(outsider).post(_undo_url(child, tapped)).status_code == 404


def test_undo_by_get_is_not_allowed(client, tapped, child):
    assert client.get(_undo_url(child, tapped)).status_code == 405


def test_undo_when_signed_out_goes_to_log_in(tapped, child):
    from django.test import Client

    response = Client().post(_undo_url(child, tapped))
    assert response["Location"].startswith(reverse("accounts:login"))


# --- The page without JavaScript ---------------------------------------------------------------


def test_the_page_has_an_empty_live_region_for_confirmations(login, guardian, child):
    page = login(guardian).get(reverse("tracker:checklist", args=[child.public_id, "gross-motor"]))
    assertContains(page, '<div class="tap-status" id="tap-status" role="status" aria-live="polite"></div>', html=False)


def test_the_page_carries_every_shown_group_empty_ones_hidden(login, guardian, child):
    page = login(guardian).get(reverse("tracker:checklist", args=[child.public_id, "gross-motor"]))
    assertContains(page, 'id="section-no_longer_seen" hidden')
