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
    """Slugs of the overdue skills under "Needs attention", in order (the calmer "To check" part left out)."""
    section = response.content.decode().split("Needs attention</h2>", 1)[1].split("Care team</h2>", 1)[0]
    return re.findall(r'/skills/([\w-]+)/"', section.split('id="to-check"', 1)[0])


def _record(client, child, slug: str, status: str):
    return client.post(reverse("tracker:record", args=[child.public_id, slug]), {"status": status})


# --- Counts -------------------------------------------------------------------------------------


def test_each_domain_has_a_card_with_five_counts(login, guardian, child):
    response = login(guardian).get(_url(child))
    for domain in ("gross-motor", "fine-motor", "self-care", "sensory"):
        assert set(_counts(response, domain)) == {"achieved", "emerging", "not_yet", "overdue", "to_check"}


def test_nothing_recorded_counts_no_statuses(login, guardian, child):
    counts = _counts(login(guardian).get(_url(child)), "gross-motor")
    assert (counts["achieved"], counts["emerging"], counts["not_yet"]) == (0, 0, 0)


def test_nothing_recorded_is_never_overdue(login, guardian, child):
    response = login(guardian).get(_url(child))
    assert [_counts(response, d)["overdue"] for d in ("gross-motor", "fine-motor", "self-care", "sensory")] == [0] * 4
    assertContains(response, "Nothing overdue.")


def test_unrecorded_skills_whose_window_has_passed_are_to_check(login, guardian, child):
    # At six months, six gross-motor windows have closed (the last ones at 6.0 months): unknown, not late.
    ended = Skill.objects.catalogue().filter(domain__slug="gross-motor", window_end_months__lt=6.04).count()
    assert _counts(login(guardian).get(_url(child)), "gross-motor")["to_check"] == ended


def test_recording_achieved_moves_a_skill_from_to_check_to_achieved(login, guardian, child):
    client = login(guardian)
    before = _counts(client.get(_url(child)), "gross-motor")
    _record(client, child, "gm-lifts-head-on-tummy", "achieved")
    after = _counts(client.get(_url(child)), "gross-motor")
    assert (after["achieved"], after["to_check"]) == (before["achieved"] + 1, before["to_check"] - 1)


def test_recording_emerging_past_a_cdc_checkpoint_makes_it_overdue(login, guardian, child):
    client = login(guardian)
    before = _counts(client.get(_url(child)), "gross-motor")
    _record(client, child, "gm-lifts-head-on-tummy", "emerging")
    after = _counts(client.get(_url(child)), "gross-motor")
    assert (after["emerging"], after["overdue"], after["to_check"]) == (1, 1, before["to_check"] - 1)


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

    - sen-reacts-to-sudden-sounds (CDC: 3 in 4 by 2 months): "not yet", so overdue;
    - gm-walks-alone (WHO: 99 % by 17.6 months): "not yet", so overdue;
    - fm-builds-tower-of-two (CDC: by 15 months): never recorded, so to check;
    - gm-lifts-head-on-tummy (CDC: by 2 months): never recorded, so to check.
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


def test_needs_attention_lists_overdue_skills_by_area(login, guardian, twenty_months_old):
    response = login(guardian).get(_url(twenty_months_old))
    assert _needs_attention(response) == ["gm-walks-alone", "sen-reacts-to-sudden-sounds"]


def test_an_ot_sees_the_areas_they_lead_first(login, ot, twenty_months_old):
    response = login(ot).get(_url(twenty_months_old))
    assert _needs_attention(response) == ["sen-reacts-to-sudden-sounds", "gm-walks-alone"]


def test_needs_attention_says_what_each_window_means_and_what_the_skill_is_now(login, guardian, twenty_months_old):
    response = login(guardian).get(_url(twenty_months_old))
    assertContains(response, "Almost all children (99 %) by 17.6 months; half by 12 months. Now not yet.")
    assertContains(response, "3 in 4 children by 2 months. Now not yet.")


def test_needs_attention_talks_of_the_therapist_not_of_delay(login, guardian, twenty_months_old):
    page = html.unescape(login(guardian).get(_url(twenty_months_old)).content.decode())
    section = page.split("Needs attention</h2>", 1)[1].split("</ul>", 1)[0]
    assert "talk to Maya's therapist or doctor" in section
    assert "delay" not in page


def test_unrecorded_skills_are_to_check_apart_and_never_in_needs_attention(login, guardian, twenty_months_old):
    response = login(guardian).get(_url(twenty_months_old))
    assert "fm-builds-tower-of-two" not in _needs_attention(response)
    text = html.unescape(response.content.decode()).split('id="to-check"', 1)[1]
    assert "Not a concern: they are unknown, not late." in text
    assert reverse("tracker:catch_up", args=[twenty_months_old.public_id, "fine-motor"]) in text


def test_overdue_counts_match_the_needs_attention_list(login, guardian, twenty_months_old):
    response = login(guardian).get(_url(twenty_months_old))
    overdue = [_counts(response, d)["overdue"] for d in ("gross-motor", "fine-motor", "self-care", "sensory")]
    assert overdue == [1, 0, 0, 1]


def test_achieving_an_overdue_skill_takes_it_off_the_list(login, guardian, twenty_months_old):
    client = login(guardian)
    _record(client, twenty_months_old, "gm-walks-alone", "achieved")
    assert "gm-walks-alone" not in _needs_attention(client.get(_url(twenty_months_old)))


def test_needs_attention_lists_every_overdue_skill(login, guardian, child):
    child.date_of_birth = date(2024, 1, 10)
    child.save(update_fields=["date_of_birth"])
    past = Skill.objects.catalogue().filter(window_kind="cdc_checkpoint", window_end_months__lt=20)
    for skill in past:
        observation(child, guardian, skill=skill.slug, status="not_yet", on=date(2025, 9, 1))
    assert len(past) > 10
    assert sorted(_needs_attention(login(guardian).get(_url(child)))) == sorted(skill.slug for skill in past)


def test_never_crawling_is_not_overdue(login, guardian, child):
    child.date_of_birth = date(2024, 1, 10)
    child.save(update_fields=["date_of_birth"])
    observation(child, guardian, skill="gm-crawls-hands-and-knees", status="not_yet", on=date(2025, 9, 1))
    assert "gm-crawls-hands-and-knees" not in _needs_attention(login(guardian).get(_url(child)))


def test_newborn_has_nothing_overdue(login, guardian, child):
    child.date_of_birth = date(2025, 8, 27)
    child.save(update_fields=["date_of_birth"])
    assertContains(login(guardian).get(_url(child)), "Nothing overdue.")


def test_ten_week_old_with_nothing_recorded_has_nothing_overdue(login, guardian, child):
    child.date_of_birth = date(2025, 7, 2)
    child.save(update_fields=["date_of_birth"])
    response = login(guardian).get(_url(child))
    assertContains(response, "Nothing overdue.")
    assert sum(_counts(response, d)["overdue"] for d in ("gross-motor", "fine-motor", "self-care", "sensory")) == 0
