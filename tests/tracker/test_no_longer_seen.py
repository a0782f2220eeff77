"""A skill no longer seen: raised at once to the whole team and the family, until a therapist reviews it.

CDC advises acting promptly on any loss of skills. A skill whose latest observation is "not yet" or
"emerging" after an earlier "achieved" is at the top of the overview, on the skill's page and in What's
new, with calm "talk to your child's doctor" wording; a therapist marks it reviewed. A corrected mistake
or a withdrawn observation is never a loss.
"""

import html
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tracker import services
from tracker.models import AuditEvent, LossReview, Observation

from ..factories import observation

pytestmark = pytest.mark.django_db

TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)  # Maya is six months old
SITS = "gm-sits-without-support"


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def lost(child, guardian, pt):
    """Maya sat without support on 1 September; on 8 September her physio recorded "not yet"."""
    observation(child, guardian, skill=SITS, status="achieved", on=date(2025, 9, 1))
    return observation(child, pt, skill=SITS, status="not_yet", on=date(2025, 9, 8))


def _overview(client, child):
    return client.get(reverse("tracker:child_detail", args=[child.public_id]))


def _alert(response) -> str:
    found = re.search(r'aria-labelledby="no-longer-seen">(.*?)</section>', response.content.decode(), re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()) if found else ""


def _review_url(child, slug=SITS):
    return reverse("tracker:loss_review", args=[child.public_id, slug])


# --- Shown to everyone on the team --------------------------------------------------------------


@pytest.mark.parametrize("role", ["guardian", "ot", "pt", "viewer"])
def test_everyone_on_the_team_sees_it_at_the_top_of_the_overview(login, team, child, lost, role):
    response = _overview(login(team[role]), child)
    page = response.content.decode()
    assert page.index('id="no-longer-seen"') < page.index("Progress by area")
    assert "Sits without support — now not yet (8 Sep 2025)" in _alert(response)


def test_the_words_are_calm_and_point_to_the_doctor(login, guardian, child, lost):
    alert = _alert(_overview(login(guardian), child))
    assert "talk to Maya's doctor or therapist" in alert
    assert not any(word in alert.lower() for word in ("delay", "abnormal", "at risk", "regress", "failed"))


def test_the_skill_page_says_so_too(login, guardian, child, lost):
    response = login(guardian).get(reverse("tracker:skill_history", args=[child.public_id, SITS]))
    assert "Not reviewed by a therapist yet." in _alert(response)


def test_whats_new_lists_it_for_the_family(login, guardian, child, lost):
    response = login(guardian).get(reverse("tracker:changes"))
    assert "Maya: Sits without support — now not yet (8 Sep 2025)" in _alert(response)


def test_it_is_not_counted_as_overdue(login, guardian, child, lost):
    response = _overview(login(guardian), child)
    assertContains(response, "Nothing overdue.")


# --- What is not a loss ----------------------------------------------------------------------------------


def test_a_corrected_mistake_is_not_a_loss(login, guardian, pt, child):
    wrong = observation(child, guardian, skill=SITS, status="achieved", on=date(2025, 9, 1))
    services.correct_observation(
        original=wrong,
        correction=Observation(child=child, skill=wrong.skill, status="not_yet", observed_on=date(2025, 9, 1)),
        by=pt,
    )
    assert _alert(_overview(login(guardian), child)) == ""


def test_a_withdrawn_achievement_is_not_a_loss(login, guardian, pt, child):
    wrong = observation(child, guardian, skill=SITS, status="achieved", on=date(2025, 9, 1))
    observation(child, pt, skill=SITS, status="emerging", on=date(2025, 9, 8))
    services.withdraw_observation(observation=wrong, by=guardian, reason="Wrong child")
    assert _alert(_overview(login(guardian), child)) == ""


def test_a_skill_seen_again_is_no_longer_a_loss(login, guardian, child, lost):
    observation(child, guardian, skill=SITS, status="achieved", on=date(2025, 9, 9))
    assert _alert(_overview(login(guardian), child)) == ""


def test_progress_from_not_yet_to_emerging_is_not_a_loss(login, guardian, child):
    observation(child, guardian, skill=SITS, status="not_yet", on=date(2025, 9, 1))
    observation(child, guardian, skill=SITS, status="emerging", on=date(2025, 9, 8))
    assert _alert(_overview(login(guardian), child)) == ""


# --- A therapist marks it reviewed ------------------------------------------------------------------------


def test_a_therapist_is_offered_the_review_and_a_parent_is_not(login, guardian, pt, child, lost):
    assertContains(_overview(login(pt), child), _review_url(child))
    assertNotContains(_overview(login(guardian), child), _review_url(child))


def test_a_therapist_marks_it_reviewed_with_a_note(login, pt, child, lost):
    response = login(pt).post(_review_url(child), {"note": "Unwell this week; recheck at the next visit."})
    assert response.status_code == 302
    review = LossReview.objects.get()
    note = "Unwell this week; recheck at the next visit."
    assert (review.child, review.reviewed_by, review.note) == (child, pt, note)
    assert review.last_achieved.status == "achieved"


def test_the_review_is_shown_to_the_family_and_leaves_whats_new(login, guardian, pt, child, lost):
    login(pt).post(_review_url(child), {"note": "Unwell this week."})
    client = login(guardian)
    assert "Reviewed by Paul PT, 10 Sep 2025: Unwell this week." in _alert(_overview(client, child))
    assert _alert(client.get(reverse("tracker:changes"))) == ""


def test_the_review_is_audited_without_its_note(login, pt, child, lost):
    login(pt).post(_review_url(child), {"note": "Maya was unwell."})
    event = AuditEvent.objects.get(action="created", object_type="lossreview")
    assert (event.actor, event.summary) == (pt, f"Reviewed skill {SITS}, no longer seen")


def test_the_cached_overview_shows_the_review_at_once(login, guardian, pt, child, lost):
    client = login(guardian)
    _overview(client, child)  # drawn and cached
    services.review_loss(child=child, skill=lost.skill, by=pt)
    assert "Reviewed by Paul PT" in _alert(_overview(client, child))


def test_losing_it_again_after_seeing_it_again_needs_a_new_review(login, guardian, pt, child, lost):
    services.review_loss(child=child, skill=lost.skill, by=pt)
    observation(child, guardian, skill=SITS, status="achieved", on=date(2025, 9, 9))
    observation(child, guardian, skill=SITS, status="not_yet", on=date(2025, 9, 10))
    assert "Not reviewed by a therapist yet." in _alert(_overview(login(guardian), child))


def test_reviewing_twice_keeps_one_review(login, pt, child, lost):
    client = login(pt)
    client.post(_review_url(child), {})
    client.post(_review_url(child), {})
    assert LossReview.objects.count() == 1


def test_a_skill_that_is_not_lost_cannot_be_reviewed(login, pt, child):
    response = login(pt).post(_review_url(child), {}, follow=True)
    assertContains(response, "This skill is not recorded as no longer seen, so there is nothing to review.")
    assert not LossReview.objects.exists()


def test_a_note_too_long_is_refused_with_a_message(login, pt, child, lost):
    response = login(pt).post(_review_url(child), {"note": "x" * 2001}, follow=True)
    assertContains(response, "Keep the note to 2,000 characters (it has 2001).")
    assert not LossReview.objects.exists()


# --- The access ladder --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, child, lost):
    response = client.post(_review_url(child))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("accounts:login"))


def test_outsider_gets_404(login, outsider, child, lost):
    assert login(outsider).post(_review_url(child)).status_code == 404


@pytest.mark.parametrize("role", ["guardian", "viewer"])
def test_a_parent_or_viewer_gets_403(login, team, child, lost, role):
    assert login(team[role]).post(_review_url(child)).status_code == 403
    assert not LossReview.objects.exists()


def test_get_is_not_allowed(login, pt, child, lost):
    assert login(pt).get(_review_url(child)).status_code == 405
