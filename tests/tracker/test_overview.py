"""The child overview's progress: per-domain counts and the "Needs attention" list."""

import html
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains

from tracker.models import Observation, Skill

from ..factories import observation

pytestmark = pytest.mark.django_db

# Maya (born 10 March 2025) is six months old.
TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _url(child) -> str:
    return reverse("tracker:child_detail", args=[child.public_id])


def _counts(response, domain: str) -> dict[str, int]:
    """The counts shown on one domain's card."""
    card = re.search(rf'aria-labelledby="domain-{domain}">(.*?)</section>', response.content.decode(), re.S)
    assert card, f"no card for {domain}"
    return {name: int(value) for name, value in re.findall(r'data-count="(\w+)">(\d+)<', card.group(1))}


def _needs_attention(response) -> list[str]:
    """Slugs in the "Needs attention" list, in order."""
    section = response.content.decode().split("Needs attention</h2>", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'/skills/([\w-]+)/"', section)


def _record(client, child, slug: str, status: str):
    return client.post(reverse("tracker:record", args=[child.public_id, slug]), {"status": status})


# --- Counts -------------------------------------------------------------------------------------


def test_each_domain_has_a_card_with_four_counts(login, guardian, child):
    response = login(guardian).get(_url(child))
    for domain in ("gross-motor", "fine-motor", "self-care", "sensory"):
        assert set(_counts(response, domain)) == {"achieved", "emerging", "not_yet", "overdue"}


def test_nothing_recorded_counts_no_statuses(login, guardian, child):
    counts = _counts(login(guardian).get(_url(child)), "gross-motor")
    assert (counts["achieved"], counts["emerging"], counts["not_yet"]) == (0, 0, 0)


def test_overdue_counts_skills_whose_window_has_passed(login, guardian, child):
    # At six months, seven gross-motor windows have closed (the last ones at 6.0 months).
    ended = Skill.objects.catalogue().filter(domain__slug="gross-motor", window_end_months__lt=6.04).count()
    assert _counts(login(guardian).get(_url(child)), "gross-motor")["overdue"] == ended


def test_recording_achieved_moves_a_skill_from_overdue_to_achieved(login, guardian, child):
    client = login(guardian)
    before = _counts(client.get(_url(child)), "gross-motor")
    _record(client, child, "gm-lifts-head-on-tummy", "achieved")
    after = _counts(client.get(_url(child)), "gross-motor")
    assert (after["achieved"], after["overdue"]) == (before["achieved"] + 1, before["overdue"] - 1)


def test_recording_emerging_counts_emerging_and_stays_overdue(login, guardian, child):
    client = login(guardian)
    before = _counts(client.get(_url(child)), "gross-motor")
    _record(client, child, "gm-lifts-head-on-tummy", "emerging")
    after = _counts(client.get(_url(child)), "gross-motor")
    assert (after["emerging"], after["overdue"]) == (1, before["overdue"])


def test_recording_not_yet_counts_not_yet(login, guardian, child):
    client = login(guardian)
    _record(client, child, "gm-walks-alone", "not_yet")
    assert _counts(client.get(_url(child)), "gross-motor")["not_yet"] == 1


def test_a_new_status_replaces_the_old_one_in_the_counts(login, guardian, child):
    client = login(guardian)
    observation(child, guardian, skill="gm-sits-without-support", status="emerging", on=date(2025, 9, 1))
    _record(client, child, "gm-sits-without-support", "achieved")
    counts = _counts(client.get(_url(child)), "gross-motor")
    assert (counts["achieved"], counts["emerging"]) == (1, 0)


def test_recording_counts_only_in_the_skills_domain(login, guardian, child):
    client = login(guardian)
    _record(client, child, "fm-passes-toy-hand-to-hand", "achieved")
    response = client.get(_url(child))
    assert (_counts(response, "fine-motor")["achieved"], _counts(response, "gross-motor")["achieved"]) == (1, 0)


def test_withdrawn_observation_is_not_counted(login, guardian, child):
    client = login(guardian)
    recorded = observation(child, guardian, skill="gm-walks-alone", status="achieved", on=date(2025, 9, 1))
    client.post(reverse("tracker:withdraw", args=[child.public_id, recorded.pk]), {"reason": "Wrong child"})
    assert _counts(client.get(_url(child)), "gross-motor")["achieved"] == 0


def test_card_shows_the_last_update(login, guardian, child):
    observation(child, guardian, skill="gm-walks-alone", status="emerging", on=date(2025, 9, 1))
    assertContains(login(guardian).get(_url(child)), "Last update: 10 Sep 2025")


# --- Needs attention -------------------------------------------------------------------------------


@pytest.fixture
def twenty_months_old(child, guardian):
    """Maya at 20 months with every closed window achieved, except:

    - sen-reacts-to-sudden-sounds (by 3 months): "not yet", 17 months overdue;
    - gm-walks-alone (by 17.6 months): "not yet";
    - fm-builds-tower-of-two (by 18 months): never recorded;
    - gm-lifts-head-on-tummy (by 2 months): never recorded, so long ago it is an "earlier" skill.
    """
    child.date_of_birth = date(2024, 1, 10)
    child.save(update_fields=["date_of_birth"])
    left_out = ["sen-reacts-to-sudden-sounds", "gm-walks-alone", "fm-builds-tower-of-two", "gm-lifts-head-on-tummy"]
    closed = Skill.objects.catalogue().filter(window_end_months__lt=20).exclude(slug__in=left_out)
    Observation.objects.bulk_create(
        Observation(
            child=child,
            skill=skill,
            observed_on=date(2025, 9, 1),
            status="achieved",
            recorded_by=guardian,
            recorded_by_name=guardian.name,
            is_current=True,
        )
        for skill in closed
    )
    observation(child, guardian, skill="sen-reacts-to-sudden-sounds", status="not_yet", on=date(2025, 9, 1))
    observation(child, guardian, skill="gm-walks-alone", status="not_yet", on=date(2025, 9, 1))
    return child


def test_needs_attention_lists_overdue_skills_longest_overdue_first(login, guardian, twenty_months_old):
    response = login(guardian).get(_url(twenty_months_old))
    assert _needs_attention(response) == ["sen-reacts-to-sudden-sounds", "gm-walks-alone", "fm-builds-tower-of-two"]


def test_needs_attention_says_what_each_skill_is_now(login, guardian, twenty_months_old):
    response = login(guardian).get(_url(twenty_months_old))
    assertContains(response, "typical by 17.6 months; now not yet")
    assertContains(response, "typical by 18 months; not recorded")


def test_needs_attention_talks_of_the_therapist_not_of_delay(login, guardian, twenty_months_old):
    page = html.unescape(login(guardian).get(_url(twenty_months_old)).content.decode())
    section = page.split("Needs attention</h2>", 1)[1].split("</ul>", 1)[0]
    assert "talk to your child's therapist or doctor" in section
    assert "delayed" not in page


def test_overdue_counts_match_the_needs_attention_list(login, guardian, twenty_months_old):
    response = login(guardian).get(_url(twenty_months_old))
    overdue = [_counts(response, d)["overdue"] for d in ("gross-motor", "fine-motor", "self-care", "sensory")]
    assert overdue == [1, 1, 0, 1]


def test_achieving_an_overdue_skill_takes_it_off_the_list(login, guardian, twenty_months_old):
    client = login(guardian)
    _record(client, twenty_months_old, "gm-walks-alone", "achieved")
    assert "gm-walks-alone" not in _needs_attention(client.get(_url(twenty_months_old)))


def test_needs_attention_shows_at_most_ten(login, guardian, child):
    child.date_of_birth = date(2024, 1, 10)
    child.save(update_fields=["date_of_birth"])
    assert len(_needs_attention(login(guardian).get(_url(child)))) == 10


def test_newborn_has_nothing_overdue(login, guardian, child):
    child.date_of_birth = date(2025, 8, 27)
    child.save(update_fields=["date_of_birth"])
    assertContains(login(guardian).get(_url(child)), "Nothing overdue.")
