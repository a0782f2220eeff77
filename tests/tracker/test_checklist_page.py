"""A domain's checklist page: its groups for a child of a known age, the rows, and who sees which controls."""

import html
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tracker.models import Role, Skill

from ..factories import ChildFactory, MembershipFactory, observation

pytestmark = pytest.mark.django_db

# Maya (born 10 March 2025) is six months old: about 6.05 months.
TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _url(child, domain: str = "gross-motor") -> str:
    return reverse("tracker:checklist", args=[child.public_id, domain])


def _groups(response) -> dict[str, list[str]]:
    """Each group's key on the page, with the slugs of its skills in order (empty groups are hidden)."""
    sections = re.findall(
        r'<section(?![^>]*hidden)[^>]*aria-labelledby="group-(\w+)">(.*?)</section>', response.content.decode(), re.S
    )
    return {key: re.findall(r'<li[^>]*id="skill-([\w-]+)"', body) for key, body in sections}


def _headings(response) -> list[str]:
    found = re.findall(
        r'<section(?![^>]*hidden)[^>]*>\s*<h2[^>]*id="group-\w+">(.*?)<span', response.content.decode(), re.S
    )
    return [html.unescape(heading).strip() for heading in found]


def _row(response, slug: str) -> str:
    found = re.search(rf'<li[^>]*id="skill-{slug}">(.*?)</li>', response.content.decode(), re.S)
    assert found, f"{slug} is not on the page"
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())
    return re.sub(r" ([,.])", r"\1", text)


@pytest.fixture
def page(login, guardian, child):
    observation(child, guardian, skill="gm-rolls-tummy-to-back", status="achieved", on=date(2025, 9, 1))
    return login(guardian).get(_url(child))


# --- Groups for a six-month-old ------------------------------------------------------------


def test_groups_appear_under_their_headings_in_order(page):
    assert _headings(page) == [
        "Expected now",
        "Some children start now",
        "Coming up",
        "To check",
        "Tracked over time",
        "Achieved",
    ]


def test_unrecorded_skills_whose_window_has_passed_are_to_check_not_overdue(page):
    groups = _groups(page)
    assert groups["to_check"][:2] == ["gm-lifts-head-on-tummy", "gm-kicks-and-waves-both-sides"]
    assert "overdue" not in groups


def test_skills_recorded_not_yet_past_a_cdc_checkpoint_are_overdue(login, guardian, child):
    observation(child, guardian, skill="gm-lifts-head-on-tummy", status="not_yet", on=date(2025, 9, 1))
    assert _groups(login(guardian).get(_url(child)))["overdue"] == ["gm-lifts-head-on-tummy"]


def test_skills_past_their_median_are_expected_now(page):
    assert _groups(page)["expected_now"] == ["gm-sits-without-support"]  # WHO median 5.9 months


def test_skills_inside_their_window_before_the_median_are_starting_now(page):
    assert _groups(page)["starting_now"] == [
        "gm-stands-with-assistance",
        "gm-crawls-hands-and-knees",
        "gm-walks-with-assistance",
        "gm-gets-into-sitting",
    ]


def test_skills_starting_within_six_months_are_coming_up(page):
    assert _groups(page)["coming_up"] == ["gm-stands-alone", "gm-walks-alone", "gm-pulls-up-to-standing"]


def test_achieved_skill_is_in_achieved_and_nowhere_else(page):
    groups = _groups(page)
    assert [key for key, slugs in groups.items() if "gm-rolls-tummy-to-back" in slugs] == ["achieved"]


def test_skills_for_older_children_are_only_counted(page):
    later = Skill.objects.catalogue().filter(domain__slug="gross-motor", window_start_months__gt=12.1).count()
    assertContains(page, f"{later} more skills for older children will appear as Maya grows.")
    assertNotContains(page, 'id="skill-gm-hops-on-one-leg"')


def test_overdue_group_talks_of_the_therapist_not_of_delay(login, guardian, child):
    observation(child, guardian, skill="gm-lifts-head-on-tummy", status="not_yet", on=date(2025, 9, 1))
    page = login(guardian).get(_url(child))
    assertContains(page, "talk to your child&#x27;s therapist or doctor")
    assertNotContains(page, "delay")


def test_the_to_check_group_says_it_is_not_a_concern_and_offers_the_catch_up(page):
    assertContains(page, "This is not a concern")
    assertContains(page, reverse("tracker:catch_up", args=[page.context["child"].public_id, "gross-motor"]))


def test_skills_without_an_age_norm_are_tracked_folded_away(page):
    found = re.search(r'aria-labelledby="group-tracked">(.*?)</section>', page.content.decode(), re.S)
    assert "<details" in found.group(1)
    assert _groups(page)["tracked"] == ["gm-bottom-shuffles"]


def test_only_the_domains_skills_are_listed(page):
    assert not any(slug.startswith(("fm-", "sc-", "sen-")) for slugs in _groups(page).values() for slug in slugs)


def test_other_domain_has_its_own_checklist(login, guardian, child):
    groups = _groups(login(guardian).get(_url(child, "fine-motor")))
    assert "fm-passes-toy-hand-to-hand" in groups["starting_now"]


def test_old_unrecorded_skills_are_to_check_for_an_older_child_never_overdue(login, guardian, child):
    child.date_of_birth = date(2021, 9, 10)
    child.save(update_fields=["date_of_birth"])
    groups = _groups(login(guardian).get(_url(child)))
    assert "gm-lifts-head-on-tummy" in groups["to_check"]
    assert "overdue" not in groups


# --- Corrected age ------------------------------------------------------------------------------


@pytest.fixture
def premature(guardian):
    """Born at 28 weeks, ten months ago: about 7.2 months corrected."""
    baby = ChildFactory(given_name="Pip", date_of_birth=date(2024, 11, 10), gestational_days=28 * 7)
    MembershipFactory(child=baby, user=guardian, role=Role.GUARDIAN)
    return baby


def test_premature_childs_checklist_says_it_uses_corrected_age(login, guardian, premature):
    assertContains(login(guardian).get(_url(premature)), "skills are compared with corrected age")


def test_premature_childs_checklist_groups_by_corrected_age(login, guardian, premature):
    assert "gm-walks-alone" in _groups(login(guardian).get(_url(premature)))["coming_up"]


def test_term_childs_checklist_does_not_mention_corrected_age(page):
    assertNotContains(page, "corrected age")


# --- Rows --------------------------------------------------------------------------------------------


def test_row_shows_the_current_status_with_its_date_and_author(login, guardian, pt, child):
    observation(child, guardian, skill="gm-sits-without-support", status="not_yet", on=date(2025, 8, 1))
    observation(child, pt, skill="gm-sits-without-support", status="emerging", on=date(2025, 9, 5))
    row = _row(login(guardian).get(_url(child)), "gm-sits-without-support")
    assert "Now: Emerging, 5 Sep 2025 by Paul PT" in row


def test_unrecorded_row_says_so(page):
    assert "Not recorded yet" in _row(page, "gm-walks-alone")


def test_row_shows_the_age_window_in_words_and_its_source(page):
    row = _row(page, "gm-walks-alone")
    assert "Almost all children (99 %) by 17.6 months; half by 12 months." in row
    assert "Source: WHO MGRS 2006 — Abstract (p. 86)" in row


def test_row_keeps_its_citation_one_tap_away(page):
    found = re.search(r'<li[^>]*id="skill-gm-walks-alone">.*?</li>', page.content.decode(), re.S).group(0)
    assert re.search(
        r"<details[^>]*><summary>About this skill</summary>.*Source: WHO MGRS 2006.*</details>", found, re.S
    )


def test_row_of_a_cdc_skill_says_3_in_4_children(page):
    assert "3 in 4 children by 9 months." in _row(page, "gm-gets-into-sitting")


def test_row_of_an_optional_skill_says_many_children_skip_it(page):
    assert "Many children skip this one." in _row(page, "gm-crawls-hands-and-knees")


def test_therapist_sees_the_level_of_assistance(login, pt, child):
    assertContains(login(pt).get(_url(child)), 'name="assistance"')


def test_parent_does_not_see_the_level_of_assistance(page):
    assertNotContains(page, 'name="assistance"')


def test_parent_sees_the_record_buttons(page):
    assertContains(page, 'name="status" value="achieved"')


def test_viewer_sees_no_record_buttons(login, viewer, child):
    response = login(viewer).get(_url(child))
    assertNotContains(response, 'name="status"')
    assertNotContains(response, "/record/")


def test_viewer_still_sees_the_current_status(login, guardian, viewer, child):
    observation(child, guardian, skill="gm-sits-without-support", status="emerging", on=date(2025, 9, 5))
    assert "Now: Emerging" in _row(login(viewer).get(_url(child)), "gm-sits-without-support")


def test_parent_is_not_offered_a_custom_skill(page):
    assertNotContains(page, "Add a custom skill")


def test_therapist_is_offered_a_custom_skill(login, ot, child):
    assertContains(login(ot).get(_url(child)), "Add a custom skill for Maya")


# --- Unknown domain -------------------------------------------------------------------------------------


def test_unknown_domain_is_404(login, guardian, child):
    assert login(guardian).get(_url(child, "juggling")).status_code == 404
