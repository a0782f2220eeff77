"""Forms fit who fills them (issue 14): what a guardian and a therapist see on each form, and what it saves."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tracker.models import Domain, Goal, Note, Observation, Skill

from ..factories import goal, observation

pytestmark = pytest.mark.django_db

TODAY = datetime(2025, 9, 10, 11, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _note_url(child) -> str:
    return reverse("tracker:note_create", args=[child.public_id])


def _record_url(child, slug: str = "gm-sits-without-support") -> str:
    return reverse("tracker:record", args=[child.public_id, slug])


def _goal_url(child) -> str:
    return reverse("tracker:goal_create", args=[child.public_id])


def _checked(page, name: str) -> list[str]:
    """The values of the checked inputs called `name`."""
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page.content.decode())
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in inputs if " checked" in tag]


def _new_note(**fields) -> dict:
    return {"submission_id": "8a5e3f0e-62b5-4a33-9b7e-2c1f5d9c0a11", "session_date": "2025-09-10", **fields}


# --- The note form: a guardian ------------------------------------------------------------------


def test_a_guardian_sees_no_soap_sections(login, guardian, child):
    page = login(guardian).get(_note_url(child))
    assertNotContains(page, 'name="subjective"')
    assertNotContains(page, "S — Subjective")


def test_a_guardian_is_not_asked_the_kind_or_who_may_read_it(login, guardian, child):
    page = login(guardian).get(_note_url(child))
    assertContains(page, '<input type="hidden" name="kind" value="family_update"', html=False)
    assertContains(page, "Family updates are shared with everyone on Maya's care team.")


def test_a_guardians_note_field_is_marked_required(login, guardian, child):
    page = login(guardian).get(_note_url(child))
    assert re.search(
        r'<label[^>]*for="id_body"[^>]*>\s*Note<span class="asteriskField">\*</span>', page.content.decode()
    )


def test_a_guardians_note_is_dated_today(login, guardian, child):
    page = login(guardian).get(_note_url(child))
    assertContains(page, 'name="session_date" value="2025-09-10"', html=False)


def test_a_guardians_family_update_is_saved_shared(login, guardian, child):
    login(guardian).post(_note_url(child), _new_note(kind="family_update", body="Crawled to the sofa."))
    saved = Note.objects.get(child=child)
    assert (saved.kind, saved.visibility, saved.body) == ("family_update", "family", "Crawled to the sofa.")


def test_a_guardian_posting_soap_sections_saves_none_of_them(login, guardian, child):
    login(guardian).post(_note_url(child), _new_note(kind="family_update", body="Update", subjective="Sneaky"))
    assert Note.objects.get(child=child).subjective == ""


# --- The note form: a therapist -----------------------------------------------------------------


def test_a_therapist_picks_the_kind_with_a_session_note_first(login, pt, child):
    page = login(pt).get(_note_url(child))
    assert _checked(page, "kind") == ["session"]


def test_a_therapists_note_starts_team_only_with_no_blank_choice(login, pt, child):
    page = login(pt).get(_note_url(child))
    assert _checked(page, "visibility") == ["team"]
    assertNotContains(page, "---------")


def test_a_therapist_sees_soap_sections_and_the_note_field_each_for_its_kinds(login, pt, child):
    page = login(pt).get(_note_url(child))
    assertContains(page, '<fieldset data-for-kinds="session"', html=False)
    assertContains(page, '<div data-for-kinds="general family_update">', html=False)


def test_a_session_note_may_be_written_in_soap_alone(login, pt, child):
    response = login(pt).post(_note_url(child), _new_note(kind="session", visibility="team", objective="Sat 30 s."))
    assert response.status_code == 302
    assert Note.objects.get(child=child).objective == "Sat 30 s."


def test_a_general_note_still_needs_its_text(login, pt, child):
    response = login(pt).post(_note_url(child), _new_note(kind="general", visibility="team"))
    assertContains(response, "Write the note here.")


def test_linked_skills_are_ticked_in_lists_grouped_by_area(login, pt, child):
    page = login(pt).get(_note_url(child)).content.decode()
    assert "<select" not in page
    groups = re.findall(r'data-picker-group="([^"]+)"', page)
    assert groups[:4] == list(Domain.objects.values_list("name", flat=True)[:4])
    assert re.search(r'<input class="form-check-input" type="checkbox" name="skills"', page)


def test_the_skill_list_has_a_filter_box(login, pt, child):
    assertContains(login(pt).get(_note_url(child)), 'placeholder="Type to find…"')


def test_a_viewer_cannot_open_the_note_form(login, viewer, child):
    assert login(viewer).get(_note_url(child)).status_code == 403


# --- The recording form ---------------------------------------------------------------------------


def test_a_guardian_is_not_offered_the_assistance_scale(login, guardian, child):
    page = login(guardian).get(_record_url(child))
    assertNotContains(page, "Dependent")
    assertNotContains(page, 'name="assistance"')


def test_a_therapist_is_offered_the_assistance_scale(login, pt, child):
    assertContains(login(pt).get(_record_url(child)), 'name="assistance"')


def test_the_recording_form_starts_at_today(login, guardian, child):
    assertContains(login(guardian).get(_record_url(child)), 'value="2025-09-10"')


def test_an_assistance_level_posted_by_a_guardian_is_not_saved(login, guardian, child):
    login(guardian).post(_record_url(child), {"status": "achieved", "assistance": "dependent"})
    assert Observation.objects.get(child=child).assistance == ""


def test_a_viewer_cannot_open_the_recording_form(login, viewer, child):
    assert login(viewer).get(_record_url(child)).status_code == 403


# --- The goal form --------------------------------------------------------------------------------


def test_a_physiotherapists_goal_starts_in_gross_motor(login, pt, child):
    page = login(pt).get(_goal_url(child))
    assert _checked(page, "domain") == [str(Domain.objects.get(slug="gross-motor").pk)]


def test_a_goal_starts_twelve_weeks_ahead(login, pt, child):
    target = date(2025, 9, 10) + timedelta(weeks=12)
    assertContains(login(pt).get(_goal_url(child)), f'value="{target.isoformat()}"')


def test_goal_skills_are_radio_buttons_grouped_by_area_that_follow_the_area(login, pt, child):
    page = login(pt).get(_goal_url(child)).content.decode()
    assert "<select" not in page
    assert 'data-area-field="domain"' in page
    assert 'data-picker-group="Gross motor"' in page


def test_a_goal_is_set_with_the_area_skill_text_and_the_defaults(login, pt, child):
    client = login(pt)
    page = client.get(_goal_url(child))
    sits = Skill.objects.get(slug="gm-sits-without-support")
    data = {
        "domain": _checked(page, "domain")[0],
        "skill": sits.pk,
        "description": "Sits alone for 30 seconds while playing, 3 times out of 4.",
        "target_date": re.search(r'name="target_date" value="([^"]+)"', page.content.decode()).group(1),
        "weight": 1,
    }
    assert client.post(_goal_url(child), data).status_code == 302
    assert Goal.objects.get(child=child).skill == sits


def test_a_guardian_cannot_open_the_goal_form(login, guardian, child):
    assert login(guardian).get(_goal_url(child)).status_code == 403


def test_a_viewer_cannot_open_the_goal_form(login, viewer, child):
    assert login(viewer).get(_goal_url(child)).status_code == 403


# --- The correction and goal review forms -----------------------------------------------------------


def _correct_url(child, obs) -> str:
    return reverse("tracker:correct", args=[child.public_id, obs.pk])


def test_a_guardian_correcting_is_not_offered_the_assistance_scale(login, guardian, child):
    recorded = observation(child, guardian, skill="gm-sits-without-support", on=date(2025, 9, 1))
    assertNotContains(login(guardian).get(_correct_url(child, recorded)), 'name="assistance"')


def test_a_therapist_correcting_is_offered_the_assistance_scale(login, guardian, pt, child):
    recorded = observation(child, guardian, skill="gm-sits-without-support", on=date(2025, 9, 1))
    assertContains(login(pt).get(_correct_url(child, recorded)), 'name="assistance"')


def test_a_correction_starts_at_the_original_date_not_today(login, guardian, child):
    recorded = observation(child, guardian, skill="gm-sits-without-support", on=date(2025, 9, 1))
    assertContains(login(guardian).get(_correct_url(child, recorded)), 'value="2025-09-01"')


def test_a_viewer_cannot_open_the_correction_form(login, guardian, viewer, child):
    recorded = observation(child, guardian, skill="gm-sits-without-support", on=date(2025, 9, 1))
    assert login(viewer).get(_correct_url(child, recorded)).status_code == 403


def _review_url(child, set_goal) -> str:
    return reverse("tracker:goal_review", args=[child.public_id, set_goal.pk])


def test_a_therapists_review_starts_today_with_the_five_levels(login, pt, child):
    page = login(pt).get(_review_url(child, goal(child, pt)))
    assertContains(page, 'name="reviewed_on" value="2025-09-10"', html=False)
    assert len(re.findall(r'<input[^>]*type="radio"[^>]*name="level"', page.content.decode())) == 5


def test_a_guardian_cannot_open_the_review_form(login, guardian, pt, child):
    assert login(guardian).get(_review_url(child, goal(child, pt))).status_code == 403


def test_a_viewer_cannot_open_the_review_form(login, viewer, pt, child):
    assert login(viewer).get(_review_url(child, goal(child, pt))).status_code == 403
